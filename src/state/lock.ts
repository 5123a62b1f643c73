// The host-wide lock around read → plan → apply of hermit's rules. Payloads are planned from an
// iptables-save dump; two writers planning from the same dump would delete each other's lines or
// insert twice. The xtables lock (--wait) only serialises single restores, not read-then-write.
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
