// Who besides root could have written a profile: the facts that decide whether hermit applies it
// as it is (root-owned files in root-owned folders) or only in a version the user approved.
import { lstatSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';
import { type HostBind, dockerArgBinds, splitVolume } from '../docker/args.js';
import type { Profile } from './types.js';

type Stat = (p: string) => Pick<Stats, 'uid' | 'gid' | 'mode' | 'isDirectory'> | undefined;

// lstat: a link on the way is judged as itself (its owner); where it points is the real path's business.
const lstatOrUndefined: Stat = (p) => {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
};

const S_ISVTX = 0o1000;
const isLink = (mode: number) => (mode & 0o170000) === 0o120000;

/**
 * Why someone other than root could change this file: it, or a folder on the way to it (where the
 * file could be replaced), is owned by another user or writable by a group or everyone. A folder
 * writable by everyone with the sticky bit (/tmp) is fine: only an entry's owner can replace it.
 * A symbolic link on the way counts by its owner (its permission bits mean nothing), and what it
 * points to is checked along the real path.
 */
export function otherWriters(file: string, stat: Stat = lstatOrUndefined): string[] {
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
        if (isLink(st.mode)) {
          if (st.uid !== 0) reasons.push(`${p} is a symbolic link owned by uid ${st.uid}`);
        } else if (st.uid !== 0) reasons.push(`${p} is owned by uid ${st.uid}`);
        else if (st.mode & 0o020 && st.gid !== 0) reasons.push(`${p} is writable by group ${st.gid}`);
        else if (st.mode & 0o002 && (isFile || !(st.mode & S_ISVTX))) reasons.push(`${p} is writable by everyone`);
      }
      if (path.dirname(p) === p) break;
    }
  }
  return [...new Set(reasons)];
}

/** The profile's files that lie inside a folder the container mounts writable (container.mounts,
 * and binds in container.dockerArgs), with that folder. */
export function insideWritableMounts(files: readonly string[], profile: Profile, realpath: (p: string) => string | undefined): string[] {
  const mounts = profile.container.mounts.flatMap((m): HostBind[] => {
    const v = splitVolume(m);
    return v?.host?.startsWith('/') ? [{ host: v.host, container: v.container, readOnly: !!v.options?.split(',').includes('ro'), text: '' }] : [];
  });
  return insideBinds(files, [...mounts, ...dockerArgBinds(profile.container.dockerArgs)], realpath);
}

/** Which of `files` lie inside a writable one of `binds`, in words. */
export function insideBinds(files: readonly string[], binds: readonly HostBind[], realpath: (p: string) => string | undefined): string[] {
  const out: string[] = [];
  for (const b of binds) {
    if (b.readOnly) continue;
    const host = realpath(b.host) ?? b.host;
    for (const f of files) {
      const real = realpath(f) ?? f;
      if (real === host || real.startsWith(`${host.replace(/\/$/, '')}/`)) {
        out.push(`${f} is inside ${b.host}, which the container mounts writable at ${b.container}${b.text ? ` (${b.text})` : ''}`);
      }
    }
  }
  return out;
}
