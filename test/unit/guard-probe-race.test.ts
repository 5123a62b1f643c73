import { describe, expect, it } from 'vitest';
import { probeCurrentProcess } from '../../src/guard/guard.js';
import type { ExistingContainer } from '../../src/plan/host-facts.js';
import type { ProbeReport } from '../../src/probe/types.js';

// A pid no process has (above the kernel's pid_max ceiling of 2^22).
const GONE = 4_194_305;
const report = { ok: true, rows: [] } as unknown as ProbeReport;
const gone = () => Promise.reject(new Error('cannot enter the network namespace: the process is gone'));
const state = (s: Partial<ExistingContainer>): ExistingContainer => ({
  id: 'c1', name: 'agent', running: true, pid: GONE, status: 'running', image: 'sha256:x', startedAt: '',
  labels: {}, networks: [], restartPolicy: 'always', ...s,
});

describe('probing a container that restarts during the guard pass', () => {
  it('a stopped container has nothing to prove: no failure, a line that says so', async () => {
    const lines: string[] = [];
    const r = await probeCurrentProcess('c1', GONE, gone, (l) => lines.push(l), 'p', async () => state({ running: false, status: 'exited', pid: 0 }));
    expect(r).toEqual({ notRunning: true });
    expect(lines).toEqual(['p: the container stopped during the pass (exited); nothing to probe until it starts again']);
  });

  it('a restarted container: its new process is probed once Docker reports it', async () => {
    const views = [state({}), state({ running: false, status: 'restarting', pid: 0 }), state({ pid: process.pid })];
    const probed: number[] = [];
    const r = await probeCurrentProcess('c1', GONE, (pid) => { probed.push(pid); return pid === process.pid ? Promise.resolve(report) : gone(); },
      () => undefined, 'p', async () => views.shift() ?? state({ pid: process.pid }));
    expect(r).toEqual({ report });
    expect(probed).toEqual([GONE, process.pid]);
  });

  it('a probe that fails while its process is alive is a failed probe, not a race', async () => {
    let inspected = 0;
    const r = await probeCurrentProcess('c1', process.pid, () => Promise.reject(new Error('worker crashed')), () => undefined, 'p',
      async () => { inspected++; return state({ pid: process.pid }); });
    expect(r).toEqual({ failed: 'worker crashed' });
    expect(inspected).toBe(0);
  });
});
