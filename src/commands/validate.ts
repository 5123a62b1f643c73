// hermit validate [file...]: check profiles without touching the host (pre-commit, CI). With no
// arguments, the project's own profiles: hermit.yaml and .hermit/*.yaml of the nearest project.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface ValidateArgs { profiles?: string[] }

export const validateCommand: CommandModule<object, ValidateArgs> = {
  command: 'validate [profiles..]',
  describe: "Check profiles against the schema and hermit's isolation rules; changes nothing",
  builder: (y: Argv) =>
    y
      .positional('profiles', { type: 'string', array: true, describe: "Profile names or paths (default: the project's hermit.yaml and .hermit/*.yaml)" })
      .example('$0 validate', "Check this project's profiles")
      .example('$0 validate .hermit/*.yaml', 'Check files (a pre-commit hook passes the changed ones)') as Argv<ValidateArgs>,
  handler: async (argv: ArgumentsCamelCase<ValidateArgs>) => {
    const [{ loadChecked }, { HermitError }, { displayPath, projectProfiles }] =
      await Promise.all([import('./common.js'), import('../errors.js'), import('../profile/resolve.js')]);
    const names = argv.profiles?.length ? argv.profiles : projectProfiles();
    if (names.length === 0) {
      throw new HermitError('usage', 'nothing to validate: no profiles named, and no hermit.yaml or .hermit/*.yaml in this directory or a parent',
        'Name profiles or files: hermit validate ./agent.yaml; or write one: hermit init');
    }
    const failures: string[] = [];
    for (const p of names) {
      try {
        const loaded = loadChecked(p);
        const chain = loaded.chain ?? [loaded.file];
        const base = chain.length > 1 ? `, extends ${chain.slice(1).map((f) => displayPath(f)).join(' → ')}` : '';
        process.stdout.write(`ok: ${loaded.file} (profile '${loaded.profile.name}'${base})\n`);
      } catch (err) {
        if (!(err instanceof HermitError)) throw err;
        failures.push(err.message + (err.hint ? `\n  → ${err.hint}` : ''));
      }
    }
    if (failures.length > 0) throw new HermitError('usage', failures.join('\n'));
  },
};
