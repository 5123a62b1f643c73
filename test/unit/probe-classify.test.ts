import { describe, expect, it } from 'vitest';
import { classify } from '../../src/probe/classify.js';
import type { ExpectedTcp, ProbePlan, ProbeResponse } from '../../src/probe/types.js';

const meta = { container: 'hermit-demo', profile: 'default' };

const blocked = (id: string, host: string, reason: string): ExpectedTcp => ({
  probe: { id, host, port: 80 },
  expect: 'blocked',
  target: `${host}:80`,
  reason,
});

const plan: ProbePlan = {
  request: { timeoutMs: 1500, tcp: [], dns: [] },
  tcp: [
    blocked('lan', '192.168.1.1', 'blocked range 192.168.0.0/16'),
    blocked('meta', '169.254.169.254', 'cloud metadata'),
    blocked('gw', '172.30.0.1', 'host address (bridge gateway)'),
    blocked('ts', '100.100.1.1', 'blocked range 100.64.0.0/10'),
    blocked('ten', '10.0.0.1', 'blocked range 10.0.0.0/8'),
    { probe: { id: 'api', host: 'api.example.com', port: 443, resolver: '1.1.1.1' }, expect: 'reachable', target: 'api.example.com:443', reason: 'allowed egress' },
    { probe: { id: 'nas', host: '192.168.1.20', port: 445 }, expect: 'reachable', target: '192.168.1.20:445', reason: 'exception: NAS' },
    { probe: { id: 'gh', host: 'git.example.org', port: 443, resolver: '1.1.1.1' }, expect: 'reachable', target: 'git.example.org:443', reason: 'allowed egress' },
  ],
  dns: [
    { probe: { id: 'dns1', server: '1.1.1.1', name: 'example.com' }, target: 'resolver 1.1.1.1', reason: 'declared resolver' },
    { probe: { id: 'dns2', server: '9.9.9.9', name: 'example.com' }, target: 'resolver 9.9.9.9', reason: 'declared resolver' },
  ],
  ipv6Off: true,
};

const allGood: ProbeResponse = {
  tcp: [
    { id: 'lan', outcome: 'unreachable', code: 'EHOSTUNREACH', address: '192.168.1.1', ms: 3.2 },
    { id: 'meta', outcome: 'timeout', address: '169.254.169.254', ms: 1500 },
    { id: 'gw', outcome: 'unreachable', code: 'EHOSTUNREACH', address: '172.30.0.1', ms: 0.4 },
    { id: 'ts', outcome: 'unreachable', code: 'EHOSTUNREACH', address: '100.100.1.1', ms: 1003 },
    { id: 'ten', outcome: 'unreachable', code: 'EPERM', address: '10.0.0.1', ms: 2 },
    { id: 'api', outcome: 'connected', address: '93.184.216.34', ms: 41.6 },
    { id: 'nas', outcome: 'connected', address: '192.168.1.20', ms: 1.1 },
    { id: 'gh', outcome: 'connected', address: '140.82.121.4', ms: 20 },
  ],
  dns: [
    { id: 'dns1', outcome: 'answered', addresses: ['93.184.216.34'], ms: 12 },
    { id: 'dns2', outcome: 'nxdomain', addresses: [], code: 'ENOTFOUND', ms: 9 },
  ],
  ipv6: { disabled: true, addresses: [] },
};

const table = (r: ReturnType<typeof classify>): string[] => r.rows.map((x) => `${x.ok ? 'ok  ' : 'FAIL'} ${x.id}: ${x.expected} / ${x.observed}`);

