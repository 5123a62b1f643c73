// hermit profiles list | show [name]: where each profile comes from, and what one resolves to.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface ListArgs { json: boolean }
interface ShowArgs { profile?: string; json: boolean }


const listCommand: CommandModule<object, ListArgs> = {
  command: 'list',
  aliases: ['ls'],
  describe: 'List the profiles hermit finds by name, in lookup order, and where each comes from',
  builder: (y: Argv) => y.option('json', { type: 'boolean', default: false, describe: 'Print the list as JSON' }) as Argv<ListArgs>,
  handler: async (argv: ArgumentsCamelCase<ListArgs>) => {
    const { KIND_WORDS, listProfiles } = await import('../profile/resolve.js');
    const all = listProfiles({ cwd: process.cwd(), env: process.env });
    if (argv.json) {
      process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      return;
    }
    const rows = all.map((p) => [
      p.name,
      KIND_WORDS[p.kind] + (p.projectDefault ? ' (default)' : ''),
      p.file + (p.shadowed ? '   (shadowed by the one above)' : ''),
    ]);
    const table = [['NAME', 'SOURCE', 'FILE'], ...rows];
    const widths = [0, 1].map((i) => Math.max(...table.map((r) => r[i]!.length)));
    process.stdout.write(`${table.map((r) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}`).join('\n')}\n`);
  },
};

const showCommand: CommandModule<object, ShowArgs> = {
  command: 'show [profile]',
  describe: 'Print the fully resolved profile: extends merged, ${VAR} expanded, defaults filled in, secrets redacted',
  builder: (y: Argv) =>
    y
      .positional('profile', { type: 'string', describe: "Profile name or path (default: the project's hermit.yaml)" })
      .option('json', { type: 'boolean', default: false, describe: 'Print it as JSON' }) as Argv<ShowArgs>,
  handler: async (argv: ArgumentsCamelCase<ShowArgs>) => {
    const [{ findSource }, { loadProfile }, { profileEnv }, { redactProfile }, { displayPath, KIND_WORDS }, { stringify }] = await Promise.all([
      import('./common.js'), import('../profile/load.js'), import('../profile/host-env.js'), import('../profile/secrets.js'),
      import('../profile/resolve.js'), import('../profile/yaml.js'),
    ]);
    const source = findSource(argv.profile);
    const env = profileEnv();
    const loaded = loadProfile(source.file, undefined, env);
    const profile = redactProfile(loaded.profile, env);
    if (argv.json) {
      process.stdout.write(`${JSON.stringify({ source: { kind: source.kind, file: source.file }, chain: loaded.chain, profile }, null, 2)}\n`);
      return;
    }
    const chain = (loaded.chain ?? [loaded.file]).map((f) => displayPath(f));
    const head = [
      `# profile '${profile.name}': ${KIND_WORDS[source.kind]}${source.projectDefault ? ' (the project default)' : ''}, ${source.file}`,
      ...(chain.length > 1 ? [`# extends: ${chain.join(' → ')}`] : []),
      '# Resolved: extends merged, ${VAR} expanded, defaults filled in, paths absolute. passEnv and',
      '# envFile are passed by name and path; env values whose names look secret are <redacted>.',
    ];
    process.stdout.write(`${head.join('\n')}\n${stringify(profile, { lineWidth: 0 })}`);
  },
};

export const profilesCommand: CommandModule<object, object> = {
  command: 'profiles',
  describe: 'List profiles and where they come from, or show one fully resolved',
  builder: (y: Argv) =>
    y
      .command(listCommand)
      .command(showCommand)
      .demandCommand(1, 'Name a subcommand: hermit profiles list, or hermit profiles show <profile>'),
  handler: () => undefined,
};
