// Writing a file into a folder someone else may write (a project folder is the agent's workspace):
// never through a name already there, nor through a link put in place of the folder. A link at
// the file's name would send the write to wherever it points (~/.bashrc, /etc/...).
import { closeSync, constants, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { HermitError } from './errors.js';

export interface CreateOptions {
  /** Replace a file already there: a new file is written beside it and renamed over the name
   * (rename replaces a link, it never writes through one). Without it an existing name is refused. */
  replace?: boolean;
  /** Create the folder first if missing (one level). */
  makeDir?: boolean;
  mode?: number;
}

/**
 * Creates `file` holding `text`: O_CREAT|O_EXCL (fails on any existing name, a dangling link
 * included), in its folder as opened without following a link (O_NOFOLLOW), reached through
 * /proc/self/fd so that nothing can swap the folder between the check and the write.
 */
export function createFile(file: string, text: string, opts: CreateOptions = {}): void {
  const dir = path.dirname(path.resolve(file));
  const base = path.basename(file);
  if (opts.makeDir) {
    try {
      mkdirSync(dir, { mode: 0o755 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  let dirFd: number;
  try {
    dirFd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOTDIR') throw new HermitError('usage', `${dir} is not a folder but a link or a file; hermit does not write through links; nothing was written`, `Remove it (rm ${dir}) and try again`);
    throw err;
  }
  const inDir = (name: string) => `/proc/self/fd/${dirFd}/${name}`;
  try {
    if (!opts.replace) return writeExclusive(inDir(base), text, opts.mode, file);
    const tmp = `.${base}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      writeExclusive(inDir(tmp), text, opts.mode, path.join(dir, tmp));
      renameSync(inDir(tmp), inDir(base));
    } finally {
      rmSync(inDir(tmp), { force: true });
    }
  } finally {
    closeSync(dirFd);
  }
}

function writeExclusive(at: string, text: string, mode = 0o644, shown: string): void {
  let fd: number;
  try {
    fd = openSync(at, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new HermitError('usage', `${shown} already exists (a file or a link); nothing was written`, `Remove it (rm ${shown}) and try again`);
    throw err;
  }
  try {
    const buf = Buffer.from(text);
    for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off);
  } finally {
    closeSync(fd);
  }
}
