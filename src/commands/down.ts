// hermit down <profile>: remove the profile's container, hermit's rules, then its network —
// only what carries the profile's label or chain name, and nothing while another container uses the network.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface DownArgs { profile: string; time: number; volumes: boolean; 'dry-run': boolean; json: boolean }

export const downCommand: CommandModule<object, DownArgs> = {
  command: 'down <profile>',
  describe: "Remove the profile's container, hermit's firewall rules and its network (only what hermit created)",
  builder: (y: Argv) =>
    y
      .positional('profile', { type: 'string', demandOption: true, describe: 'Profile name or path (a name works even when its file is gone)' })
      .option('time', { alias: 't', type: 'number', default: 10, describe: 'Seconds to wait for the container to exit before killing it' })
      .option('volumes', { type: 'boolean', default: false, describe: "Also remove the docker: engine's data volume (its images and containers)" })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the commands and rule text; change nothing' })
      .option('json', { type: 'boolean', default: false, describe: 'Print what was removed as JSON on stdout' }) as Argv<DownArgs>,
  handler: async (argv: ArgumentsCamelCase<DownArgs>) => {
    const { down } = await import('./down-flow.js');
    await down(argv.profile, { time: argv.time, dryRun: argv['dry-run'], json: argv.json, volumes: argv.volumes });
  },
};
