// The host-wide lock around read → plan → apply of hermit's rules. Payloads are planned from an
// iptables-save dump; two writers planning from the same dump would delete each other's lines or
// insert twice. The xtables lock (--wait) only serialises single restores, not read-then-write.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HermitError } from '../errors.js';
import { stateDir } from './store.js';

const lockFile = () => join(stateDir(), '.lock');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Runs `fn` holding the lock; a holder that died is noticed and its lock taken over. */
export async function withHostLock<T>(fn: () => Promise<T>, timeoutMs = 10 * 60_000): Promise<T> {
  await mkdir(stateDir(), { recursive: true, mode: 0o700 });
  const end = Date.now() + timeoutMs;
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    try {
      const fh = await open(lockFile(), 'wx', 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = Number(await readFile(lockFile(), 'utf8').catch(() => ''));
    // An empty file is a holder between open and write: wait for it, unless it stays so.
    if (holder > 0 && !alive(holder)) { await rm(lockFile(), { force: true }); continue; }
    if (Date.now() > end) {
      throw new HermitError('host', `another hermit (pid ${holder || 'unknown'}) has held ${lockFile()} for ${Math.round(timeoutMs / 1000)} s`,
        `If no hermit is running, remove ${lockFile()}`);
    }
    await sleep(wait);
  }
  try {
    return await fn();
  } finally {
    await rm(lockFile(), { force: true });
  }
}

// One guard per profile: a running `hermit guard` claims the profiles it guards (or all of them),
// and a second one for the same profile says which process holds it and does not start.
const claimsDir = () => join(stateDir(), '.guard');
const ALL = 'all-profiles';

/** A process's start time (clock ticks since boot): with the pid, it names one process even after pid reuse. */
function startTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

interface Claim { pid: number; start: string; command: string }

function liveClaim(key: string): Claim | undefined {
  try {
    const c = JSON.parse(readFileSync(join(claimsDir(), `${key}.json`), 'utf8')) as Claim;
    return startTicks(c.pid) === c.start ? c : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Claims `profiles` (or, empty, every profile) for this process's guard. Refuses, with the holder,
 * when another live guard holds one of them, or guards every profile. Claims of processes that are
 * gone are taken over; this process's claims go when it exits.
 */
export async function claimGuard(profiles: string[]): Promise<void> {
  await mkdir(claimsDir(), { recursive: true, mode: 0o700 });
  const keys = profiles.length > 0 ? profiles : [ALL];
  const me: Claim = { pid: process.pid, start: startTicks(process.pid) ?? '', command: process.argv.slice(1).join(' ') };
  const conflict = (onlyOlder = false) => {
    const others = profiles.length > 0 ? [ALL, ...profiles] : [ALL, ...readdirSync(claimsDir()).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5))];
    for (const key of others) {
      const c = liveClaim(key);
      const older = (x: Claim) => Number(x.start) < Number(me.start) || (x.start === me.start && x.pid < me.pid);
      if (c && c.pid !== process.pid && (!onlyOlder || older(c))) return { key, c };
    }
    return undefined;
  };
  const refuse = (found: { key: string; c: Claim }) => new HermitError('usage',
    `${found.key === ALL ? 'every profile' : `profile '${found.key}'`} is already guarded by pid ${found.c.pid} (${found.c.command})`,
    `Only one guard per profile runs at a time; stop that one first (systemctl stop hermit-guard, or kill ${found.c.pid})`);
  const before = conflict();
  if (before) throw refuse(before);
  for (const key of keys) writeFileSync(join(claimsDir(), `${key}.json`), JSON.stringify(me), { mode: 0o600 });
  process.on('exit', () => { for (const key of keys) if (liveClaim(key)?.pid === process.pid) rmSync(join(claimsDir(), `${key}.json`), { force: true }); });
  // Two guards starting at once both wrote: the one that started later backs off.
  const after = conflict(true);
  if (after) {
    for (const key of keys) rmSync(join(claimsDir(), `${key}.json`), { force: true });
    throw refuse(after);
  }
}
