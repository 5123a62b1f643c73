// Small pieces every command composes.
import { HermitError } from '../errors.js';
import { checkDockerArgs, checkProfile } from '../profile/checks.js';
import { loadProfile } from '../profile/load.js';
import { resolveProfile } from '../profile/resolve.js';
import type { LoadedProfile } from '../profile/types.js';

export function requireRoot(command: string, why: string): void {
  if (process.getuid?.() !== 0) {
    throw new HermitError('host', `${command} needs root: ${why}`, `Run it as root: sudo hermit ${command} ...`);
  }
}

/** Resolve, load and check a profile; nothing on the host is touched. */
export function loadChecked(arg: string): LoadedProfile {
  const loaded = loadProfile(resolveProfile(arg));
  checkProfile(loaded);
  return loaded;
}

/** Splits what follows `--`: docker run options, then (after a second `--`, or from the first
 * word that is not an option) the command to run instead of the profile's. */
export function splitPassThrough(rest: readonly (string | number)[]): { dockerArgs: string[]; command: string[] } {
  const words = rest.map(String);
  const sep = words.indexOf('--');
  if (sep >= 0) return { dockerArgs: words.slice(0, sep), command: words.slice(sep + 1) };
  if (words.length > 0 && !words[0]!.startsWith('-')) return { dockerArgs: [], command: words };
  return { dockerArgs: words, command: [] };
}

export function checkPassThrough(dockerArgs: string[]): void {
  const problems = checkDockerArgs(dockerArgs, 'arguments after --');
  if (problems.length > 0) {
    throw new HermitError('usage', `refused docker arguments after --:\n  ${problems.join('\n  ')}`);
  }
}

export const useColor = () => !!process.stdout.isTTY && !process.env.NO_COLOR;
