// hermit run <profile>: plan, apply, launch, prove. Heavy modules load inside the handler so
// `hermit --help` and `hermit --version` stay fast.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface RunArgs {
  profile?: string;
  'dry-run': boolean;
  replace: boolean;
  json: boolean;
  '--'?: (string | number)[];
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run [profile]',
  describe: 'Launch the profile\'s container on its isolated bridge and prove the isolation from inside',
  builder: (y: Argv) =>
    y
      .positional('profile', { type: 'string', describe: "Profile name or path to a YAML file; default: the project's hermit.yaml" })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the docker commands and firewall rules; change nothing' })
      .option('replace', { type: 'boolean', default: false, describe: 'Recreate the container even if it is running unchanged' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result (changes and probe table) as JSON on stdout' })
      .parserConfiguration({ 'populate--': true })
      .example('$0 run claude-agent', 'Start the built-in Claude Code profile')
      .example('$0 run ./agent.yaml -- --memory 4g', 'Extra docker run options (checked like the profile)')
      .example('$0 run claude-agent -- -- claude --resume', 'Replace the command') as Argv<RunArgs>,
  handler: async (argv: ArgumentsCamelCase<RunArgs>) => {
    const { run } = await import('./run-flow.js');
    await run(argv.profile, { dryRun: argv['dry-run'], replace: argv.replace, json: argv.json, rest: argv['--'] ?? [] });
  },
};
