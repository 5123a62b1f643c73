// hermit alias [profile]: a shell function (claude-box) that starts the profile's container if
// needed, proves it, and attaches a shell or runs the given command.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface AliasArgs { profile: string; shell?: string; name?: string; sudo?: boolean }

export const aliasCommand: CommandModule<object, AliasArgs> = {
  command: 'alias [profile]',
  describe: 'Print a shell function that starts (or keeps) the profile\'s container, proves it, then attaches: eval "$(hermit alias)"',
  builder: (y: Argv) =>
    y
      .positional('profile', { type: 'string', default: 'claude-agent', describe: 'Profile name or path' })
      .option('shell', { type: 'string', choices: ['bash', 'zsh', 'fish'], describe: 'Shell to print for (default: from $SHELL, else bash)' })
      .option('name', { type: 'string', describe: 'Function name (default: claude-box for claude-agent, else <profile>-box)' })
      .option('sudo', { type: 'boolean', describe: 'Prefix hermit with sudo (default: when you are not root)' })
      .example('eval "$(hermit alias)"', 'Add claude-box to bash or zsh (put it in ~/.bashrc or ~/.zshrc)')
      .example('hermit alias claude-agent --shell fish | source', 'The same for fish (in ~/.config/fish/config.fish)') as Argv<AliasArgs>,
  handler: async (argv: ArgumentsCamelCase<AliasArgs>) => {
    const [{ loadChecked }, { aliasLine, defaultAliasName, interpolatedNames, SHELLS }] = await Promise.all([
      import('./common.js'), import('../report/alias.js'),
    ]);
    const { profile, file, chain } = loadChecked(argv.profile);
    const fromEnv = basename(process.env.SHELL ?? '');
    const shell = (argv.shell ?? (SHELLS.includes(fromEnv as never) ? fromEnv : 'bash')) as (typeof SHELLS)[number];
    const isPath = argv.profile.includes('/') || /\.ya?ml$/.test(argv.profile);
    const sudo = argv.sudo ?? process.getuid?.() !== 0;
    const self = process.argv[1] && basename(process.argv[1]) === 'hermit' ? process.argv[1] : 'hermit';
    const line = aliasLine(shell, {
      name: argv.name ?? defaultAliasName(profile.name),
      hermit: self,
      // A path is made absolute so the function works from any directory.
      profile: isPath ? file : argv.profile,
      // Every variable the profile (and what it extends) reads must survive sudo's env_reset.
      sudoEnv: sudo ? [...new Set([...profile.container.passEnv, ...(chain ?? [file]).flatMap((f) => interpolatedNames(readFileSync(f, 'utf8')))])].sort() : null,
    });
    process.stdout.write(`${line}\n`);
  },
};
