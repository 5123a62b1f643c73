import { describe, expect, it } from 'vitest';
import type { ExistingContainer, Inventory } from '../../src/plan/host-facts.js';
import { parseSave } from '../../src/firewall/iptables.js';
import { type Ruleset, buildRuleset, renderJump, renderRule } from '../../src/plan/ruleset.js';
import { planTeardown } from '../../src/plan/teardown.js';
import { teardownFirewall } from '../../src/firewall/iptables.js';
import { FRESH_SAVE4, FRESH_SAVE6, sampleProfile } from './fixtures.js';

const HOST = ['127.0.0.1', '192.168.50.10'];

/** iptables-save text after each ruleset's payload was applied (jumps inserted on top). */
function withRules(save: string, ...sets: Ruleset[]): string {
  const chains = parseSave(save);
  for (const rs of sets) {
    for (const c of rs.chains) chains.set(c.name, c.rules.map((r) => renderRule(c.name, r, rs.family)));
    for (const j of rs.jumps) chains.set(j.from, [renderJump(j), ...(chains.get(j.from) ?? [])]);
  }
  return ['*filter', ...[...chains.keys()].map((n) => `:${n} - [0:0]`), ...[...chains.values()].flat(), 'COMMIT', ''].join('\n');
}

const other = sampleProfile({ name: 'other' });
other.network = { ...other.network, bridge: 'hm-other' };
const USER_RULE = '-A DOCKER-USER -s 10.9.9.9/32 -j DROP';
const save4 = withRules(FRESH_SAVE4.replace('COMMIT', `${USER_RULE}\nCOMMIT`), buildRuleset(other, 4, HOST), buildRuleset(sampleProfile(), 4, HOST));
const save6 = withRules(FRESH_SAVE6, buildRuleset(sampleProfile(), 6, HOST));

function container(over: Partial<ExistingContainer>): ExistingContainer {
  return { id: 'c1', name: 'hermit-agent', running: true, status: 'running', pid: 7, image: 'sha256:1', startedAt: '', labels: { 'hermit.profile': 'agent' }, networks: ['hermit-agent'], restartPolicy: 'no', ...over };
}
const net = (name: string, profile?: string, containers: string[] = []) =>
  ({ id: `id-${name}`, name, driver: 'bridge', subnets: [], gateways: [], ipv6: false, labels: profile ? { 'hermit.profile': profile } : {}, containers });

function inventory(over: Partial<Inventory> = {}): Inventory {
  return { containers: [container({})], networks: [net('bridge'), net('hermit-agent', 'agent', ['hermit-agent']), net('hermit-other', 'other')], save4, save6, nftTables: {}, ...over };
}

