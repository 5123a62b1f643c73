// Files that ship beside the code (schema, built-in profiles, the probe worker), found from the
// package root: the same code then works from src/ (tests), from dist/ and from a bundle.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schema'))) return dir;
    if (dirname(dir) === dir) throw new Error(`hermit's package root (with package.json and schema/) not found above ${from}`);
  }
}

export const PACKAGE_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));
export const SCHEMA_FILE = join(PACKAGE_ROOT, 'schema', 'profile.schema.json');
export const BUILTIN_PROFILES_DIR = join(PACKAGE_ROOT, 'profiles');
/** Built by `npm run build`; runs inside a container's network namespace. */
export const PROBE_WORKER = join(PACKAGE_ROOT, 'dist', 'probe', 'worker.js');
/** Built by `npm run build`; doctor's AAAA and path-MTU checks inside a network namespace. */
export const NETNS_WORKER = join(PACKAGE_ROOT, 'dist', 'doctor', 'netns-worker.js');
