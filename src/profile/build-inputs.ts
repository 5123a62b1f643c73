// The inputs of an image build, as hermit sends them: the Dockerfile and every entry of the context
// that .dockerignore lets through, read once by hermit itself (never following a link: folders are
// opened O_NOFOLLOW and read through their descriptor, files opened O_NOFOLLOW), each hashed. The
// digest of all of it is what the user approves; the tar docker gets is made from these very bytes,
// so nothing can change between the check and the build.
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { HermitError } from '../errors.js';
import { type TarEntry, tarArchive } from '../plan/tar.js';
import { checkDockerfile } from './dockerfile.js';
import { hasExceptions, isIgnored, parseDockerignore } from './dockerignore.js';
import { canonicalJson, sha256 } from './trust.js';
import type { ImageBuild } from './types.js';
import { otherWriters } from './writers.js';

/** The name the Dockerfile gets in the tar when it lies outside the context (as the docker CLI does, with a name of hermit's). */
export const OUTSIDE_DOCKERFILE = '.dockerfile.hermit';

/** Where the Dockerfile is inside the context ('/'-separated), or undefined when it lies outside. */
export function dockerfileInContext(build: ImageBuild): string | undefined {
  const rel = path.relative(build.context, build.dockerfile ?? path.join(build.context, 'Dockerfile'));
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel.split(path.sep).join('/');
}

/** The name `docker build -f` gets: the Dockerfile's place in the tar. */
export const dockerfileName = (build: ImageBuild) => dockerfileInContext(build) ?? OUTSIDE_DOCKERFILE;

export interface ContextEntry {
  /** Relative to the context, '/'-separated. */
  path: string;
  type: TarEntry['type'];
  mode: number;
  mtime: number;
  /** sha256 of a file's bytes or a link's target text; '' for a folder. */
  digest: string;
}

export interface BuildInputs {
  build: ImageBuild;
  dockerfile: { file: string; text: string; digest: string };
  entries: ContextEntry[];
  /** sha256 over the Dockerfile and every entry (path, type, mode, digest): what is approved. */
  digest: string;
  /** Why someone other than root could have changed them (empty: nobody). */
  writers: string[];
  /** The bytes hashed, by path: the tar is made of these. */
  data: Map<string, Buffer>;
}

/** The per-entry form that is stored and compared: "file 644 <sha256>", "symlink 777 <sha256>", "dir 755". */
export const entryText = (e: Pick<ContextEntry, 'type' | 'mode' | 'digest'>) => `${e.type} ${(e.mode & 0o7777).toString(8)}${e.digest ? ` ${e.digest}` : ''}`;

export function inputsDigest(dockerfileText: string, entries: readonly ContextEntry[]): string {
  return `sha256:${sha256(canonicalJson({ dockerfile: sha256(dockerfileText), entries: entries.map((e) => [e.path, entryText(e)]) }))}`;
}

const S_ISVTX = 0o1000;
const MAX_WRITERS = 8;

/** Why a context entry could be changed by someone other than root (links: only their owner counts). */
function entryWriter(abs: string, st: Stats): string | undefined {
  if (st.uid !== 0) return `${abs} is owned by uid ${st.uid}`;
  if (st.isSymbolicLink()) return undefined;
  if (st.mode & 0o020 && st.gid !== 0) return `${abs} is writable by group ${st.gid}`;
  if (st.mode & 0o002 && !(st.isDirectory() && st.mode & S_ISVTX)) return `${abs} is writable by everyone`;
  return undefined;
}

const fdPath = (fd: number, name?: string) => `/proc/self/fd/${fd}${name === undefined ? '' : `/${name}`}`;

