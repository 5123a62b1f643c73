import { describe, expect, it } from 'vitest';
import { describeDrift, verify, wantedRulesets } from '../../src/guard/verify.js';
import type { ExistingContainer, HostFacts } from '../../src/plan/host-facts.js';
import { asThisHostHoldsIt, parseSave, planFirewall } from '../../src/firewall/iptables.js';
import { type Ruleset, buildRuleset, renderJump, renderRule } from '../../src/plan/ruleset.js';
import type { ProbeRecord } from '../../src/state/store.js';
import { FRESH_SAVE4, FRESH_SAVE6, sampleFacts, sampleProfile } from './fixtures.js';


/** The dump after hermit's rules were applied to `save`. */
function applied(save: string, wanted: Ruleset): string {
  const chains = parseSave(save);
  const rs = asThisHostHoldsIt(wanted, save);
  for (const c of rs.chains) chains.set(c.name, c.rules.map((r) => renderRule(c.name, r, rs.family)));
  for (const j of rs.jumps) chains.set(j.from, [renderJump(j), ...(chains.get(j.from) ?? []).filter((l) => !l.endsWith(`-j ${j.to}`))]);
  return ['*filter', ...[...chains.keys()].map((n) => `:${n} - [0:0]`), ...[...chains.values()].flat(), 'COMMIT', ''].join('\n');
}

const profile = sampleProfile();
const container = (over: Partial<ExistingContainer> = {}): ExistingContainer => ({
  id: 'c1', name: 'hermit-agent', running: true, status: 'running', pid: 42, image: 'sha256:i', startedAt: '2026-01-01T10:00:00.000Z',
  labels: { 'hermit.profile': 'agent' }, networks: ['hermit-agent'], restartPolicy: 'unless-stopped', ...over,
});
const probe = (over: Partial<ProbeRecord> = {}) => ({ at: '2026-01-01T10:00:05.000Z', profile: 'agent', file: 'f', containerId: 'c1', ok: true, report: { container: 'hermit-agent', profile: 'agent', ok: true, rows: [] }, ...over }) as ProbeRecord;

function healthy(over: Partial<HostFacts> = {}): HostFacts {
  const base = sampleFacts();
  base.networks.push({ id: 'n1', name: 'hermit-agent', driver: 'bridge', subnets: ['172.30.0.0/24'], gateways: ['172.30.0.1'], bridge: 'hm-agent', ipv6: false, labels: { 'hermit.profile': 'agent' }, containers: ['hermit-agent'] });
  const addrs = base.addresses.map((a) => a.address);
  base.firewall = { ...base.firewall, save4: applied(FRESH_SAVE4, buildRuleset(profile, 4, addrs)), save6: applied(FRESH_SAVE6, buildRuleset(profile, 6, addrs)) };
  return { ...base, container: container(), ...over };
}