describe('teardown plan', () => {
  it("deletes only the profile's jumps and chains, in one payload per family", () => {
    const fw = teardownFirewall('agent', 4, save4);
    expect(fw.payload).toBe([
      '*filter',
      '-D INPUT -i hm-agent -m comment --comment "hermit:agent" -j HERMIT-IN-agent',
      '-D DOCKER-USER -i hm-agent -m comment --comment "hermit:agent" -j HERMIT-agent',
      ':HERMIT-agent - [0:0]',
      ':HERMIT-IN-agent - [0:0]',
      '-X HERMIT-agent',
      '-X HERMIT-IN-agent',
      'COMMIT',
      '',
    ].join('\n'));
    expect(fw.payload).not.toMatch(/other|10\.9\.9\.9/);
    expect(fw.changes).toEqual([
      'remove jump INPUT → HERMIT-IN-agent',
      'remove jump DOCKER-USER → HERMIT-agent',
      'remove chain HERMIT-agent (29 rules)',
      'remove chain HERMIT-IN-agent (5 rules)',
    ]);
  });

  it('has a revert that rebuilds the chains and puts each jump back where it was', () => {
    const fw = teardownFirewall('agent', 4, save4);
    const lines = fw.revert!.split('\n');
    expect(lines.slice(0, 3)).toEqual(['*filter', ':HERMIT-agent - [0:0]', ':HERMIT-IN-agent - [0:0]']);
    expect(lines.filter((l) => l.startsWith('-A HERMIT-'))).toHaveLength(34);
    // DOCKER-USER holds other's jump first, then agent's (inserted later, on top): agent's is rule 1.
    expect(lines.filter((l) => l.startsWith('-I'))).toEqual([
      '-I INPUT 1 -i hm-agent -m comment --comment "hermit:agent" -j HERMIT-IN-agent',
      '-I DOCKER-USER 1 -i hm-agent -m comment --comment "hermit:agent" -j HERMIT-agent',
    ]);
  });

  it('handles IPv6 off (one chain jumped to from FORWARD and INPUT) and changes nothing when nothing is there', () => {
    expect(teardownFirewall('agent', 6, save6).payload).toBe([
      '*filter',
      '-D INPUT -i hm-agent -m comment --comment "hermit:agent" -j HERMIT-agent',
      '-D FORWARD -i hm-agent -m comment --comment "hermit:agent" -j HERMIT-agent',
      ':HERMIT-agent - [0:0]',
      '-X HERMIT-agent',
      'COMMIT',
      '',
    ].join('\n'));
    expect(teardownFirewall('agent', 4, FRESH_SAVE4)).toEqual({ backend: 'iptables', family: 4, what: 'IPv4 rules', payload: null, revert: null, changes: [] });
  });

  it("removes the profile's labelled containers and networks only, and reports same-named foreign ones", () => {
    const inv = inventory({
      containers: [
        container({}),
        container({ id: 'c0', name: 'hermit-agent-old', running: false, networks: [] }),
        container({ id: 'u1', name: 'users-own', labels: {}, networks: ['bridge'] }),
      ],
    });
    const td = planTeardown('agent', inv, { container: 'hermit-agent', network: 'hermit-agent' });
    expect(td.containers).toEqual([{ id: 'c1', name: 'hermit-agent', running: true }, { id: 'c0', name: 'hermit-agent-old', running: false }]);
    expect(td.networks).toEqual([{ id: 'id-hermit-agent', name: 'hermit-agent' }]);
    expect(td.firewall.map((f) => f.family)).toEqual([4, 6]);
    expect(td.leftAlone).toEqual([]);

    const foreign = planTeardown('agent', inventory({ containers: [container({ labels: {}, networks: [] })], networks: [net('hermit-agent')] }), { container: 'hermit-agent', network: 'hermit-agent' });
    expect(foreign.containers).toEqual([]);
    expect(foreign.networks).toEqual([]);
    expect(foreign.leftAlone).toEqual([
      "container hermit-agent (not started by hermit for profile 'agent')",
      "network hermit-agent (not created by hermit for profile 'agent')",
    ]);
  });

  it('refuses, changing nothing, while another container uses the network (running or stopped)', () => {
    const running = inventory({ networks: [net('hermit-agent', 'agent', ['hermit-agent', 'intruder'])] });
    expect(() => planTeardown('agent', running)).toThrow(/network hermit-agent is still used by container intruder/);
    const stopped = inventory({ containers: [container({}), container({ id: 'x', name: 'parked', running: false, labels: {} })] });
    expect(() => planTeardown('agent', stopped)).toThrow(/still used by container parked.*nothing was changed/);
  });
});

describe('teardown of the docker: engine\'s volumes', () => {
  const volumes = [
    { name: 'hermit-agent-docker', labels: { 'hermit.profile': 'agent', 'hermit.role': 'docker' } },
    { name: 'hermit-agent-docker-sock', labels: { 'hermit.profile': 'agent', 'hermit.role': 'docker-socket' } },
    { name: 'hermit-other-docker-sock', labels: { 'hermit.profile': 'other', 'hermit.role': 'docker-socket' } },
    { name: 'hermit-agent-docker-copy', labels: {} },
  ];
  it('removes the socket volume; the data volume only with --volumes; nothing of another profile or unlabelled', () => {
    expect(planTeardown('agent', inventory({ volumes })).volumes).toEqual(['hermit-agent-docker-sock']);
    expect(planTeardown('agent', inventory({ volumes }), {}, { volumes: true }).volumes).toEqual(['hermit-agent-docker', 'hermit-agent-docker-sock']);
  });
});
