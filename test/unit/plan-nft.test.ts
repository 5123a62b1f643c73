import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { firewallBackendOf } from '../../src/host/read.js';
import { HermitError } from '../../src/errors.js';
import { chooseBackend } from '../../src/firewall/choose.js';
import type { HostFacts } from '../../src/plan/host-facts.js';
import { canonicalNftRule, hermitTables, planNft, renderTable, teardownNft, wantedTable } from '../../src/firewall/nftables.js';
import { firewallChanges, makePlan } from '../../src/plan/plan.js';
import { buildRuleset } from '../../src/plan/ruleset.js';
import { sampleFacts, sampleProfile } from './fixtures.js';

const HOST = ['127.0.0.1', '192.168.50.10', '172.17.0.1'];
const fixture = (name: string) => readFileSync(new URL(`../fixtures/docker29/${name}`, import.meta.url), 'utf8');
const RULESET = fixture('nft-list-ruleset.txt');
const INFO = JSON.parse(fixture('docker-info-nftables.json')) as Record<string, unknown>;
const both = (p = sampleProfile()) => ([4, 6] as const).map((f) => buildRuleset(p, f, HOST));

/** Docker 29 with its nftables backend: no iptables chains of Docker's, hermit on nftables. */
function docker29Facts(tables: Record<string, string> = {}): HostFacts {
  const facts = sampleFacts();
  facts.dockerVersion = String(INFO.ServerVersion);
  const backend = chooseBackend(undefined, firewallBackendOf(INFO), { iptables: false, nft: true });
  facts.firewall = { ...facts.firewall, dockerBackend: 'nftables', backend: backend.backend, backendReason: backend.reason, save4: '', save6: '', nftTables: tables };
  return facts;
}

describe('nftables rendering', () => {
  it('renders the whole table as one transaction that replaces it atomically (golden)', async () => {
    const change = planNft('agent', both(), undefined);
    expect(change.changes).toEqual(['create table inet hermit-agent (5 chains)']);
    await expect(change.payload).toMatchFileSnapshot('golden/fresh.nft');
    // Rule for rule what the iptables rendering holds.
    const table = wantedTable('agent', both());
    for (const rs of both()) for (const c of rs.chains) expect(table.chains.get(rs.family === 6 ? `${c.name}-ip6` : c.name)!.rules).toHaveLength(c.rules.length);
    expect(change.revert).toBe('table inet hermit-agent {}\ndelete table inet hermit-agent\n');
  });

  it('renders IPv6 rules with icmpv6 rejects when IPv6 is on (golden)', async () => {
    const p = sampleProfile();
    p.network = { ...p.network, ipv6: true, subnet6: 'fd00:30::/64' };
    p.dns = [...p.dns, '2606:4700:4700::1111'];
    await expect(renderTable(wantedTable('agent', both(p)))).toMatchFileSnapshot('golden/ipv6-on.nft');
  });
});

