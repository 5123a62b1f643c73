// Small pieces every command composes.
import { HermitError } from '../errors.js';
import { dockerOptionsEnd } from '../docker/args.js';
import { checkDockerArgs } from '../profile/isolation.js';
import { fileLineCol } from '../profile/problems.js';
import { profileEnv } from '../profile/host-env.js';
import { existingRealpath, loadProfile, sensitivePlaces } from '../profile/load.js';
import { existsSync } from 'node:fs';
import { KIND_WORDS, type ProfileSource, declaredName, findProfile, findProjectDefault, hidesMoreTrusted, isPathArg } from '../profile/resolve.js';
import { recordedFileSync } from '../state/store.js';
import type { LoadedProfile } from '../profile/types.js';
import { printableLine } from '../report/printable.js';

export function requireRoot(command: string, why: string): void {
  if (process.getuid?.() !== 0) {
    throw new HermitError('host', `${command} needs root: ${why}`, `Run it as root: sudo hermit ${command} ...`);
  }
}

/** Where a profile argument points: a path, a name (project, user, system, built-in, first match
 * wins), or with no argument the project's hermit.yaml in the current directory or a parent. */
export function findSource(arg?: string): ProfileSource {
  const source = arg === undefined ? findProjectDefault() : findByNameOrRecord(arg);
  // A file in the project (the agent's workspace) that hides a more trusted profile is never used
  // silently, and is applied only once approved for its own path (loadChecked marks it).
  const hidden = hidesMoreTrusted(source);
  if (hidden.length > 0) {
    process.stderr.write(printableLine(`hermit: profile '${source.name}' is ${source.file} (${KIND_WORDS[source.kind]}), which shadows ${hidden.map((h) => `the ${KIND_WORDS[h.kind]} ${h.file}`).join(' and ')}`) + '\n');
  }
  return source;
}

/** A name the lookup order does not find, but that hermit ran from a file (hermit run ./agents/lab.yaml
 * names it lab-agent): that file, said in one line. */
function findByNameOrRecord(arg: string): ProfileSource {
  try {
    return findProfile(arg);
  } catch (err) {
    const file = err instanceof HermitError && !isPathArg(arg) ? recordedFileSync(arg) : undefined;
    if (!file || !existsSync(file) || declaredName(file) !== arg) throw err;
    process.stderr.write(`hermit: profile '${arg}' is not in the lookup order; using ${file}, the file hermit last ran it from\n`);
    return { kind: 'recorded', file, name: arg };
  }
}

/** Resolve, load and check a profile (loadProfile runs every check); nothing on the host is touched. */
export function loadChecked(arg?: string): LoadedProfile {
  const source = findSource(arg);
  const shadows = hidesMoreTrusted(source).map((h) => `the ${KIND_WORDS[h.kind]} ${h.file}`);
  const loaded = loadProfile(source.file, undefined, profileEnv());
  return shadows.length > 0 ? { ...loaded, shadows } : loaded;
}

/** Splits what follows `--`: docker run options, then the command to run instead of the
 * profile's, which starts after a second `--` or at the first word that is neither an option nor
 * an option's value. */
export function splitPassThrough(rest: readonly (string | number)[]): { dockerArgs: string[]; command: string[] } {
  const words = rest.map(String);
  const sep = words.indexOf('--');
  if (sep >= 0) return { dockerArgs: words.slice(0, sep), command: words.slice(sep + 1) };
  const end = dockerOptionsEnd(words);
  return { dockerArgs: words.slice(0, end), command: words.slice(end) };
}

export function checkPassThrough(dockerArgs: string[]): void {
  const problems = checkDockerArgs(dockerArgs, 'arguments after --', { realpath: existingRealpath, sensitive: sensitivePlaces(profileEnv()) });
  if (problems.length > 0) {
    throw new HermitError('usage', `refused docker arguments after --:\n  ${problems.join('\n  ')}`);
  }
}

export const useColor = () => !!process.stdout.isTTY && !process.env.NO_COLOR;

/** Runs planning and, when it refuses a profile key, points the error at file:line:col. */
export function locatingProfileErrors<T>(loaded: LoadedProfile, plan: () => T): T {
  try {
    return plan();
  } catch (err) {
    if (!(err instanceof HermitError) || !err.keyPath) throw err;
    const pos = loaded.locate(err.keyPath);
    throw new HermitError(err.kind, `${fileLineCol(pos?.file ?? loaded.file, pos)}: ${err.message}`, err.hint);
  }
}
