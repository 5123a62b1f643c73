// A refused blocked connect is hermit's only when hermit's reset rule counted it.
import { describe, expect, it } from 'vitest';
import { counted, planAttribution, resetCounters, resetRuleFor } from '../../src/plan/attribution.js';
import { renderTable, wantedTable } from '../../src/firewall/nftables.js';
import { wantedRulesets } from '../../src/plan/plan.js';
import { classify } from '../../src/probe/classify.js';
import type { ProbePlan, ProbeResponse } from '../../src/probe/types.js';
import { sampleFacts, sampleProfile } from './fixtures.js';

const facts = sampleFacts();
const att = planAttribution(sampleProfile(), facts);
const nftFacts = sampleFacts({ firewall: { ...facts.firewall, backend: 'nftables' } });
const nftAtt = planAttribution(sampleProfile(), nftFacts);

/** `iptables-save -c` of the planned chains, every reset rule at `n` packets (`at`: a different count for one). */
function saveWithCounts(n: number, at: Record<string, number> = {}): string {
  return att.rules.map((r) => `[${at[r.dst ?? 'host'] ?? n}:${n * 60}] ${r.text}`).join('\n');
}

describe('which reset rule refuses a connect', () => {
  it('lists the IPv4 reset rules in chain order, as iptables-save prints them', () => {
    expect(att.rules.map((r) => `${r.path} ${r.dst ?? '*'}`)).toEqual([
      'forward 10.0.0.0/8', 'forward 172.16.0.0/12', 'forward 192.168.0.0/16', 'forward 100.64.0.0/10',
      'forward 169.254.0.0/16', 'forward 224.0.0.0/4', 'forward 240.0.0.0/4', 'input *',
    ]);
    expect(att.rules[2]!.text).toBe('-A HERMIT-agent -d 192.168.0.0/16 -p tcp -m comment --comment "hermit:agent blocked range" -j REJECT --reject-with tcp-reset');
    expect(att.hostAddresses).toContain('172.30.0.1');
  });

  it('a host address goes to the host chain, anything else to the first range that covers it', () => {
    expect(att.rules[resetRuleFor(att, '192.168.1.1')!]!.dst).toBe('192.168.0.0/16');
    expect(att.rules[resetRuleFor(att, '172.30.0.1')!]!.path).toBe('input');
    expect(resetRuleFor(att, '93.184.216.34')).toBeUndefined();
  });

  it('IPv6 on: IPv6 reset rules of their own, found for IPv6 addresses only, counted from ip6tables-save apart', () => {
    const p = sampleProfile();
    p.network = { ...p.network, ipv6: true, subnet6: 'fd00:30::/64' };
    const v6 = planAttribution(p, facts);
    expect(v6.hostAddresses).toContain('fd00:30::1');
    const hostRule = v6.rules[resetRuleFor(v6, 'fd00:30::1')!]!;
    expect(hostRule).toMatchObject({ family: 6, path: 'input' });
    expect(v6.rules[resetRuleFor(v6, 'fd12::5')!]).toMatchObject({ family: 6, dst: 'fc00::/7' });
    expect(v6.rules[resetRuleFor(v6, '172.30.0.1')!]).toMatchObject({ family: 4, path: 'input' });
    // The host rule reads the same in both families: each count comes from its own save.
    const save = (family: 4 | 6, n: number) => v6.rules.filter((r) => r.family === family).map((r) => `[${n}:0] ${r.text}`).join('\n');
    const counts = resetCounters(v6, save(4, 1), save(6, 9));
    expect(counts[resetRuleFor(v6, 'fd00:30::1')!]).toBe(9);
    expect(counts[resetRuleFor(v6, '172.30.0.1')!]).toBe(1);
    // Allowlist mode never turns IPv6 on for the agent: no IPv6 rules to attribute to.
    expect(att.rules.every((r) => r.family === 4)).toBe(true);
  });

  it('reads the counters from iptables-save -c and from nft list table; a missing or edited rule reads as unknown', () => {
    expect(resetCounters(att, saveWithCounts(3, { '192.168.0.0/16': 7 }))).toEqual([3, 3, 7, 3, 3, 3, 3, 3]);
    expect(resetCounters(att, saveWithCounts(3).replace('192.168.0.0/16 -p tcp', '192.168.0.0/16 -p udp'))[2]).toBeUndefined();
    const listing = renderTable(wantedTable('agent', wantedRulesets(sampleProfile(), nftFacts)))
      .replaceAll('counter reject with tcp reset', 'counter packets 4 bytes 240 reject with tcp reset');
    expect(resetCounters(nftAtt, listing)).toEqual([4, 4, 4, 4, 4, 4, 4, 4]);
    expect(resetCounters(nftAtt, '')).toEqual(Array(8).fill(undefined));
  });

  it('counts what moved between two readings; a counter that went down (rules replaced) is unknown', () => {
    expect(counted([1, 5, undefined, 9], [3, 5, 2, 0])).toEqual([2, 0, undefined, undefined]);
  });
});

