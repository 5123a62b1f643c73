// Who besides root could have written a profile: the facts that decide whether hermit applies it
// as it is (root-owned files in root-owned folders) or only in a version the user approved.
import { realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { splitVolume } from './checks.js';
import type { Profile } from './types.js';

type Stat = (p: string) => Pick<Stats, 'uid' | 'gid' | 'mode' | 'isDirectory'> | undefined;

const statOrUndefined: Stat = (p) => {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
};

const S_ISVTX = 0o1000;

/**
 * Why someone other than root could change this file: it, or a folder on the way to it (where the
 * file could be replaced), is owned by another user or writable by a group or everyone. A folder
 * writable by everyone with the sticky bit (/tmp) is fine: only an entry's owner can replace it.
 */
export function otherWriters(file: string, stat: Stat = statOrUndefined): string[] {
  const reasons: string[] = [];
  let real = file;
  try {
    real = realpathSync(file);
  } catch {
    // Checked as written.
  }
  // The path as written and the real one: a symlink's folder decides where it points.
  for (const start of new Set([path.resolve(file), real])) {
    for (let p = start; ; p = path.dirname(p)) {
      const st = stat(p);
      if (st) {
        const isFile = p === start;
        if (st.uid !== 0) reasons.push(`${p} is owned by uid ${st.uid}`);
        else if (st.mode & 0o020 && st.gid !== 0) reasons.push(`${p} is writable by group ${st.gid}`);
        else if (st.mode & 0o002 && (isFile || !(st.mode & S_ISVTX))) reasons.push(`${p} is writable by everyone`);
      }
      if (path.dirname(p) === p) break;
    }
  }
  return [...new Set(reasons)];
}

/** The profile's files that lie inside a folder the container mounts writable, with that folder. */
export function insideWritableMounts(files: readonly string[], profile: Profile, realpath: (p: string) => string | undefined): string[] {
  const out: string[] = [];
  for (const m of profile.container.mounts) {
    const v = splitVolume(m);
    if (!v?.host?.startsWith('/') || v.options?.split(',').includes('ro')) continue;
    const host = realpath(v.host) ?? v.host;
    for (const f of files) {
      const real = realpath(f) ?? f;
      if (real === host || real.startsWith(`${host.replace(/\/$/, '')}/`)) out.push(`${f} is inside ${v.host}, which the container mounts writable at ${v.container}`);
    }
  }
  return out;
}