describe('guard verification', () => {
  it('finds nothing on an intact host whose container was proven after it started', () => {
    expect(verify(profile, healthy(), probe()).drifts).toEqual([]);
  });

  it('a flushed DOCKER-USER is a rules drift whose fix puts the jump back', () => {
    const f = healthy();
    f.firewall.save4 = f.firewall.save4.replace(/^-A DOCKER-USER .*\n/m, '');
    const [d, ...rest] = verify(profile, f, probe()).drifts;
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ kind: 'rules', fix: { backend: 'iptables', family: 4 } });
    expect(describeDrift(d!)).toBe('IPv4 rules drifted: add jump DOCKER-USER -i hm-agent → HERMIT-agent');
  });

  it("a rule above Docker's jump in FORWARD: Docker's jump goes back on top, with a revert", () => {
    const f = healthy();
    f.firewall.save4 = f.firewall.save4.replace('-A FORWARD -j DOCKER-USER', '-A FORWARD -i hm-agent -j ACCEPT\n-A FORWARD -j DOCKER-USER');
    const d = verify(profile, f, probe()).drifts[0]!;
    if (d.kind !== 'rules') throw new Error(d.kind);
    expect(d.fix.payload).toBe('*filter\n-D FORWARD -j DOCKER-USER\n-I FORWARD 1 -j DOCKER-USER\nCOMMIT\n');
    expect(d.fix.revert).toBe('*filter\n-D FORWARD -j DOCKER-USER\n-I FORWARD 2 -j DOCKER-USER\nCOMMIT\n');
    expect(d.fix.changes).toEqual(['move jump FORWARD → DOCKER-USER back to the top (1 rule(s) above it)']);
  });

  it('a second network is a drift naming it; not being on its own network is fatal', () => {
    expect(verify(profile, healthy({ container: container({ networks: ['hermit-agent', 'bridge'] }) }), probe()).drifts)
      .toEqual([{ kind: 'extra-network', networks: ['bridge'] }]);
    const kinds = verify(profile, healthy({ container: container({ networks: ['bridge'] }) }), probe()).drifts.map((d) => d.kind);
    expect(kinds).toEqual(['extra-network', 'fatal']);
  });

  it('a container started after its last probe, or never probed, is unproven', () => {
    expect(verify(profile, healthy({ container: container({ startedAt: '2026-01-01T11:00:00.000Z' }) }), probe()).drifts[0]).toMatchObject({ kind: 'unproven' });
    expect(verify(profile, healthy(), undefined).drifts[0]).toMatchObject({ kind: 'unproven', reason: 'no probe of this container yet' });
    expect(verify(profile, healthy(), probe({ containerId: 'other' })).drifts[0]).toMatchObject({ kind: 'unproven' });
  });

  it('no DOCKER-USER, or the nftables backend, is fatal; a stopped container is not probed', () => {
    const f = healthy();
    f.firewall.save4 = f.firewall.save4.replace(/^:DOCKER-USER.*\n/m, '').replace(/^-A (DOCKER-USER .*|FORWARD -j DOCKER-USER)\n/gm, '');
    expect(verify(profile, f, probe()).drifts).toEqual([expect.objectContaining({ kind: 'fatal', reason: expect.stringMatching(/no DOCKER-USER chain/) })]);
    const nft = healthy();
    nft.firewall.dockerBackend = 'nftables';
    expect(verify(profile, nft, probe()).drifts.map((d) => d.kind)).toEqual(['fatal']);
    expect(verify(profile, healthy({ container: container({ running: false, status: 'exited' }) }), undefined).drifts).toEqual([]);
  });

  it('a same-named container hermit did not start is left alone', () => {
    const v = verify(profile, healthy({ container: container({ labels: {} }) }), probe());
    expect(v).toMatchObject({ foreign: true, drifts: [] });
  });

  it('a profile taken down (no container, no network) is not restored', () => {
    const f = healthy();
    f.networks = f.networks.filter((n) => n.name !== 'hermit-agent');
    delete f.container;
    f.firewall.save4 = FRESH_SAVE4;
    expect(verify(profile, f, undefined)).toMatchObject({ absent: true, drifts: [] });
  });

  it('boot: creates DOCKER-USER and Docker\'s jump into it when the table is empty', () => {
    const empty = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n';
    const rs = wantedRulesets(profile, healthy())[0]!;
    expect(() => planFirewall(rs, empty)).toThrow(/no DOCKER-USER/);
    const fix = planFirewall(rs, empty, { createDockerUser: true });
    expect(fix.payload!.split('\n').slice(0, 3)).toEqual(['*filter', ':DOCKER-USER - [0:0]', ':HERMIT-agent - [0:0]']);
    expect(fix.payload).toContain('-I FORWARD 1 -j DOCKER-USER\n');
    expect(fix.changes).toEqual(expect.arrayContaining(['create chain DOCKER-USER', 'add missing jump FORWARD → DOCKER-USER']));
  });
});

describe('guard verification, docker: engine', () => {
  const withDocker = sampleProfile({ docker: { image: 'localhost/hermit/engine:1', container: 'hermit-agent-docker', dataVolume: 'hermit-agent-docker', socketVolume: 'hermit-agent-docker-sock' } });
  const engine = (startedAt: string, running = true) => ({ container: container({ id: 'e1', name: 'hermit-agent-docker', startedAt, running, labels: { 'hermit.profile': 'agent', 'hermit.role': 'docker' } }), volumes: [], hostTun: true, tunNode: false });

  it('an engine that started after the last probe has a nested path not proven yet', () => {
    const f = healthy({ engine: engine('2026-01-01T10:07:00.000Z') });
    expect(verify(withDocker, f, probe()).drifts).toEqual([{ kind: 'unproven', reason: 'docker engine hermit-agent-docker started at 2026-01-01T10:07:00.000Z, after the last probe' }]);
  });

  it('an engine proven since it started, or one not running, is nothing to do', () => {
    expect(verify(withDocker, healthy({ engine: engine('2026-01-01T10:00:01.000Z') }), probe()).drifts).toEqual([]);
    expect(verify(withDocker, healthy({ engine: engine('2026-01-01T10:07:00.000Z', false) }), probe()).drifts).toEqual([]);
  });
});
