// Reads the sysctls that decide whether an unprivileged user namespace can be made (src/plan/userns.ts decides).
import { readFile } from 'node:fs/promises';
import { USERNS_FILES, type UsernsFacts } from '../plan/userns.js';

export async function readUserns(): Promise<UsernsFacts> {
  const entries = await Promise.all(Object.entries(USERNS_FILES).map(async ([key, path]) =>
    [key, await readFile(path, 'utf8').catch(() => undefined)] as const));
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as UsernsFacts;
}