describe('nftables read-back', () => {
  it("finds hermit's tables in a Docker 29 host's ruleset and leaves Docker's alone", () => {
    const tables = hermitTables(RULESET);
    expect([...tables.keys()]).toEqual(['hermit-agent']);
    expect(RULESET).toContain('table ip docker-bridges');
    expect(tables.get('hermit-agent')).not.toContain('docker-bridges');
  });

  it('changes nothing when the host has exactly the planned table, as nft printed it', () => {
    expect(planNft('agent', both(), hermitTables(RULESET).get('hermit-agent'))).toMatchObject({ payload: null, revert: null, changes: [] });
  });

  it('reads what nft prints differently for the same rule as the same rule', () => {
    const same = [
      ['ip daddr 192.168.50.20/32 tcp dport 8080 return comment "c"', 'ip daddr 192.168.50.20 tcp dport 8080 return comment "c"'],
      ['ct state related,established ct direction reply return comment "c"', 'ct state established,related ct direction reply return comment "c"'],
      ['ip daddr 10.0.0.0/8 limit rate 10/minute burst 5 packets log prefix "p: " comment "c"', 'ip daddr 10.0.0.0/8 limit rate 10/minute log prefix "p: " comment "c"'],
      ['reject with icmp type admin-prohibited comment "c"', 'reject with icmp admin-prohibited comment "c"'],
      ['tcp dport { 8443, 443 } return comment "c"', 'tcp dport { 443, 8443 } return comment "c"'],
      // A reset's counter is the kernel's: its values are not part of the rule.
      ['ip daddr 10.0.0.0/8 meta l4proto tcp counter packets 12 bytes 720 reject with tcp reset comment "c"', 'ip daddr 10.0.0.0/8 meta l4proto tcp counter reject with tcp reset comment "c"'],
    ];
    for (const [printed, canonical] of same) expect(canonicalNftRule(printed!, 4)).toBe(canonical);
  });

  it('reads interface matches back (allowlist mode: DNS only from the proxy bridge, agent to proxy)', () => {
    for (const line of ['ip daddr 192.168.50.1 iifname "hm-x" udp dport 53 return comment "c"', 'oifname "hmi-x" return comment "c"',
      'iifname "hmi-x" limit rate 10/minute log prefix "p: " comment "c"', 'iifname "hmi-x" reject with icmp admin-prohibited comment "c"']) {
      expect(canonicalNftRule(line, 4)).toBe(line);
    }
    expect(canonicalNftRule('iifname hm-x return comment "c"', 4)).toBe('iifname hm-x return comment "c"'); // unquoted: not hermit's
  });

  it('a rule hermit does not write never compares equal (accept, another verdict, an extra match)', () => {
    for (const line of ['ip daddr 10.0.0.0/8 accept comment "c"', 'ip daddr 10.0.0.0/8 counter reject with icmp admin-prohibited comment "c"',
      'ip6 daddr fd00::/8 drop comment "c"', 'ip daddr 10.0.0.0/8 reject with tcp reset comment "c"',
      'ip daddr 10.0.0.0/8 meta l4proto tcp reject with tcp reset comment "c"', 'ip daddr 10.0.0.0/8 meta l4proto tcp counter packets 1 reject with tcp reset comment "c"']) {
      expect(canonicalNftRule(line, 4)).toBe(line);
    }
  });

  it('a flushed, edited or missing table is replaced whole, with a revert that puts back what was there', () => {
    const listing = hermitTables(RULESET).get('hermit-agent')!;
    const flushed = listing.replace(/^\t\tip daddr 10\.0\.0\.0\/8 reject.*\n/m, '');
    const change = planNft('agent', both(), flushed);
    expect(change.changes).toEqual(['replace table inet hermit-agent: replace chain HERMIT-agent (28 → 29 rules)']);
    expect(change.payload).toMatch(/^table inet hermit-agent \{\}\ndelete table inet hermit-agent\ntable inet hermit-agent \{\n/);
    expect(change.revert).toBe(`table inet hermit-agent {}\ndelete table inet hermit-agent\n${flushed}`);
    const accepting = listing.replace('ip daddr 10.0.0.0/8 reject with icmp admin-prohibited', 'ip daddr 10.0.0.0/8 accept');
    expect(planNft('agent', both(), accepting).changes).toEqual(['replace table inet hermit-agent: replace chain HERMIT-agent (29 → 29 rules)']);
    const lowered = listing.replace('priority filter - 10;', 'priority filter + 100;');
    expect(planNft('agent', both(), lowered).changes[0]).toContain('replace chain forward (2 → 2 rules)');
  });

  it('down deletes the table (and nothing when there is none); its revert puts it back', () => {
    const listing = hermitTables(RULESET).get('hermit-agent')!;
    expect(teardownNft('agent', listing)).toMatchObject({
      backend: 'nftables', payload: 'table inet hermit-agent {}\ndelete table inet hermit-agent\n', changes: ['remove table inet hermit-agent (39 rules)'],
    });
    expect(teardownNft('agent', listing).revert).toContain(listing);
    expect(teardownNft('agent', undefined).payload).toBeNull();
  });
});

describe('backend choice', () => {
  it("reads Docker's backend from docker info (API 1.49+), iptables when it says nothing", () => {
    expect(firewallBackendOf(INFO)).toBe('nftables');
    expect(firewallBackendOf({ FirewallBackend: { Driver: 'nftables+firewalld' } })).toBe('nftables');
    expect(firewallBackendOf({ FirewallBackend: { Driver: 'iptables+firewalld' } })).toBe('iptables');
    expect(firewallBackendOf({ ServerVersion: '20.10.24' })).toBe('iptables');
  });

  it('auto: nftables when Docker uses it or there is no iptables, iptables otherwise; forced either way', () => {
    const tools = { iptables: true, nft: true };
    expect(chooseBackend(undefined, 'iptables', tools)).toEqual({ backend: 'iptables', reason: "auto: Docker's firewall backend is iptables" });
    expect(chooseBackend('auto', 'nftables', tools).backend).toBe('nftables');
    expect(chooseBackend('', 'iptables', { iptables: false, nft: true })).toEqual({ backend: 'nftables', reason: 'auto: this host has no usable iptables' });
    expect(chooseBackend('nftables', 'iptables', tools)).toEqual({ backend: 'nftables', reason: 'HERMIT_FIREWALL=nftables' });
    expect(chooseBackend('iptables', 'nftables', tools)).toEqual({ backend: 'iptables', reason: 'HERMIT_FIREWALL=iptables' });
  });

  it('exits 3 with what to install when neither is usable; a bad setting is a usage error', () => {
    const err = (f: () => unknown) => { try { f(); } catch (e) { return e as HermitError; } throw new Error('no error'); };
    const none = err(() => chooseBackend(undefined, 'iptables', { iptables: false, nft: false }));
    expect(none).toMatchObject({ kind: 'host', message: expect.stringContaining('neither nft nor a usable iptables') });
    expect(none.exitCode).toBe(3);
    expect(none.hint).toContain('apt-get install nftables');
    expect(err(() => chooseBackend(undefined, 'nftables', { iptables: true, nft: false })).hint).toContain('apt-get install nftables');
    expect(err(() => chooseBackend('nft', 'iptables', { iptables: true, nft: true })).kind).toBe('usage');
  });
});

describe('a Docker 29 host with the nftables backend', () => {
  it('hermit run plans its own table instead of refusing, and changes nothing once it is there', () => {
    const facts = docker29Facts();
    expect(facts.firewall.backendReason).toBe("auto: Docker's firewall backend is nftables (no DOCKER-USER chain)");
    const plan = makePlan(sampleProfile(), facts, { extras: { dockerArgs: [], command: [] }, environment: { API_KEY: 'x' }, replace: false });
    expect(plan.firewall).toHaveLength(1);
    expect(plan.firewall[0]).toMatchObject({ backend: 'nftables', what: 'nftables table inet hermit-agent', changes: ['create table inet hermit-agent (5 chains)'] });
    const applied = docker29Facts(Object.fromEntries(hermitTables(RULESET)));
    expect(firewallChanges(sampleProfile(), applied).map((c) => c.payload)).toEqual([null]);
  });

  it('forcing iptables there is refused (exit 3), saying to let hermit use nftables', () => {
    const facts = docker29Facts();
    facts.firewall = { ...facts.firewall, backend: 'iptables', backendReason: 'HERMIT_FIREWALL=iptables' };
    expect(() => firewallChanges(sampleProfile(), facts)).toThrow(/no DOCKER-USER chain/);
  });
});

describe('switching backends (HERMIT_FIREWALL changed between runs)', () => {
  const profile = sampleProfile();
  const applyAll = (facts: HostFacts) => firewallChanges(profile, facts);

  it('a run with nftables removes the iptables chains and jumps an iptables run left, and can put them back', () => {
    const facts = sampleFacts();
    const withIptables = applyAll(facts).filter((c) => c.payload);
    // The host after an iptables run: hermit's chains and jumps in the save text (the payloads' lines, as iptables-save prints them).
    const save4 = withIptables[0]!.payload!.split('\n').filter((l) => /^(:|-A )/.test(l) || l.startsWith('-I ')).map((l) => l.replace(/^-I (\S+) 1 /, '-A $1 ')).join('\n');
    const host = sampleFacts();
    host.firewall = { ...host.firewall, backend: 'nftables', backendReason: 'HERMIT_FIREWALL=nftables', save4: facts.firewall.save4.replace('COMMIT', `${save4}\nCOMMIT`) };
    const changes = applyAll(host);
    expect(changes.map((c) => c.what)).toEqual(['nftables table inet hermit-agent', 'IPv4 rules (iptables, left by a run with the other backend)']);
    const left = changes[1]!;
    expect(left.backend).toBe('iptables');
    expect(left.payload).toContain('-X HERMIT-agent');
    expect(left.payload).toMatch(/-D DOCKER-USER .* -j HERMIT-agent/);
    expect(left.revert).toContain(':HERMIT-agent - [0:0]');
  });

  it('a run with iptables removes the nftables table an nftables run left', () => {
    const host = sampleFacts();
    host.firewall = { ...host.firewall, nftTables: Object.fromEntries(hermitTables(RULESET)) };
    const changes = applyAll(host);
    const left = changes.find((c) => c.backend === 'nftables');
    expect(left?.what).toBe('nftables table inet hermit-agent (nftables, left by a run with the other backend)');
    expect(left?.payload).toContain('delete table inet hermit-agent');
  });

  it('nothing of the other backend: no extra change', () => {
    expect(applyAll(sampleFacts()).every((c) => c.backend === 'iptables')).toBe(true);
  });
});
