// hermit init [name]: write a commented per-project profile that extends a built-in one.
//   hermit init          -> ./hermit.yaml, the project's default profile
//   hermit init <name>   -> ./.hermit/<name>.yaml
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface InitArgs { name?: string; from?: string; force: boolean }

export const initCommand: CommandModule<object, InitArgs> = {
  command: 'init [name]',
  describe: "Write a commented profile for this project (hermit.yaml, or .hermit/<name>.yaml) that extends a built-in one",
  builder: (y: Argv) =>
    y
      .positional('name', { type: 'string', describe: 'Profile name: writes .hermit/<name>.yaml (default: hermit.yaml, named after this directory)' })
      .option('from', { type: 'string', describe: 'The profile to extend (default: <name> if there is a built-in of that name, else claude-agent)' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite an existing file' })
      .example('$0 init', 'hermit.yaml for this project, extending claude-agent')
      .example('$0 init reviewer --from claude-agent', '.hermit/reviewer.yaml') as Argv<InitArgs>,
  handler: async (argv: ArgumentsCamelCase<InitArgs>) => {
    const [{ HermitError }, { NAME_RULES }, { SCHEMA_URL, parseProfile }, { profileEnv }, resolve, { controlCharacterIn, nameFromDir, profileTemplate }, { parseDocument }, { createFile }] =
      await Promise.all([
        import('../errors.js'), import('../profile/names.js'), import('../profile/load.js'),
        import('../profile/host-env.js'), import('../profile/resolve.js'), import('../profile/template.js'), import('../profile/yaml.js'),
        import('../create-file.js'),
      ]);
    const cwd = process.cwd();
    if (argv.name !== undefined && !NAME_RULES.profile.re.test(argv.name)) {
      throw new HermitError('usage', `profile name '${argv.name}' ${NAME_RULES.profile.message}`);
    }
    const target = argv.name === undefined ? path.join(cwd, resolve.PROJECT_DEFAULT) : path.join(cwd, '.hermit', `${argv.name}.yaml`);
    const shown = resolve.displayPath(target);
    // The project folder is the agent's to write: a link there would send the new file anywhere.
    const link = linkTarget(target);
    if (link !== undefined) {
      throw new HermitError('usage', `${shown} is a symbolic link (to ${link}); hermit init never writes through a link; nothing was written`, `Remove the link (rm ${shown}) and run hermit init again`);
    }
    if (fs.existsSync(target) && !argv.force) {
      throw new HermitError('usage', `${shown} already exists; nothing was written`, 'Overwrite it with --force, or give another name: hermit init <name>');
    }
    const name = argv.name ?? nameFromDir(cwd);
    const from = argv.from ?? (argv.name !== undefined && fs.existsSync(path.join(resolve.BUILTIN_PROFILES, `${argv.name}.yaml`)) ? argv.name : 'claude-agent');
    // Text of the base is copied into the new file: the base comes only from places the agent cannot write.
    const base = resolve.findProfile(from, resolve.hostPlaces(cwd), { skip: target, sharedOnly: true });
    // A name is looked up again from the new file; a path is written relative to it.
    const rel = path.relative(path.dirname(target), base.file);
    const ext = resolve.isPathArg(from) ? (rel.startsWith('.') ? rel : `./${rel}`) : from;
    const raw = parseDocument(fs.readFileSync(base.file, 'utf8')).toJS() as { name?: unknown; container?: { mounts?: unknown } } | null;
    const mounts = raw?.container?.mounts;
    const input = {
      name,
      extends: ext,
      baseName: typeof raw?.name === 'string' ? raw.name : base.name,
      baseDescription: `the ${base.kind === 'builtin' ? 'built-in' : base.kind} profile ${from}, ${base.file}`,
      schema: fileURLToPath(SCHEMA_URL),
      baseMounts: Array.isArray(mounts) ? mounts.filter((m): m is string => typeof m === 'string') : [],
      projectDir: argv.name === undefined ? '.' : '..',
    };
    const unsafe = controlCharacterIn(input);
    if (unsafe !== undefined) {
      throw new HermitError('usage', `${unsafe} (${base.file}) holds a control character such as a line break, which hermit init would copy into ${shown}; nothing was written`,
        `Remove it from ${base.file}, or start from another profile: hermit init --from <name>`);
    }
    const text = profileTemplate(input);
    try {
      parseProfile(target, text, profileEnv());
    } catch (err) {
      if (err instanceof HermitError) throw new HermitError('usage', `${err.message}\n(nothing was written)`, err.hint);
      throw err;
    }
    createFile(target, text, { replace: argv.force, makeDir: argv.name !== undefined });
    const arg = argv.name ?? name;
    // The file is the user's (and, in the project, the agent's): hermit runs it once it is approved.
    process.stdout.write(`wrote ${shown}: profile '${name}', extends ${from}\n  see it resolved: hermit profiles show ${arg}\n`
      + `  approve it:      sudo hermit trust ${arg}   (hermit applies a profile others than root can change only in a version you approved)\n`
      + `  run it:          sudo hermit run ${arg}\n`);
  },
};

/** Where a symbolic link at `file` points, or undefined when there is none. */
function linkTarget(file: string): string | undefined {
  try {
    return fs.readlinkSync(file);
  } catch {
    return undefined;
  }
}
