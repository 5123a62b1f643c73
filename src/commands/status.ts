// hermit status [profile]: container state, whether hermit's rules are present and intact, and the last probe.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface StatusArgs { profile?: string; json: boolean }

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status [profile]',
  describe: "Show the container's state, whether hermit's rules are present and intact, and the last probe (every profile without an argument)",
  builder: (y: Argv) =>
    y
      .positional('profile', { type: 'string', describe: 'Profile name or path; omitted: every profile hermit has made something for' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the status as JSON on stdout' }) as Argv<StatusArgs>,
  handler: async (argv: ArgumentsCamelCase<StatusArgs>) => {
    const { status } = await import('./status-flow.js');
    await status(argv.profile, { json: argv.json });
  },
};
