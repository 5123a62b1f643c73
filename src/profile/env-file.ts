// container.envFile, read by hermit itself: docker would read it as root and follow a link the
// agent put in its place. Read where hermit runs as root (run, trust, the guard), never by
// `hermit validate`: the file may rightly be readable by root only. Its entries become part of
// what is approved (as digests, see approvalForm) and reach the container through hermit's own
// environment for the docker CLI, or the Engine API request: docker never opens a host path.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { HermitError } from '../errors.js';
import type { LoadedProfile } from './types.js';

const KEY = 'container.envFile';
const MAX_BYTES = 1 << 20;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names the docker CLI process hermit runs (as root) reads itself (PATH: which docker runs;
 * LD_*: what it loads; DOCKER_*: which engine, which config): values for the container travel in
 * that process's environment, where these would change what hermit's docker does. */
export const readByDockerClient = (name: string) => /^(PATH|LD_[A-Za-z0-9_]*|DOCKER_[A-Za-z0-9_]*)$/.test(name);

/**
 * Docker's env-file format (docker/cli opts/envfile.go), less what hermit refuses: a line is
 * NAME=value, the value taken literally to the end of the line (no quotes, no trimming, no
 * ${...}); leading white space is skipped; blank lines and lines starting with # are ignored; a
 * UTF-8 BOM at the start is dropped, and \r\n ends a line like \n. Refused: a line with only a
 * NAME (docker would copy hermit's own variable of that name), names that are not plain
 * variable names or that the docker CLI itself would read. Later lines win, as in docker.
 */
export function parseEnvFile(text: string, file: string): { values: Record<string, string>; problems: string[] } {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const at = `${file}:${i + 1}`;
    const eq = line.indexOf('=');
    const name = eq < 0 ? line.trimEnd() : line.slice(0, eq);
    if (!NAME.test(name)) {
      problems.push(`${at}: '${printableName(name)}' is not a variable name; write NAME=value, with a name of letters, digits and _ (not starting with a digit)`);
    } else if (eq < 0) {
      problems.push(`${at}: ${name} has no value (docker would copy hermit's own ${name}); write ${name}=value, or list ${name} under container.passEnv in the profile`);
    } else if (readByDockerClient(name)) {
      problems.push(`${at}: ${name} would also change the docker command hermit runs as root; set it inside the image, or under container.env where its value is shown for approval`);
    } else {
      values[name] = line.slice(eq + 1);
    }
  });
  return { values, problems };
}

const printableName = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);

/**
 * Reads and parses an env file, never through a link at its place (O_NOFOLLOW); it must be a
 * regular file with one name. Who may write it is the approval's business (otherWriters).
 */
export function readEnvFile(file: string): Record<string, string> {
  const refuse = (why: string, hint?: string) => new HermitError('usage', `${KEY} ${file}: ${why}`, hint);
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO put there does not hang hermit; it is refused below as not a regular file.
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') {
      throw refuse('is a symbolic link; hermit does not follow links at this place, since whoever can write the folder can point one at any file root can read',
        `Put the file itself at ${file}, or point ${KEY} in the profile at the real file`);
    }
    throw refuse(code === 'ENOENT' ? 'no such file' : (err as Error).message, `Create it, or remove ${KEY} from the profile`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw refuse('is not a regular file', `${KEY} must name a file of NAME=value lines`);
    if (st.nlink !== 1) throw refuse(`has ${st.nlink} names (hard links): another name could be the one changed`, `Give it a single name: copy it (cp --remove-destination) and point ${KEY} at the copy`);
    if (st.size > MAX_BYTES) throw refuse(`is larger than ${MAX_BYTES} bytes`, 'An env file holds NAME=value lines; check the path');
    const buf = Buffer.alloc(st.size);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, got));
    } catch {
      throw refuse('is not UTF-8 text (docker refuses it too)');
    }
    if (text.includes('\0')) throw refuse('holds a NUL byte, which no environment value can');
    const { values, problems } = parseEnvFile(text, file);
    if (problems.length > 0) throw new HermitError('usage', problems.join('\n'), `${KEY} holds NAME=value lines; see docs/profiles.md (Secrets)`);
    return values;
  } finally {
    closeSync(fd);
  }
}

/** The profile with its env file's entries read (container.envFileValues); as given when it has no
 * env file or they were read already, so the approval and the plan use one reading. */
export function withEnvFile(loaded: LoadedProfile): LoadedProfile {
  const c = loaded.profile.container;
  if (c.envFile === undefined || c.envFileValues !== undefined) return loaded;
  return { ...loaded, profile: { ...loaded.profile, container: { ...c, envFileValues: readEnvFile(c.envFile) } } };
}
