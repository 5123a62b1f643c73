// Entry point: yargs wiring and the single place where errors become exit codes.
import yargs, { type ArgumentsCamelCase } from 'yargs';
import { EXIT, HermitError } from './errors.js';
import { doctorCommand } from './commands/doctor.js';
import { guardCommand } from './commands/guard.js';
import { probeCommand } from './commands/probe.js';
import { runCommand } from './commands/run.js';
import { validateCommand } from './commands/validate.js';
import { initCommand } from './commands/init.js';
import { profilesCommand } from './commands/profiles.js';
import { aliasCommand } from './commands/alias.js';
import { downCommand } from './commands/down.js';
import { logsCommand } from './commands/logs.js';
import { psCommand } from './commands/ps.js';
import { shellCommand } from './commands/shell.js';
import { statusCommand } from './commands/status.js';
import { stopCommand } from './commands/stop.js';
import { trustCommand } from './commands/trust.js';
import { updateCommand } from './commands/update.js';
import { VERSION } from './version.js';
import { printable } from './report/printable.js';

/** Runs the command; resolves to the parsed arguments, or undefined when it failed (process.exitCode says how). */
export async function main(argv: string[]): Promise<ArgumentsCamelCase | undefined> {
  try {
    const cli = yargs(argv)
      .scriptName('hermit')
      .usage('$0 <command> [options]\n\nRun AI agent containers on an isolated bridge, and prove the isolation from inside.')
      .command(runCommand)
      .command(probeCommand)
      .command(validateCommand)
      .command(trustCommand)
      .command(doctorCommand)
      .command(guardCommand)
      .command(initCommand)
      .command(profilesCommand)
      .command(stopCommand)
      .command(downCommand)
      .command(statusCommand)
      .command(psCommand)
      .command(logsCommand)
      .command(shellCommand)
      .command(updateCommand)
      .command(aliasCommand)
      .completion('completion', 'Print a bash/zsh completion script: hermit completion >> ~/.bashrc', completeProfiles)
      .demandCommand(1, 'Name a command: hermit run <profile>')
      .strict()
      .version(VERSION)
      .help()
      .alias('h', 'help')
      .epilogue(
        'Exit codes: 0 ok, 1 internal error, 2 bad usage or profile (nothing changed), 3 host cannot give the ' +
          'guarantee (nothing changed), 4 apply failed (rolled back), 5 isolation probe failed: a breach (container stopped), ' +
          '6 an outage: something that must answer did not, nothing blocked was reachable (container running)',
      )
      .wrap(Math.min(110, process.stdout.columns || 100))
      .fail((msg, err, y) => {
        if (err) throw err;
        throw new HermitError('usage', msg, `See: hermit --help`);
      });
    withoutHelpCache(cli);
    return await cli.parseAsync();
  } catch (err) {
    process.exitCode = report(err, asksForJson(argv));
    return undefined;
  }
}

/** --json among hermit's own options (not among docker options after `--`). */
const asksForJson = (argv: string[]) => {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
};

/**
 * yargs renders the whole help text right after it starts a command's handler (~3 ms, on the way
 * to every command's work), in case the handler later asks for help; none of hermit's does. The
 * hook is yargs-internal: if it is not there, nothing changes.
 */
function withoutHelpCache(cli: unknown): void {
  const usage = (cli as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } })
    .getInternalMethods?.().getUsageInstance?.();
  if (typeof usage?.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

// Commands whose positional argument is a profile: completion offers the names hermit knows.
const TAKES_PROFILE = new Set(['run', 'probe', 'trust', 'stop', 'down', 'status', 'logs', 'shell', 'update', 'guard', 'doctor', 'alias', 'validate']);

/** Profile names (the lookup order's, and those hermit ran from a file) after a command that takes one; yargs' own completion otherwise. */
function completeProfiles(current: string, argv: { _: (string | number)[] }, yargsCompletion: (cb: (err: Error | null, c: string[] | undefined) => void) => void, done: (c: string[]) => void): void {
  const words = argv._.map(String);
  const wantsProfile = !current.startsWith('-') && ((TAKES_PROFILE.has(words[0] ?? '') && words.length >= 2) || (words[0] === 'profiles' && words[1] === 'show' && words.length >= 3));
  if (!wantsProfile) {
    yargsCompletion((_err, c) => done(c ?? []));
    return;
  }
  void Promise.all([import('./profile/resolve.js'), import('./state/store.js')]).then(([resolve, store]) => {
    const names = [...resolve.listProfiles().map((p) => p.name), ...store.recordedProfilesSync()];
    done([...new Set(names)].filter((n) => n.startsWith(current) && !n.startsWith('(')).sort());
  });
}

/** Says why on stderr; with --json, also one result object on stdout, so a script reads one shape
 * whether the command worked or not: {outcome: "error", kind, exitCode, message, hint}. */
function report(err: unknown, json: boolean): number {
  const known = err instanceof HermitError;
  if (known) {
    // Messages quote profiles and paths the agent may have written.
    process.stderr.write(`hermit: ${printable(err.message)}\n`);
    if (err.hint) process.stderr.write(`  → ${printable(err.hint)}\n`);
  } else {
    process.stderr.write(`hermit: internal error (a bug; please report it with this output)\n${(err as Error)?.stack ?? String(err)}\n`);
  }
  const exitCode = known ? err.exitCode : EXIT.internal;
  if (json) {
    const result = known
      ? { outcome: 'error', kind: err.kind, exitCode, message: err.message, ...(err.hint ? { hint: err.hint } : {}) }
      : { outcome: 'error', kind: 'internal', exitCode, message: String((err as Error)?.message ?? err) };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  }
  return exitCode;
}
