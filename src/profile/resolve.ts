// Finds a profile file from what the user typed: a path, or a name looked up in the project's
// .hermit/ folder and then among the profiles that ship with hermit.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HermitError } from '../errors.js';

export const BUILTIN_PROFILES = fileURLToPath(new URL('../../profiles/', import.meta.url));

export function resolveProfile(arg: string, cwd = process.cwd()): string {
  if (arg.includes('/') || /\.ya?ml$/.test(arg)) {
    const file = resolve(cwd, arg);
    if (!existsSync(file)) throw new HermitError('usage', `profile file ${file} does not exist`);
    return file;
  }
  const candidates = [join(cwd, '.hermit', `${arg}.yaml`), join(BUILTIN_PROFILES, `${arg}.yaml`)];
  const found = candidates.find((f) => existsSync(f));
  if (!found) {
    throw new HermitError('usage', `no profile named '${arg}'; looked in:\n    ${candidates.join('\n    ')}`,
      `Give a path (hermit run ./agent.yaml), or copy ${join(BUILTIN_PROFILES, 'claude-agent.yaml')} to .hermit/${arg}.yaml`);
  }
  return found;
}