describe('classifying a refused blocked connect', () => {
  const plan: ProbePlan = {
    request: { timeoutMs: 1500, tcp: [], dns: [] },
    tcp: [
      { probe: { id: 'lan', host: '192.168.1.1', port: 80 }, expect: 'blocked', target: 'router 192.168.1.1:80', reason: 'blocked range 192.168.0.0/16' },
      { probe: { id: 'nas', host: '192.168.1.20', port: 22 }, expect: 'blocked', target: 'NAS 192.168.1.20:22', reason: 'blocked range 192.168.0.0/16' },
      { probe: { id: 'gw', host: '172.30.0.1', port: 80 }, expect: 'blocked', target: 'bridge gateway 172.30.0.1:80', reason: 'the host itself (INPUT)' },
      { probe: { id: 'pub', host: 'evil.example', port: 80, resolver: '127.0.0.11' }, expect: 'blocked', target: 'evil.example:80', reason: 'profile: must be blocked' },
    ],
    dns: [],
    ipv6Off: false,
    attribution: att,
  };
  const refused = (id: string, address: string) => ({ id, outcome: 'refused' as const, code: 'ECONNREFUSED', address, ms: 1 });
  const response = (resets?: (number | undefined)[]): ProbeResponse => ({
    tcp: [refused('lan', '192.168.1.1'), refused('nas', '192.168.1.20'), refused('gw', '172.30.0.1'), refused('pub', '93.184.216.34')],
    dns: [],
    ipv6: { disabled: true, addresses: [] },
    ...(resets ? { resets } : {}),
  });
  const rows = (r: ProbeResponse) => classify(plan, r, { container: 'c', profile: 'agent' }).rows.map((x) => `${x.ok ? 'ok  ' : 'FAIL'} ${x.id}: ${x.observed}`);

  it("passes a reset that hermit's rule counted, once per refused connect", () => {
    expect(rows(response([0, 0, 2, 0, 0, 0, 0, 1]))).toEqual([
      "ok   lan: reset by hermit's reset rule for 192.168.0.0/16 (ECONNREFUSED) 1 ms",
      "ok   nas: reset by hermit's reset rule for 192.168.0.0/16 (ECONNREFUSED) 1 ms",
      "ok   gw: reset by hermit's reset rule for the host (ECONNREFUSED) 1 ms",
      "FAIL pub: connection refused (ECONNREFUSED) 1 ms [93.184.216.34] — not shown to be hermit's reset (no reset rule of hermit's covers 93.184.216.34): the host may have answered, so it may be reachable",
    ]);
  });

  it('fails a reset the rule did not count (another host answered), or when the counters could not be read', () => {
    const short = rows(response([0, 0, 1, 0, 0, 0, 0, 0]));
    expect(short[0]).toBe("FAIL lan: connection refused (ECONNREFUSED) 1 ms — not shown to be hermit's reset (hermit's reset rule for 192.168.0.0/16 counted 1 of the 2 refused): the host may have answered, so it may be reachable");
    expect(short[2]).toMatch(/^FAIL gw: .*reset rule for the host counted 0 of the 1 refused/);
    expect(rows(response())[0]).toMatch(/^FAIL lan: .*could not be read/);
    expect(rows(response([0, 0, undefined, 0, 0, 0, 0, 5]))[0]).toMatch(/^FAIL lan: .*192\.168\.0\.0\/16 could not be read/);
    expect(classify(plan, response([0, 0, 1, 0, 0, 0, 0, 1]), { container: 'c', profile: 'agent' }).rows[0]!.failure).toBe('breach');
  });
});