describe('classify', () => {
  it('passes when everything is as expected (timeout on blocked is ok)', () => {
    const r = classify(plan, allGood, meta);
    expect(r.ok).toBe(true);
    expect(r.container).toBe('hermit-demo');
    expect(table(r)).toMatchInlineSnapshot(`
      [
        "ok   lan: blocked / rejected (EHOSTUNREACH) 3 ms",
        "ok   meta: blocked / no answer (timed out) 1500 ms — blocked, but dropped rather than rejected",
        "ok   gw: blocked / rejected (EHOSTUNREACH) <1 ms",
        "ok   ts: blocked / rejected (EHOSTUNREACH) 1003 ms",
        "ok   ten: blocked / rejected (EPERM) 2 ms",
        "ok   api: reachable / connected 42 ms [93.184.216.34]",
        "ok   nas: reachable / connected 1 ms",
        "ok   gh: reachable / connected 20 ms [140.82.121.4]",
        "ok   dns1: resolves / answered 93.184.216.34 12 ms",
        "ok   dns2: resolves / answered NXDOMAIN 9 ms",
        "ok   ipv6: off / off (disabled, no addresses)",
      ]
    `);
  });

  it('fails refused/connected on blocked, and the other mismatches', () => {
    const bad: ProbeResponse = {
      tcp: [
        { id: 'lan', outcome: 'refused', code: 'ECONNREFUSED', address: '192.168.1.1', ms: 2 },
        { id: 'meta', outcome: 'connected', address: '169.254.169.254', ms: 1 },
        { id: 'gw', outcome: 'error', code: 'EADDRNOTAVAIL', address: '172.30.0.1', ms: 0.2 },
        // 'ts' missing entirely
        { id: 'ten', outcome: 'unreachable', code: 'EHOSTUNREACH', address: '10.0.0.1', ms: 5 },
        { id: 'api', outcome: 'error', code: 'ETIMEOUT', ms: 1500 },
        { id: 'nas', outcome: 'refused', code: 'ECONNREFUSED', address: '192.168.1.20', ms: 2 },
        { id: 'gh', outcome: 'unreachable', code: 'EHOSTUNREACH', address: '140.82.121.4', ms: 3 },
      ],
      dns: [
        { id: 'dns1', outcome: 'refused', addresses: [], code: 'ECONNREFUSED', ms: 4 },
        { id: 'dns2', outcome: 'timeout', addresses: [], code: 'ETIMEOUT', ms: 1500 },
      ],
      ipv6: { disabled: false, addresses: ['fd00::2', 'fe80::42:acff:fe11:2%eth0'] },
    };
    const r = classify(plan, bad, meta);
    expect(r.ok).toBe(false);
    expect(r.rows.filter((x) => x.ok).map((x) => x.id)).toEqual(['ten']);
    expect(table(r)).toMatchInlineSnapshot(`
      [
        "FAIL lan: blocked / connection refused (ECONNREFUSED) 2 ms — not shown to be hermit's reset (no rule counters to tell hermit's reset from the host's): the host may have answered, so it may be reachable",
        "FAIL meta: blocked / connected 1 ms — the host was reachable",
        "FAIL gw: blocked / error (EADDRNOTAVAIL) <1 ms",
        "FAIL ts: blocked / no result",
        "ok   ten: blocked / rejected (EHOSTUNREACH) 5 ms",
        "FAIL api: reachable / could not resolve api.example.com (ETIMEOUT) 1500 ms",
        "FAIL nas: reachable / host answered but port closed (ECONNREFUSED) 2 ms",
        "FAIL gh: reachable / rejected (EHOSTUNREACH) 3 ms [140.82.121.4]",
        "FAIL dns1: resolves / could not reach the resolver (ECONNREFUSED) 4 ms",
        "FAIL dns2: resolves / no answer (timed out) 1500 ms",
        "FAIL ipv6: off / on: addresses fd00::2, fe80::42:acff:fe11:2%eth0 (disable_ipv6=0)",
      ]
    `);
  });

  it('tags each failed row: a breach when what must be blocked (or off) was not, an outage when what must answer did not', () => {
    const resp: ProbeResponse = {
      ...allGood,
      tcp: allGood.tcp.map((t) => (t.id === 'lan' ? { ...t, outcome: 'connected' as const, code: undefined }
        : t.id === 'api' ? { id: 'api', outcome: 'error' as const, code: 'ETIMEOUT', ms: 1500 }
          : t.id === 'nas' ? { ...t, outcome: 'refused' as const, code: 'ECONNREFUSED' } : t)),
      dns: [{ id: 'dns1', outcome: 'timeout', addresses: [], code: 'ETIMEOUT', ms: 1500 }, allGood.dns[1]!],
      ipv6: { disabled: false, addresses: [] },
    };
    const failed = classify(plan, resp, meta).rows.filter((r) => !r.ok).map((r) => `${r.id}: ${r.failure}`);
    expect(failed).toEqual(['lan: breach', 'api: outage', 'nas: outage', 'dns1: outage', 'ipv6: breach']);
    // A blocked name that does not resolve could not be tried: an outage, not a breach.
    const named: ProbePlan = { ...plan, tcp: [{ probe: { id: 'nb', host: 'nas.lan', port: 22, resolver: '1.1.1.1' }, expect: 'blocked', target: 'nas.lan:22', reason: 'must block' }], dns: [], ipv6Off: false };
    expect(classify(named, { tcp: [{ id: 'nb', outcome: 'error', code: 'ETIMEOUT', ms: 1500 }], dns: [], ipv6: allGood.ipv6 }, meta).rows[0]).toMatchObject({ ok: false, failure: 'outage' });
  });

  it('IPv6: link-local alone means on; no row when the profile leaves IPv6 alone', () => {
    const resp = { ...allGood, ipv6: { disabled: true, addresses: ['fe80::1%eth0'] } };
    const on = classify(plan, resp, meta);
    expect(on.ok).toBe(false);
    expect(on.rows.at(-1)).toMatchObject({ id: 'ipv6', expected: 'off', ok: false, observed: 'on: addresses fe80::1%eth0 (despite disable_ipv6=1)' });
    const noRow = classify({ ...plan, ipv6Off: false }, resp, meta);
    expect(noRow.ok).toBe(true);
    expect(noRow.rows.some((x) => x.kind === 'ipv6')).toBe(false);
  });

  it('an empty plan proves nothing', () => {
    const r = classify({ request: plan.request, tcp: [], dns: [], ipv6Off: false }, allGood, meta);
    expect(r).toEqual({ container: 'hermit-demo', profile: 'default', ok: false, rows: [] });
  });
});
