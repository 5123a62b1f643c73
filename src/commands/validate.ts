// hermit validate <file...>: check profiles without touching the host (pre-commit, CI).
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface ValidateArgs { profiles: string[] }

export const validateCommand: CommandModule<object, ValidateArgs> = {
  command: 'validate <profiles..>',
  describe: 'Check profiles against the schema and hermit\'s isolation rules; changes nothing',
  builder: (y: Argv) =>
    y.positional('profiles', { type: 'string', array: true, demandOption: true, describe: 'Profile names or paths' }) as Argv<ValidateArgs>,
  handler: async (argv: ArgumentsCamelCase<ValidateArgs>) => {
    const [{ loadChecked }, { HermitError }] = await Promise.all([import('./common.js'), import('../errors.js')]);
    const failures: string[] = [];
    for (const p of argv.profiles) {
      try {
        const loaded = loadChecked(p);
        process.stdout.write(`ok: ${loaded.file} (profile '${loaded.profile.name}')\n`);
      } catch (err) {
        if (!(err instanceof HermitError)) throw err;
        failures.push(err.message + (err.hint ? `\n  → ${err.hint}` : ''));
      }
    }
    if (failures.length > 0) throw new HermitError('usage', failures.join('\n'));
  },
};
