// One guard per profile: claims in the state dir, held by live processes only.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { claimGuard } from '../../src/state/lock.js';

const start = (pid: number) => { const s = readFileSync(`/proc/${pid}/stat`, 'utf8'); return s.slice(s.lastIndexOf(')') + 2).split(' ')[19]; };

describe('claimGuard', () => {
  const other = spawn('sleep', ['60'], { stdio: 'ignore' });
  const prev = process.env.HERMIT_STATE_DIR;
  afterAll(() => {
    other.kill();
    if (prev === undefined) delete process.env.HERMIT_STATE_DIR;
    else process.env.HERMIT_STATE_DIR = prev;
  });
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hermit-claim-'));
    process.env.HERMIT_STATE_DIR = dir;
    mkdirSync(join(dir, '.guard'));
  });
  const claimBy = (key: string, pid: number, startTicks = start(pid)) =>
    writeFileSync(join(dir, '.guard', `${key}.json`), JSON.stringify({ pid, start: startTicks, command: 'hermit guard x' }));

  it('refuses a profile another live guard holds, naming it', async () => {
    claimBy('agent', other.pid!);
    await expect(claimGuard(['agent'])).rejects.toThrow(`profile 'agent' is already guarded by pid ${other.pid} (hermit guard x)`);
    await expect(claimGuard([])).rejects.toThrow(/already guarded by pid/);
    await expect(claimGuard(['other'])).resolves.toBeUndefined();
  });

  it('a guard of every profile holds each one', async () => {
    claimBy('all-profiles', other.pid!);
    await expect(claimGuard(['agent'])).rejects.toThrow(`every profile is already guarded by pid ${other.pid}`);
  });

  it('takes over a claim whose process is gone (or whose pid was reused)', async () => {
    claimBy('agent', other.pid!, '1');
    await expect(claimGuard(['agent'])).resolves.toBeUndefined();
    expect(JSON.parse(readFileSync(join(dir, '.guard', 'agent.json'), 'utf8')).pid).toBe(process.pid);
  });
});
