import { describe, expect, it } from 'vitest';
import { allFirewalls, firewallCommand, firewallFor } from '../../src/firewall/index.js';
import { iptables } from '../../src/firewall/iptables.js';
import { nftables } from '../../src/firewall/nftables.js';
import { firewallChanges, wantedRulesets } from '../../src/plan/plan.js';
import { planAttribution } from '../../src/plan/attribution.js';
import { formatRuleset } from '../../src/report/plan.js';
import { readResetCounters, restoreRecordedRules } from '../../src/apply/firewall.js';
import { FRESH_SAVE4, FRESH_SAVE6, sampleFacts, sampleProfile } from './fixtures.js';
import { FakeRunner } from './fakes/runner.js';

describe('the firewall backend as one module', () => {
  it('is looked up by the name the facts carry, and each change names the one it was planned with', () => {
    expect(allFirewalls.map((b) => b.name)).toEqual(['iptables', 'nftables']);
    expect(firewallFor('nftables')).toBe(nftables);
    const [v4] = firewallChanges(sampleProfile(), sampleFacts());
    expect(firewallCommand(v4!, 'x')).toEqual({ file: 'iptables-restore', args: ['--noflush', '--wait', '10'], input: 'x' });
    expect(firewallCommand({ backend: 'nftables', what: 't', payload: 'x', revert: null, changes: [] }, 'x')).toEqual({ file: 'nft', args: ['-f', '-'], input: 'x' });
  });

  it('--dry-run lists the rulesets the payload is planned from: the IPv6 forward jump in DOCKER-USER where ip6tables has it', () => {
    const facts = sampleFacts();
    const text = formatRuleset(sampleProfile(), facts);
    const v6 = text.slice(text.indexOf('# IPv6'));
    expect(v6).toContain('-A DOCKER-USER -i hm-agent');
    expect(v6).not.toMatch(/^-A FORWARD .*-j HERMIT-agent$/m);
    // Every jump the payload inserts is a line of the dry-run text.
    const payload6 = firewallChanges(sampleProfile(), facts).find((c) => c.family === 6)!.payload!;
    const inserted = payload6.split('\n').filter((l) => l.startsWith('-I ')).map((l) => l.replace(/^-I (\S+) 1 /, '-A $1 '));
    expect(inserted.length).toBeGreaterThan(0);
    for (const line of inserted) if (!line.startsWith('-A FORWARD -j DOCKER-USER')) expect(text).toContain(line);
  });

  it('--dry-run shows no IPv6 rules where the host has no ip6tables (none would be written)', () => {
    const facts = sampleFacts();
    facts.firewall = { ...facts.firewall, save6: '' };
    expect(wantedRulesets(sampleProfile(), facts).map((rs) => rs.family)).toEqual([4]);
    expect(formatRuleset(sampleProfile(), facts)).not.toContain('# IPv6');
  });

  it('reads reset counters per family: a failed ip6tables-save read leaves the IPv6 rules uncounted', () => {
    const p = sampleProfile();
    p.network = { ...p.network, ipv6: true, subnet6: 'fd00:30::/64' };
    const att = planAttribution(p, sampleFacts());
    expect(iptables.counterReads(att).map((c) => c.file)).toEqual(['iptables-save', 'ip6tables-save']);
    const counts = iptables.resetCounters(att, ['', undefined]);
    att.rules.forEach((r, i) => { if (r.family === 6) expect(counts[i]).toBeUndefined(); });
    expect(nftables.resetCounters({ ...att, backend: 'nftables' }, [undefined])).toEqual(att.rules.map(() => undefined));
  });

  it('plans the boot restore from its reads: no ip6tables is a note, an unreadable IPv4 table or nft ruleset a failure', () => {
    const facts = sampleFacts();
    const rulesets = wantedRulesets(sampleProfile(), facts);
    expect(iptables.bootReads(rulesets).map((c) => c.file)).toEqual(['iptables-save', 'ip6tables-save']);
    const steps = iptables.bootPlan('agent', rulesets, [{ exitCode: 0, stdout: FRESH_SAVE4, stderr: '' }, { exitCode: 1, stdout: '', stderr: 'x', thrown: true }]);
    expect(steps[0]).toMatchObject({ fix: { backend: 'iptables', family: 4 } });
    expect(steps[1]).toEqual({ note: 'no ip6tables here; IPv6 rules not restored', fails: false });
    expect(iptables.bootPlan('agent', rulesets.slice(0, 1), [{ exitCode: 1, stdout: '', stderr: 'denied', thrown: false }]))
      .toEqual([{ note: 'cannot read the IPv4 filter table: denied', fails: true }]);
    expect(nftables.bootPlan('agent', rulesets, [{ exitCode: 1, stdout: '', stderr: 'no nft\n' }])).toEqual([{ note: 'cannot read the nftables ruleset: no nft', fails: true }]);
  });

  it('boot restore reads each family, writes what is missing, and logs it (through the runner)', async () => {
    const rulesets = wantedRulesets(sampleProfile(), sampleFacts());
    const runner = new FakeRunner().on('iptables-save', [], { stdout: FRESH_SAVE4 }).on('ip6tables-save', [], { stdout: FRESH_SAVE6 });
    const log: string[] = [];
    const rec = { at: 'T', profile: 'agent', file: '/p.yaml', rulesets };
    expect(await restoreRecordedRules('agent', rec, (l) => log.push(l), runner)).toBe(true);
    expect(runner.calls.map((c) => c.file)).toEqual(['iptables-save', 'ip6tables-save', 'iptables-restore', 'ip6tables-restore']);
    expect(log[0]).toMatch(/^agent: restored IPv4 rules from T: /);
    const nft = new FakeRunner().fail('nft', ['list'], 'Operation not permitted');
    const nlog: string[] = [];
    expect(await restoreRecordedRules('agent', { ...rec, backend: 'nftables' }, (l) => nlog.push(l), nft)).toBe(false);
    expect(nlog).toEqual(['agent: cannot read the nftables ruleset: Operation not permitted']);
  });

  it('reads reset counters with a short timeout, and none when the firewall cannot be read', async () => {
    const att = planAttribution(sampleProfile(), sampleFacts({ firewall: { ...sampleFacts().firewall, backend: 'nftables' } }));
    const runner = new FakeRunner().fail('nft', ['list'], 'no table');
    expect(await readResetCounters(att, runner)).toEqual(att.rules.map(() => undefined));
    expect(runner.calls).toEqual([{ file: 'nft', args: ['list', 'table', 'inet', 'hermit-agent'], timeoutMs: 10_000 }]);
  });
});
