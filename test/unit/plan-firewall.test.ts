import { describe, expect, it } from 'vitest';
import { HermitError } from '../../src/errors.js';
import { asThisHostHoldsIt, parseSave, planFirewall } from '../../src/firewall/iptables.js';
import { checkFirewallBackend } from '../../src/plan/plan.js';
import { type Ruleset, buildRuleset, renderJump, renderRule } from '../../src/plan/ruleset.js';
import { FRESH_SAVE4, FRESH_SAVE6, sampleFacts, sampleProfile } from './fixtures.js';

const HOST = ['127.0.0.1', '192.168.50.10', '172.17.0.1'];

/** What iptables-save prints after the payload was applied to `save` (jumps inserted on top). */
function applied(save: string, rs: Ruleset): string {
  const chains = parseSave(save);
  for (const c of rs.chains) chains.set(c.name, c.rules.map((r) => renderRule(c.name, r, rs.family)));
  for (const j of rs.jumps) chains.set(j.from, [renderJump(j), ...(chains.get(j.from) ?? []).filter((l) => !l.endsWith(`-j ${j.to}`))]);
  return ['*filter', ...[...chains.keys()].map((n) => `:${n} - [0:0]`), ...[...chains.values()].flat(), 'COMMIT', ''].join('\n');
}

describe('firewall plan', () => {
  it('creates both chains and jumps on a fresh host (IPv4)', async () => {
    const change = planFirewall(buildRuleset(sampleProfile(), 4, HOST), FRESH_SAVE4);
    await expect(change.payload).toMatchFileSnapshot('golden/fresh-v4.restore');
    await expect(change.revert).toMatchFileSnapshot('golden/fresh-v4.revert');
    expect(change.changes).toEqual([
      'create chain HERMIT-agent (29 rules)',
      'create chain HERMIT-IN-agent (5 rules)',
      'add jump DOCKER-USER -i hm-agent → HERMIT-agent',
      'add jump INPUT -i hm-agent → HERMIT-IN-agent',
    ]);
  });

  it("jumps from ip6tables' DOCKER-USER where Docker keeps one (27+), from FORWARD where it does not (20.10)", () => {
    const rs = buildRuleset(sampleProfile(), 6, HOST);
    expect(asThisHostHoldsIt(rs, FRESH_SAVE6).jumps.map((j) => j.from)).toEqual(['DOCKER-USER', 'INPUT']);
    expect(asThisHostHoldsIt(rs, '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\nCOMMIT\n').jumps.map((j) => j.from)).toEqual(['FORWARD', 'INPUT']);
    expect(asThisHostHoldsIt(buildRuleset(sampleProfile(), 4, HOST), FRESH_SAVE4)).toEqual(buildRuleset(sampleProfile(), 4, HOST));
    expect(planFirewall(asThisHostHoldsIt(rs, FRESH_SAVE6), FRESH_SAVE6).changes).toContain('add jump DOCKER-USER -i hm-agent → HERMIT-agent');
  });

  it('drops all IPv6 from the bridge when IPv6 is off', async () => {
    const change = planFirewall(buildRuleset(sampleProfile(), 6, HOST), FRESH_SAVE6);
    await expect(change.payload).toMatchFileSnapshot('golden/fresh-v6-off.restore');
  });

  it('renders IPv6 rules with the v6 blocked ranges when IPv6 is on', async () => {
    const p = sampleProfile();
    p.network = { ...p.network, ipv6: true, subnet6: 'fd00:30::/64' };
    p.dns = [...p.dns, '2606:4700:4700::1111'];
    const change = planFirewall(buildRuleset(p, 6, HOST), FRESH_SAVE6);
    await expect(change.payload).toMatchFileSnapshot('golden/fresh-v6-on.restore');
  });

  it('changes nothing when the host already has exactly these rules', () => {
    for (const [family, save] of [[4, FRESH_SAVE4], [6, FRESH_SAVE6]] as const) {
      const rs = buildRuleset(sampleProfile(), family, HOST);
      const change = planFirewall(rs, applied(save, rs));
      expect(change).toEqual({ backend: 'iptables', family, what: `IPv${family} rules`, payload: null, revert: null, changes: [] });
    }
  });

  it('replaces only the chain that changed, in one payload, with a revert that restores the old rules', async () => {
    const before = buildRuleset(sampleProfile(), 4, HOST);
    const p = sampleProfile();
    p.egress = { ...p.egress, allow: [...p.egress.allow, { to: '192.168.50.30', ports: [5432], protocol: 'tcp', comment: 'db' }] };
    const change = planFirewall(buildRuleset(p, 4, HOST), applied(FRESH_SAVE4, before));
    expect(change.changes).toEqual(['replace chain HERMIT-agent (29 → 30 rules)']);
    await expect(change.payload).toMatchFileSnapshot('golden/replace-v4.restore');
    expect(change.revert).toContain('-A HERMIT-agent -d 192.168.50.20/32 -p tcp -m tcp --dport 8080');
    expect(change.revert).not.toContain('5432');
  });

  it('moves its jump back to the top when another rule was inserted before it', () => {
    const rs = buildRuleset(sampleProfile(), 4, HOST);
    const save = applied(FRESH_SAVE4, rs).replace('-A DOCKER-USER -i hm-agent', '-A DOCKER-USER -j ACCEPT\n-A DOCKER-USER -i hm-agent');
    const change = planFirewall(rs, save);
    expect(change.changes).toEqual(['move jump DOCKER-USER -i hm-agent → HERMIT-agent']);
    expect(change.payload).toBe(
      '*filter\n-D DOCKER-USER -i hm-agent -m comment --comment "hermit:agent" -j HERMIT-agent\n' +
        '-I DOCKER-USER 1 -i hm-agent -m comment --comment "hermit:agent" -j HERMIT-agent\nCOMMIT\n',
    );
  });

  it('removes a stale jump left by an earlier bridge name', () => {
    const old = sampleProfile();
    old.network = { ...old.network, bridge: 'hm-old' };
    const change = planFirewall(buildRuleset(sampleProfile(), 4, HOST), applied(FRESH_SAVE4, buildRuleset(old, 4, HOST)));
    expect(change.payload).toContain('-D DOCKER-USER -i hm-old -m comment --comment "hermit:agent" -j HERMIT-agent');
    expect(change.payload).toContain('-I DOCKER-USER 1 -i hm-agent');
  });

  it('refuses a host without DOCKER-USER', () => {
    const save = FRESH_SAVE4.replace(':DOCKER-USER - [0:0]\n', '').replace('-A FORWARD -j DOCKER-USER\n', '');
    expect(() => planFirewall(buildRuleset(sampleProfile(), 4, HOST), save)).toThrow(/no DOCKER-USER chain/);
  });

  it('refuses the nftables backend and a legacy/nft disagreement', () => {
    const fw = sampleFacts().firewall;
    expect(() => checkFirewallBackend({ ...fw, dockerBackend: 'nftables' })).toThrow(HermitError);
    expect(() => checkFirewallBackend({ ...fw, dockerChainsInOtherVariant: true })).toThrow(/iptables-legacy, but this host's iptables is iptables-nft/);
    expect(() => checkFirewallBackend(fw)).not.toThrow();
  });
});
