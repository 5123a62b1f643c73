// Pinned bind sources, the effects (the plan is src/plan/binds.ts): each source is opened without
// following a link, checked to be exactly the path approved, and bound from that open file onto
// hermit's own folder, so nothing is looked up by name between the check and the mount.
import { chmodSync, closeSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, rmdirSync, statSync, unlinkSync, writeFileSync, constants, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HermitError } from '../errors.js';
import { type BindAction, type BindFact, type PinnedMount, bindsDir, inPlace } from '../plan/binds.js';
import { otherWriters } from '../profile/writers.js';
import { stateDir } from '../state/store.js';
import type { Step, StepContext } from './steps.js';
import { type Command, type Runner, hostRunner, runOk } from './exec.js';

/** Linux's O_PATH: opens the object itself, reading nothing (a FIFO does not block). Node adds O_CLOEXEC. */
const O_PATH = 0o10000000;
const MAX_LINKS = 40;

const idOf = (st: Pick<Stats, 'dev' | 'ino'>) => `${st.dev}:${st.ino}`;

/**
 * The path the source must have when opened: the path as approved, with only those links
 * resolved that root alone could have put there (their folder, and every folder above it, is
 * root's: /home → /data/home, /var/run → /run). Any other link on the way is refused: the agent
 * usually runs as the user's uid, so whatever the user could write, it may have written.
 */
export function approvedPath(pin: PinnedMount): string {
  const queue = pin.source.split('/').filter((s) => s !== '' && s !== '.');
  let at = '/';
  for (let links = 0; queue.length > 0;) {
    const name = queue.shift()!;
    if (name === '..') { at = dirname(at); continue; }
    const p = join(at, name);
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch {
      return join(p, ...queue); // missing from here on: the open says so
    }
    if (!st.isSymbolicLink()) { at = p; continue; }
    const to = readlinkSync(p);
    const writers = otherWriters(at);
    if (writers.length > 0 || ++links > MAX_LINKS) {
      throw refused(pin, `${p} is a symbolic link (→ ${to})${writers.length > 0 ? `, and ${writers[0]}` : ''}: Docker would follow it at every start, wherever it points then`,
        `If you made that link, write the folder it points to in the profile instead, and approve that; if you did not, the agent may have: remove it (rm ${p}) and put the folder back`);
    }
    if (to.startsWith('/')) at = '/';
    queue.unshift(...to.split('/').filter((s) => s !== '' && s !== '.'));
  }
  return at;
}

const refused = (pin: PinnedMount, why: string, hint: string) =>
  new HermitError('usage', `${pin.key}: ${pin.source} cannot be mounted: ${why}`, hint, ['container', 'mounts', pin.index]);

export interface OpenedSource { fd: number; path: string; id: string; dir: boolean }

/** Opens the approved path without following anything, and checks that what opened is that very
 * path (a link swapped in on the way makes them differ). Undefined when it does not exist. */
