// hermit shell <profile> [-- command]: a shell (or the command) inside the running container, as its user.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface ShellArgs { profile: string; '--'?: (string | number)[] }

/** bash when the image has it, sh otherwise. */
export const DEFAULT_SHELL = ['sh', '-c', 'command -v bash >/dev/null 2>&1 && exec bash || exec sh'];

export const shellCommand: CommandModule<object, ShellArgs> = {
  command: 'shell <profile>',
  describe: "Open a shell in the profile's running container as the profile's user (exits with the shell's exit code)",
  builder: (y: Argv) =>
    y
      .positional('profile', { type: 'string', demandOption: true, describe: 'Profile name or path' })
      .parserConfiguration({ 'populate--': true })
      .example('$0 shell claude-agent', 'An interactive shell')
      .example('$0 shell claude-agent -- claude --resume', 'A command instead of the shell') as Argv<ShellArgs>,
  handler: async (argv: ArgumentsCamelCase<ShellArgs>) => {
    const [{ lifecycleTarget, runningContainer }, { execAttached }] = await Promise.all([
      import('./lifecycle.js'), import('../apply/attach.js'),
    ]);
    const target = await lifecycleTarget(argv.profile);
    const c = await runningContainer(target);
    const command = (argv['--'] ?? []).map(String);
    // -t only on a terminal, so `hermit shell x -- cmd | less` works too.
    const tty = process.stdin.isTTY && process.stdout.isTTY ? ['--tty'] : [];
    // Without the profile, the user the container was created with (hermit set it from the profile).
    const user = target.profile ? ['--user', target.profile.container.user] : [];
    const args = ['exec', '--interactive', ...tty, ...user, c.id, ...(command.length > 0 ? command : DEFAULT_SHELL)];
    process.exitCode = await execAttached({ file: 'docker', args });
  },
};
