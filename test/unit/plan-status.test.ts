import { describe, expect, it } from 'vitest';
import type { ExistingContainer, Inventory } from '../../src/plan/host-facts.js';
import { asThisHostHoldsIt, parseSave } from '../../src/firewall/iptables.js';
import { buildRuleset, renderJump, renderRule } from '../../src/plan/ruleset.js';
import { knownProfiles, profileStatus } from '../../src/plan/profile-status.js';
import type { ProbeRecord } from '../../src/state/store.js';
import { renderStatus } from '../../src/report/status-text.js';
import { FRESH_SAVE4, FRESH_SAVE6, sampleProfile } from './fixtures.js';

const HOST = ['127.0.0.1', '192.168.50.10'];
const profile = sampleProfile();

function applied(save: string, family: 4 | 6): string {
  const chains = parseSave(save);
  const rs = asThisHostHoldsIt(buildRuleset(profile, family, HOST), save);
  for (const c of rs.chains) chains.set(c.name, c.rules.map((r) => renderRule(c.name, r, rs.family)));
  for (const j of rs.jumps) chains.set(j.from, [renderJump(j), ...(chains.get(j.from) ?? [])]);
  return ['*filter', ...[...chains.keys()].map((n) => `:${n} - [0:0]`), ...[...chains.values()].flat(), 'COMMIT', ''].join('\n');
}

const c: ExistingContainer = { id: 'c1', name: 'hermit-agent', running: true, status: 'running', pid: 7, image: 'sha256:1', startedAt: '2025-01-02T03:04:05.123456Z', labels: { 'hermit.profile': 'agent' }, networks: ['hermit-agent'], restartPolicy: 'unless-stopped' };
const inv: Inventory = {
  containers: [c],
  networks: [{ id: 'n1', name: 'hermit-agent', driver: 'bridge', subnets: [], gateways: [], ipv6: false, labels: { 'hermit.profile': 'agent' }, containers: ['hermit-agent'] }],
  save4: applied(FRESH_SAVE4, 4),
  save6: applied(FRESH_SAVE6, 6),
  nftTables: {},
  backend: 'iptables',
};
const probe: ProbeRecord = { at: '2025-01-02T03:05:00.000Z', profile: 'agent', file: '/p/agent.yaml', containerId: 'c1', ok: true, report: { container: 'hermit-agent', profile: 'agent', ok: true, rows: [] } };
const input = { profile, file: '/p/agent.yaml', hostAddresses: HOST, imageId: 'sha256:1', probe };

describe('status', () => {
  it('is ok when the container runs, the rules are exactly the profile\'s and its last probe passed', () => {
    const s = profileStatus('agent', inv, input);
    expect(s.rules).toEqual([{ family: 4, state: 'intact' }, { family: 6, state: 'intact' }]);
    expect(s.container).toMatchObject({ state: 'running', image: 'current' });
    expect(s.ok).toBe(true);
    expect(renderStatus(s)).toContain('isolation   proven');
  });

  it('says what differs when a rule was removed or moved, and is then not ok', () => {
    const moved = inv.save4.replace(/^(-A DOCKER-USER -i hm-agent .*)$/m, '-A DOCKER-USER -j ACCEPT\n$1');
    const s = profileStatus('agent', { ...inv, save4: moved }, input);
    expect(s.rules[0]).toEqual({ family: 4, state: 'differs', detail: 'to fix: move jump DOCKER-USER -i hm-agent → HERMIT-agent' });
    expect(s.ok).toBe(false);
    expect(profileStatus('agent', { ...inv, save4: FRESH_SAVE4 }, input).rules[0]).toEqual({ family: 4, state: 'missing' });
  });

  it('is not ok for a stopped container, an outdated image is reported, a probe of another container does not count', () => {
    expect(profileStatus('agent', { ...inv, containers: [{ ...c, running: false, status: 'exited' }] }, input).ok).toBe(false);
    expect(profileStatus('agent', inv, { ...input, imageId: 'sha256:2' }).container.image).toBe('outdated');
    const s = profileStatus('agent', inv, { ...input, probe: { ...probe, containerId: 'c0' } });
    expect(s.lastProbe?.ofThisContainer).toBe(false);
    expect(s.ok).toBe(false);
  });

  it('without the profile reports rules as present, and finds profiles from labels and chain names', () => {
    const s = profileStatus('agent', inv, { hostAddresses: HOST });
    expect(s.rules.map((r) => r.state)).toEqual(['present', 'present']);
    expect(s.ok).toBe(false);
    const chainsOnly = { containers: [], networks: [], save4: applied(FRESH_SAVE4, 4).replaceAll('agent', 'gone'), save6: '', nftTables: {} };
    expect(knownProfiles(chainsOnly, ['recorded'])).toEqual(['gone', 'recorded']);
    expect(knownProfiles(inv)).toEqual(['agent']);
    expect(profileStatus('gone', chainsOnly, { hostAddresses: HOST }).rules).toEqual([{ family: 4, state: 'present' }, { family: 6, state: 'unavailable' }]);
  });
});
