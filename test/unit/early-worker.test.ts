// The early probe worker's refusals that need no root: without a folder, or with a file that never
// becomes a namespace, nothing starts and the probe goes the usual way. (The rest, in a real
// engine's namespaces, is test/e2e/early-worker.test.ts.)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEarlyWorker } from '../../src/probe/early-worker.js';
import type { ProbePlan } from '../../src/probe/types.js';

const plan = { request: { timeoutMs: 1000, tcp: [], dns: [] }, tcp: [], dns: [], ipv6Off: true } as unknown as ProbePlan;
const noWorker = '/nonexistent/worker.js';

describe('startEarlyWorker', () => {
  it('without a recorded folder, or with one that is not there, offers no worker', async () => {
    expect(await startEarlyWorker(undefined, plan).claim(process.pid)).toBeUndefined();
    expect(await startEarlyWorker('/nonexistent/netns', plan).claim(process.pid)).toBeUndefined();
  });

  it('offers no worker for a new file that is not a mounted namespace, nor for one that was there before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermit-netns-'));
    writeFileSync(join(dir, 'old'), '');
    const early = startEarlyWorker(dir, plan, { workerPath: noWorker });
    writeFileSync(join(dir, 'new'), '');
    await new Promise((r) => setTimeout(r, 50));
    expect(await early.claim(process.pid)).toBeUndefined();
    early.dispose();
  });
});