export function openSource(pin: PinnedMount, path = approvedPath(pin)): OpenedSource | undefined {
  let fd: number;
  try {
    fd = openSync(path, O_PATH | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw refused(pin, (e as Error).message, 'Check the path in the profile');
  }
  try {
    const st = fstatSync(fd);
    const real = readlinkSync(`/proc/self/fd/${fd}`);
    if (st.isSymbolicLink() || real !== path) {
      throw refused(pin, `${path} changed while hermit opened it (${st.isSymbolicLink() ? 'it is a symbolic link' : `it opened as ${real}`})`,
        'Something is replacing folders on the way to it (the agent?); look at the path, then run again');
    }
    return { fd, path, id: idOf(st), dir: st.isDirectory() };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Opens the source, creating it first as Docker does for a missing bind source (a root-owned
 * folder), inside its parent as opened and checked, never through a path looked up again. */
function openOrCreate(pin: PinnedMount): OpenedSource {
  const path = approvedPath(pin);
  const found = openSource(pin, path);
  if (found) return found;
  const parent = openSource({ ...pin, source: dirname(path) }, dirname(path));
  if (!parent?.dir) throw refused(pin, `${dirname(path)} does not exist`, `Create it (mkdir -p ${path}) or remove the mount from the profile`);
  try {
    mkdirSync(`/proc/self/fd/${parent.fd}/${basename(path)}`, { mode: 0o755 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw refused(pin, `cannot create it: ${(e as Error).message}`, `Create it (mkdir -p ${path})`);
  } finally {
    closeSync(parent.fd);
  }
  const made = openSource(pin, path);
  if (!made) throw refused(pin, 'it disappeared right after hermit created it', 'Run again');
  return made;
}

/** Where something is mounted on this host (mountinfo's mount points, unescaped). */
function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean)
    .map((l) => l.split(' ')[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}
const isMounted = (target: string) => mountPoints().includes(target);

const statId = (p: string) => { try { return idOf(statSync(p)); } catch { return undefined; } };

/** What the run and the guard compare: each source checked (a refusal is kept, for the plan or the
 * guard to report), and what its target shows now; with `profile`, also the profile's targets no
 * pin names (a mount removed from the profile). */
export function bindFacts(pins: PinnedMount[], profile?: string): BindFact[] {
  const leftover = (profile === undefined ? [] : boundTargets(profile)).filter((t) => !pins.some((p) => p.target === t));
  const mounted = new Set(mountPoints());
  return [...leftover.map((target) => ({ target, bound: mounted.has(target) })), ...pins.map((pin) => {
    const shown = statId(pin.target);
    const fact: BindFact = { target: pin.target, bound: mounted.has(pin.target), ...(shown ? { mounted: shown } : {}) };
    try {
      const src = openSource(pin);
      if (src) { closeSync(src.fd); fact.source = src.id; }
    } catch (e) {
      if (!(e instanceof HermitError)) throw e;
      fact.refused = { message: e.message, hint: e.hint ?? '' };
    }
    return fact;
  })];
}

export const bindCommand = (target: string, source: string, fd?: number): Command =>
  ({ file: 'mount', args: ['--no-canonicalize', '--bind', '/proc/self/fd/3', target], fd3: { path: source, ...(fd === undefined ? {} : { fd }) } });

export const unbindCommand = (target: string): Command => ({ file: 'umount', args: [target] });

/** Unmounts everything at the target (lazily when busy). */
async function unmountAll(target: string, runner: Runner): Promise<void> {
  for (let i = 0; i < 8 && isMounted(target); i++) {
    const r = await runner.run(unbindCommand(target));
    if (r.exitCode !== 0) await runOk(runner, { file: 'umount', args: ['--lazy', target] });
  }
  if (isMounted(target)) throw new HermitError('apply', `cannot unmount ${target}`, `See what holds it: grep ${target} /proc/self/mountinfo`);
}

/** An empty mount point of the source's kind, root's only. */
function placeholder(target: string, dir: boolean): void {
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  // Docker may have made them first (a container created ahead of its binds), with its own mode.
  for (const d of [dirname(target), dirname(dirname(target))]) chmodSync(d, 0o700);
  let st: Stats | undefined;
  try { st = lstatSync(target); } catch { st = undefined; }
  if (st && st.isDirectory() !== dir) {
    if (st.isDirectory()) rmdirSync(target); else unlinkSync(target);
    st = undefined;
  }
  if (!st) {
    if (dir) mkdirSync(target, { mode: 0o700 });
    else writeFileSync(target, '', { mode: 0o600, flag: 'wx' });
  }
}

/** Binds the checked source at its target (replacing a stale bind), and checks the result. */
export async function bind(pin: PinnedMount, runner: Runner): Promise<void> {
  const src = openOrCreate(pin);
  try {
    await unmountAll(pin.target, runner);
    placeholder(pin.target, src.dir);
    await runOk(runner, bindCommand(pin.target, src.path, src.fd));
    if (statId(pin.target) !== src.id) {
      await unmountAll(pin.target, runner);
      throw new HermitError('apply', `${pin.key}: the bind of ${pin.source} at ${pin.target} shows something else`, 'Run again; if it persists, report it');
    }
  } finally {
    closeSync(src.fd);
  }
}

/** Unmounts a target and removes it (and the profile's folder once empty), never recursively (a bind still there would be the user's data). */
export async function unbind(target: string, runner: Runner): Promise<void> {
  await unmountAll(target, runner);
  let st: Stats | undefined;
  try { st = lstatSync(target); } catch { st = undefined; }
  if (st?.isDirectory()) rmdirSync(target); else if (st) unlinkSync(target);
  try { rmdirSync(dirname(target)); } catch { /* the profile's other binds are still there */ }
}

/** The bind steps of a run: a failed run unbinds what it bound. The command shown is the bind
 * itself; it runs with the source opened and checked, and the result checked (bind). */
export function bindSteps(actions: BindAction[], ctx: StepContext): Step[] {
  const { runner } = ctx;
  return actions.flatMap((a) => (a.kind === 'keep' ? [] : [{
    title: `Mount source: ${a.reason}`,
    actions: [a.kind === 'unbind'
      // No undo: nothing the profile mounts now uses it.
      ? { cmd: unbindCommand(a.target), exec: () => unbind(a.target, runner).then(() => ''), changes: [a.reason] }
      : {
        cmd: bindCommand(a.pin.target, a.pin.source),
        exec: () => bind(a.pin, runner).then(() => ''),
        undo: () => ({ what: `unbind ${a.pin.target}`, run: () => unbind(a.pin.target, runner) }),
        changes: [a.reason],
      }],
  }]));
}

/** A profile's pinned targets present on this host (for down), by name alone. */
export function boundTargets(profile: string): string[] {
  const dir = bindsDir(stateDir(), profile);
  try {
    return readdirSync(dir).sort().map((n) => join(dir, n));
  } catch {
    return [];
  }
}


/**
 * At boot, before dockerd starts restart-policy containers: every recorded pin bound again from
 * its approved path. A source that cannot be checked leaves its target an empty root-only folder:
 * the container starts with an empty mount, never with what a link points to.
 */
export async function bootBind(profile: string, pins: PinnedMount[], log: (line: string) => void, runner: Runner = hostRunner): Promise<boolean> {
  let ok = true;
  for (const pin of pins) {
    try {
      if (inPlace(bindFacts([pin])[0])) { log(`${profile}: ${pin.source} already bound at ${pin.target}`); continue; }
      await bind(pin, runner);
      log(`${profile}: bound ${pin.source} at ${pin.target}`);
    } catch (e) {
      ok = false;
      log(`${profile}: FAILED to bind ${pin.source} (${(e as Error).message.split('\n')[0]}); ${pin.target} stays empty`);
      await unmountAll(pin.target, runner).catch(() => undefined);
      try { placeholder(pin.target, true); } catch { /* a file placeholder stays as it is */ }
    }
  }
  return ok;
}
