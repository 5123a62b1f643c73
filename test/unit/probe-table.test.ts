import { describe, expect, it } from 'vitest';
import { renderProbeTable } from '../../src/report/probe-table.js';
import type { ProbeReport, ProbeRow } from '../../src/probe/types.js';

const row = (r: Partial<ProbeRow> & Pick<ProbeRow, 'id' | 'target' | 'reason' | 'expected' | 'observed' | 'ok'>): ProbeRow => ({ kind: 'tcp', ...r });

const rows: ProbeRow[] = [
  row({ id: 'lan', target: '192.168.1.1:80', reason: 'blocked range 192.168.0.0/16', expected: 'blocked', observed: 'rejected (EHOSTUNREACH) 3 ms', ok: true }),
  row({ id: 'meta', target: '169.254.169.254:80', reason: 'cloud metadata', expected: 'blocked', observed: 'connection refused (ECONNREFUSED) 2 ms — the host answered, so it was reachable', ok: false }),
  row({ id: 'api', target: 'api.example.com:443', reason: 'allowed egress', expected: 'reachable', observed: 'connected 42 ms [93.184.216.34]', ok: true }),
  row({ id: 'dns', kind: 'dns', target: 'resolver 1.1.1.1', reason: 'declared resolver', expected: 'resolves', observed: 'answered NXDOMAIN 9 ms', ok: true }),
  row({ id: 'ipv6', kind: 'ipv6', target: 'IPv6 in the container', reason: 'profile turns IPv6 off', expected: 'off', observed: 'on: addresses fe80::1%eth0 (despite disable_ipv6=1)', ok: false }),
];
const report = (rs: ProbeRow[]): ProbeReport => ({ container: 'hermit-demo', profile: 'default', ok: rs.every((r) => r.ok), rows: rs });

describe('renderProbeTable', () => {
  it('plain: aligned columns, FAIL rows, summary naming the failures', () => {
    expect(renderProbeTable(report(rows))).toMatchInlineSnapshot(`
      "Isolation probe of hermit-demo (profile default)
            TARGET                 WHY                           EXPECTED   OBSERVED
      ok    192.168.1.1:80         blocked range 192.168.0.0/16  blocked    rejected (EHOSTUNREACH) 3 ms
      FAIL  169.254.169.254:80     cloud metadata                blocked    connection refused (ECONNREFUSED) 2 ms — the host answered, so it was reachable
      ok    api.example.com:443    allowed egress                reachable  connected 42 ms [93.184.216.34]
      ok    resolver 1.1.1.1       declared resolver             resolves   answered NXDOMAIN 9 ms
      FAIL  IPv6 in the container  profile turns IPv6 off        off        on: addresses fe80::1%eth0 (despite disable_ipv6=1)
      2 of 5 checks failed: 169.254.169.254:80, IPv6 in the container
      "
    `);
  });

  it('all as expected', () => {
    const out = renderProbeTable(report(rows.filter((r) => r.ok)));
    expect(out.trimEnd().split('\n').at(-1)).toBe('3 checks, all as expected');
  });

  it('colour only when asked, without breaking alignment', () => {
    expect(renderProbeTable(report(rows))).not.toMatch(/\x1b\[/);
    const colored = renderProbeTable(report(rows), { color: true });
    expect(colored).toMatch(/\x1b\[31m✗/);
    expect(colored).toMatch(/\x1b\[32m✓\x1b\[0m/);
    // eslint-disable-next-line no-control-regex
    const plainLines = colored.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
    const at = plainLines[1]?.indexOf('OBSERVED') ?? -1;
    expect(at).toBeGreaterThan(0);
    for (const l of plainLines.slice(2, 2 + rows.length)) expect(l.slice(at - 2, at + 1)).toMatch(/^  \S$/);
  });

  it('no rows is not a pass', () => {
    expect(renderProbeTable(report([]))).toContain('no checks were run');
  });
});

describe('renderProbeTable: an outage', () => {
  it('says so when only what must answer failed', () => {
    const down = row({ id: 'api', target: 'api.example.com:443', reason: 'must reach', expected: 'reachable', observed: 'no answer (timed out) 3000 ms', ok: false, failure: 'outage' });
    const text = renderProbeTable(report([rows[0]!, down]));
    expect(text.trimEnd().split('\n').at(-1)).toBe('1 of 2 checks failed: api.example.com:443 — an OUTAGE: nothing that must be blocked was reachable, but these did not answer');
  });
});
