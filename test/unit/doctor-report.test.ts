// The doctor's report: areas and checks with failures first, fixes under failures and warnings,
// and --compare printing only what differs (timings are not differences).
import { describe, expect, it } from 'vitest';
import { buildReport, compareReports, parseReport, renderReport } from '../../src/doctor/report.js';
import type { Check, Snapshot } from '../../src/doctor/types.js';

const snap = { format: 'hermit-doctor-evidence/1', takenAt: '2026-11-23T10:00:00.000Z', hostname: 'box', uid: 0, sources: {}, vantages: [] } as Snapshot;
const c = (id: string, status: Check['status'], summary: string, extra: Partial<Check> = {}): Check =>
  ({ id, area: id.split('.')[0] as Check['area'], title: id, status, summary, evidence: [], ...extra });

const checks = [
  c('host.system', 'ok', 'Debian 12, kernel 6.1, Docker 28.2.2', { evidence: ['kernel: 6.1'] }),
  c('host.ip-forward', 'fail', 'net.ipv4.ip_forward is 0', { evidence: ['/proc/sys/net/ipv4/ip_forward = 0'], fix: 'sysctl -w net.ipv4.ip_forward=1' }),
  c('network.bridge', 'skipped', 'no profile given'),
  c('proxy.consistency', 'warn', 'the shell uses a proxy but the Docker daemon does not', { fix: 'give dockerd the proxy' }),
  c('connectivity.dns.host', 'ok', '2 lookups answered', { evidence: ['internet.test via 192.168.50.1: answered 203.0.113.10 in 12 ms'] }),
];

describe('renderReport', () => {
  const report = buildReport(snap, checks, 'agent');

  it('counts, and fails the report when any check fails', () => {
    expect(report).toMatchObject({ ok: false, profile: 'agent', counts: { fail: 1, warn: 1, ok: 2, skipped: 1 } });
    expect(buildReport(snap, checks.filter((x) => x.status !== 'fail')).ok).toBe(true);
  });

  it('groups by area, failing areas first, failures first within an area, each with evidence and fix', () => {
    const text = renderReport(report);
    const lines = text.split('\n');
    expect(lines[0]).toBe('hermit doctor (profile agent) on box, 2026-11-23 10:00:00 UTC');
    expect(lines[1]).toBe('1 failed, 1 warning, 2 ok, 1 skipped');
    const areas = lines.filter((l) => /^[A-Z]+$/.test(l));
    expect(areas).toEqual(['HOST', 'PROXY', 'CONNECTIVITY', 'NETWORK']);
    const host = text.slice(text.indexOf('HOST'), text.indexOf('PROXY'));
    expect(host.indexOf('FAIL  host.ip-forward')).toBeLessThan(host.indexOf('ok    host.system'));
    expect(host).toContain('/proc/sys/net/ipv4/ip_forward = 0');
    expect(host).toContain('→ fix: sysctl -w net.ipv4.ip_forward=1');
    expect(host).not.toContain('kernel: 6.1'); // evidence of ok checks only with --verbose
    expect(renderReport(report, { verbose: true })).toContain('kernel: 6.1');
    expect(text).toContain('skip  network.bridge');
  });
});

describe('compareReports', () => {
  const a = buildReport(snap, checks.map((x) => (x.id === 'host.ip-forward' ? c(x.id, 'ok', 'net.ipv4.ip_forward is 1', { evidence: ['/proc/sys/net/ipv4/ip_forward = 1'] }) : x)));
  const b = buildReport({ ...snap, hostname: 'broken' }, checks.map((x) => (x.id === 'connectivity.dns.host'
    ? { ...x, evidence: ['internet.test via 192.168.50.1: answered 203.0.113.10 in 97 ms'] } : x)));

  it('prints only the checks that differ, with both summaries, the evidence of each side and the fix', () => {
    const { text, differences } = compareReports(parseReport(JSON.stringify(a), 'a.json'), parseReport(JSON.stringify(b), 'b.json'), ['a.json', 'b.json']);
    expect(differences).toBe(1);
    expect(text).toContain('host.ip-forward (host.ip-forward): ok → fail');
    expect(text).toContain('  a: net.ipv4.ip_forward is 1\n  b: net.ipv4.ip_forward is 0');
    expect(text).toContain('  - /proc/sys/net/ipv4/ip_forward = 1\n  + /proc/sys/net/ipv4/ip_forward = 0');
    expect(text).toContain('→ fix (b): sysctl -w net.ipv4.ip_forward=1');
    expect(text).not.toContain('connectivity.dns.host'); // 12 ms vs 97 ms is not a difference
    expect(text).not.toContain('host.system');
    expect(text).toContain('1 of 5 checks differ');
  });

  it('says so when nothing differs, and refuses files that are not reports', () => {
    expect(compareReports(a, a, ['a', 'a']).text).toContain('No differences: all 5 checks');
    expect(() => parseReport('{"checks": []}', 'x.json')).toThrow(/not a report of hermit doctor --json/);
    expect(() => parseReport('nope', 'x.json')).toThrow(/not JSON/);
  });
});
