// hermit update <profile>: rebuild (build --pull) or pull the image, then run the profile again,
// recreating the container if its image changed.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface UpdateArgs { profile: string; pull: boolean; 'dry-run': boolean; json: boolean; '--'?: (string | number)[] }

export const updateCommand: CommandModule<object, UpdateArgs> = {
  command: 'update <profile>',
  describe: 'Rebuild or pull the image, then recreate the container if the image changed, and prove the isolation again',
  builder: (y: Argv) =>
    y
      .positional('profile', { type: 'string', demandOption: true, describe: 'Profile name or path' })
      .option('pull', { type: 'boolean', default: true, describe: 'Refresh base images (build --pull) or pull the image; --no-pull rebuilds from what is here' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the docker commands and firewall rules; change nothing' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result (changes and probe table) as JSON on stdout' })
      .parserConfiguration({ 'populate--': true }) as Argv<UpdateArgs>,
  handler: async (argv: ArgumentsCamelCase<UpdateArgs>) => {
    const { run } = await import('./run-flow.js');
    await run(argv.profile, { dryRun: argv['dry-run'], replace: false, json: argv.json, rest: argv['--'] ?? [], update: { pull: argv.pull } });
  },
};