/** Reads a regular file through a link-refusing open; fails on anything else (a fifo does not block). */
function readRegular(p: string, shown: string, expect?: Stats): Buffer {
  let fd: number;
  try {
    fd = openSync(p, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HermitError('usage', `${shown} could not be read${code === 'ELOOP' ? ': it is a symbolic link' : `: ${(e as Error).message}`}`,
      'Build inputs are read as they are, never through a link: put the file itself there');
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || (expect && (st.ino !== expect.ino || st.dev !== expect.dev))) {
      throw new HermitError('usage', `${shown} changed while hermit read it, or is not a regular file`, 'Try again when nothing is writing the build context');
    }
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

function openDir(p: string, shown: string): number {
  try {
    return openSync(p, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (e) {
    throw new HermitError('usage', `${shown} could not be opened as a folder: ${(e as Error).message}`,
      'The build context must be a folder (not a link to one); point build.context at the folder itself');
  }
}

/**
 * Reads the build inputs and checks the Dockerfile (no ADD of a remote source). Files and folders
 * that .dockerignore leaves out are not read (the Dockerfile and .dockerignore are always sent, as
 * the docker CLI does); sockets, fifos and devices are refused.
 */
export function snapshotBuildInputs(build: ImageBuild): BuildInputs {
  const dockerfileFile = build.dockerfile ?? path.join(build.context, 'Dockerfile');
  const inside = dockerfileInContext(build);
  const root = openDir(build.context, `build.context ${build.context}`);
  const entries: ContextEntry[] = [];
  const data = new Map<string, Buffer>();
  const writers: string[] = [];
  const noteWriter = (w: string | undefined) => { if (w) writers.push(w); };
  try {
    // Read once: the patterns applied are those of the bytes sent.
    const ignoreStat = (() => { try { return lstatSync(fdPath(root, '.dockerignore')); } catch { return undefined; } })();
    const ignoreBytes = ignoreStat && readRegular(fdPath(root, '.dockerignore'), path.join(build.context, '.dockerignore'), ignoreStat);
    const ignoreText = ignoreBytes?.toString('utf8') ?? '';
    let patterns;
    try {
      patterns = parseDockerignore(ignoreText);
    } catch (e) {
      throw new HermitError('usage', `${path.join(build.context, (e as Error).message)}`, 'Fix the pattern in .dockerignore');
    }
    const exceptions = hasExceptions(patterns);
    const alwaysSent = new Set(['.dockerignore', ...(inside ? [inside] : [])]);
    const onTheWay = (rel: string) => [...alwaysSent].some((a) => a.startsWith(`${rel}/`));

    const walk = (dirFd: number, rel: string) => {
      for (const name of readdirSync(fdPath(dirFd)).sort()) {
        const relPath = rel ? `${rel}/${name}` : name;
        const abs = path.join(build.context, relPath);
        const left = isIgnored(patterns, relPath) && !alwaysSent.has(relPath);
        const st = lstatSync(fdPath(dirFd, name));
        if (st.isDirectory()) {
          if (left && !exceptions && !onTheWay(relPath)) continue;
          const fd = openDir(fdPath(dirFd, name), abs);
          try {
            const fst = fstatSync(fd);
            if (fst.ino !== st.ino || fst.dev !== st.dev) throw new HermitError('usage', `${abs} changed while hermit read it`, 'Try again when nothing is writing the build context');
            if (!left) {
              noteWriter(entryWriter(abs, st));
              entries.push({ path: relPath, type: 'dir', mode: st.mode & 0o7777, mtime: Math.floor(st.mtimeMs / 1000), digest: '' });
            }
            walk(fd, relPath);
          } finally {
            closeSync(fd);
          }
          continue;
        }
        if (left) continue;
        noteWriter(entryWriter(abs, st));
        const mtime = Math.floor(st.mtimeMs / 1000);
        if (st.isSymbolicLink()) {
          const target = readlinkSync(fdPath(dirFd, name));
          data.set(relPath, Buffer.from(target));
          entries.push({ path: relPath, type: 'symlink', mode: 0o777, mtime, digest: sha256(target) });
        } else if (st.isFile()) {
          const bytes = relPath === '.dockerignore' && ignoreBytes && st.ino === ignoreStat!.ino ? ignoreBytes : readRegular(fdPath(dirFd, name), abs, st);
          data.set(relPath, bytes);
          entries.push({ path: relPath, type: 'file', mode: st.mode & 0o7777, mtime, digest: sha256(bytes) });
        } else {
          throw new HermitError('usage', `${abs} is not a file, folder or link (a socket, fifo or device): it cannot go into an image build`,
            `Remove it from ${build.context}, or leave it out with a line in ${path.join(build.context, '.dockerignore')}`);
        }
      }
    };
    walk(root, '');
  } finally {
    closeSync(root);
  }

  let dockerfileText: string;
  if (inside) {
    const e = entries.find((x) => x.path === inside);
    if (e?.type !== 'file') {
      throw new HermitError('usage', `${dockerfileFile} is ${e ? 'not a regular file' : 'missing'}`, 'Point build.dockerfile at the Dockerfile itself (not a link to it)');
    }
    dockerfileText = data.get(inside)!.toString('utf8');
  } else {
    const bytes = readRegular(dockerfileFile, dockerfileFile);
    if (entries.some((e) => e.path === OUTSIDE_DOCKERFILE)) {
      throw new HermitError('usage', `${path.join(build.context, OUTSIDE_DOCKERFILE)} is in the build context, where hermit puts the Dockerfile from outside it`, 'Rename that file, or move the Dockerfile into the context');
    }
    dockerfileText = bytes.toString('utf8');
  }
  checkDockerfile(dockerfileText, dockerfileFile);
  // The context's folder and the Dockerfile, with the folders on the way to them; then what is inside.
  const all = [...new Set([...otherWriters(build.context), ...otherWriters(dockerfileFile), ...writers])];
  const shownWriters = all.length > MAX_WRITERS ? [...all.slice(0, MAX_WRITERS), `(and ${all.length - MAX_WRITERS} more entries of ${build.context})`] : all;
  return {
    build,
    dockerfile: { file: dockerfileFile, text: dockerfileText, digest: `sha256:${sha256(dockerfileText)}` },
    entries,
    digest: inputsDigest(dockerfileText, entries),
    writers: shownWriters,
    data,
  };
}

/** The context as `docker build -` reads it: the entries as read, and a Dockerfile from outside put in under OUTSIDE_DOCKERFILE (named in .dockerignore, so COPY . leaves it out, as the docker CLI does). */
export function contextTar(inputs: BuildInputs): Buffer {
  const tar: TarEntry[] = inputs.entries.map((e) => ({
    path: e.path, type: e.type, mode: e.mode, mtime: e.mtime,
    ...(e.type === 'file' ? { data: inputs.data.get(e.path)! } : e.type === 'symlink' ? { target: inputs.data.get(e.path)!.toString() } : {}),
  }));
  if (!dockerfileInContext(inputs.build)) {
    const now = Math.floor(Date.now() / 1000);
    const ignore = tar.find((e) => e.path === '.dockerignore' && e.type === 'file');
    const ignoreText = `${ignore ? Buffer.from(ignore.data!).toString() : ''}\n${OUTSIDE_DOCKERFILE}\n`;
    if (ignore) ignore.data = Buffer.from(ignoreText);
    else tar.push({ path: '.dockerignore', type: 'file', mode: 0o600, mtime: now, data: Buffer.from(ignoreText) });
    tar.push({ path: OUTSIDE_DOCKERFILE, type: 'file', mode: 0o600, mtime: now, data: Buffer.from(inputs.dockerfile.text) });
  }
  return tarArchive(tar);
}

/** What changed in the context since an approved version: paths added, removed, changed. */
export function compareEntries(approved: Record<string, string>, now: readonly ContextEntry[]): { added: string[]; removed: string[]; changed: string[] } {
  const current = new Map(now.map((e) => [e.path, entryText(e)]));
  return {
    added: [...current.keys()].filter((p) => !(p in approved)),
    removed: Object.keys(approved).filter((p) => !current.has(p)).sort(),
    changed: [...current].filter(([p, t]) => p in approved && approved[p] !== t).map(([p]) => p),
  };
}

/** The entries in their stored form: path → entryText. */
export const entryRecord = (entries: readonly ContextEntry[]) => Object.fromEntries(entries.map((e) => [e.path, entryText(e)]));
