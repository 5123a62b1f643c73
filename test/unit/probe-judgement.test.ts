import { describe, expect, it } from 'vitest';
import { retryOutage } from '../../src/probe/retry.js';
import type { ProbeReport, ProbeRow } from '../../src/probe/types.js';
import { type Judgement, consequence, judge, outageDelayMs } from '../../src/probe/judgement.js';

const row = (target: string, expected: ProbeRow['expected'], ok: boolean, failure?: ProbeRow['failure']): ProbeRow =>
  ({ id: target, kind: expected === 'resolves' ? 'dns' : 'tcp', target, reason: '', expected, observed: ok ? 'as expected' : 'not', ok, ...(failure ? { failure } : {}) });
const report = (...rows: ProbeRow[]): ProbeReport => ({ container: 'c', profile: 'p', ok: rows.length > 0 && rows.every((r) => r.ok), rows });

const blockedOk = row('router:80', 'blocked', true);
const breach = row('nas:22', 'blocked', false, 'breach');
const down = row('internet.test:80', 'reachable', false, 'outage');
const dnsDown = row('internet.test via 192.168.50.1', 'resolves', false, 'outage');

describe('judge: breach vs outage', () => {
  it('proven when every row is as expected', () => {
    expect(judge(report(blockedOk, row('x:80', 'reachable', true)))).toEqual({ kind: 'proven' });
  });
  it('an outage when only what must answer did not', () => {
    expect(judge(report(blockedOk, down, dnsDown))).toEqual({ kind: 'outage', why: 'internet.test:80: expected reachable, observed not; internet.test via 192.168.50.1: expected resolves, observed not' });
  });
  it('a breach wins over an outage, and names only the breached rows', () => {
    expect(judge(report(down, breach))).toEqual({ kind: 'breach', why: 'nas:22: expected blocked, observed not' });
  });
  it('a failed row without a tag (recorded by an older hermit) counts as a breach; no rows prove nothing', () => {
    expect(judge(report(row('x:80', 'reachable', false))).kind).toBe('breach');
    expect(judge(report()).kind).toBe('unproven');
  });
});

describe('consequence: what happens to the container, and the exit code', () => {
  const outage: Judgement = { kind: 'outage', why: '' };
  const br: Judgement = { kind: 'breach', why: '' };
  const unrun: Judgement = { kind: 'unproven', why: '' };
  it.each([
    [br, 'stop', 'warn', { stop: true, exitCode: 5 }],
    [br, 'warn', 'stop', { stop: false, exitCode: 5, because: 'probe.onFailure: warn' }],
    [unrun, 'stop', 'warn', { stop: true, exitCode: 5 }],
    [outage, 'stop', 'warn', { stop: false, exitCode: 6, because: 'probe.onOutage: warn' }],
    [outage, 'warn', 'stop', { stop: true, exitCode: 5, because: 'probe.onOutage: stop' }],
    [{ kind: 'proven' } as Judgement, 'stop', 'stop', { stop: false, exitCode: 0 }],
  ] as const)('%o with onFailure %s, onOutage %s', (j, onFailure, onOutage, expected) => {
    expect(consequence(j, { onFailure, onOutage })).toEqual(expected);
  });
});

describe('retrying an outage', () => {
  it('waits 1, 2, 4, then 8 s between attempts, within the retry window', () => {
    expect([1, 2, 3, 4, 5].map((n) => outageDelayMs(n, 0, 60))).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(outageDelayMs(1, 0, 0)).toBeUndefined();
    expect(outageDelayMs(3, 17_000, 20)).toBeUndefined(); // 17 s + 4 s would pass 20 s
    expect(outageDelayMs(3, 16_000, 20)).toBe(4000);
  });

  it('probes again while it is an outage, and stops at once at a proof or a breach', async () => {
    const waits: number[] = [];
    const seq = [report(down), report(dnsDown), report(blockedOk)];
    const r = await retryOutage(async () => seq.shift()!, judge, 60, () => undefined, async (ms) => { waits.push(ms); });
    expect({ attempts: r.attempts, kind: r.judgement?.kind, waits }).toEqual({ attempts: 3, kind: 'proven', waits: [1000, 2000] });

    const b = [report(down), report(breach), report(blockedOk)];
    const rb = await retryOutage(async () => b.shift()!, judge, 60, () => undefined, async () => undefined);
    expect({ attempts: rb.attempts, kind: rb.judgement?.kind }).toEqual({ attempts: 2, kind: 'breach' });
  });

  it('gives up when the window is over, and never retries with no window', async () => {
    const retried: number[] = [];
    const r = await retryOutage(async () => report(down), judge, 0, (_j, n) => retried.push(n), async () => undefined);
    expect({ attempts: r.attempts, kind: r.judgement?.kind, retried }).toEqual({ attempts: 1, kind: 'outage', retried: [] });
  });
});
