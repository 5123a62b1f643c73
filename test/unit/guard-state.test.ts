import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/plan/host-facts.js';
import { profileStatus } from '../../src/plan/profile-status.js';
import { renderStatus } from '../../src/report/status-text.js';
import { withHostLock } from '../../src/state/lock.js';
import { nftablesMayHold, recordBinds, recordProbe, recordedProfiles, recordRules, savedBinds, savedRules } from '../../src/state/store.js';
import { sampleProfile } from './fixtures.js';

describe('host lock and saved rules', () => {
  const before = process.env.HERMIT_STATE_DIR;
  beforeEach(() => { process.env.HERMIT_STATE_DIR = mkdtempSync(join(tmpdir(), 'hermit-state-')); });
  afterEach(() => { if (before === undefined) delete process.env.HERMIT_STATE_DIR; else process.env.HERMIT_STATE_DIR = before; });

  it('runs holders one at a time, and is not a profile', async () => {
    const events: string[] = [];
    const holder = (n: number) => withHostLock(async () => {
      events.push(`in ${n}`);
      await new Promise((r) => setTimeout(r, 20));
      events.push(`out ${n}`);
    });
    await Promise.all([holder(1), holder(2), holder(3)]);
    for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i]!.replace('in', 'out'));
    await recordProbe('/p.yaml', 'c1', { container: 'x', profile: 'agent', ok: true, rows: [] });
    await withHostLock(async () => expect(await recordedProfiles()).toEqual(['agent']));
  });

  it('takes over the lock of a holder that died', async () => {
    writeFileSync(join(process.env.HERMIT_STATE_DIR!, '.lock'), '999999999');
    expect(await withHostLock(async () => 'ran', 2000)).toBe('ran');
  });

  it('saves the rulesets a run applied, for boot', async () => {
    const { buildRuleset } = await import('../../src/plan/ruleset.js');
    const rs = buildRuleset(sampleProfile(), 4, []);
    await recordRules('agent', '/p/agent.yaml', 'iptables', [rs]);
    expect(await savedRules('agent')).toMatchObject({ profile: 'agent', file: '/p/agent.yaml', rulesets: [rs] });
  });

  it('writes the rules and binds records only when they change (a run of an unchanged profile writes neither)', async () => {
    const { buildRuleset } = await import('../../src/plan/ruleset.js');
    const rs = buildRuleset(sampleProfile(), 4, []);
    expect(await recordRules('agent', '/p/agent.yaml', 'iptables', [rs], await savedRules('agent'))).toBe(true);
    const first = (await savedRules('agent'))!;
    await new Promise((r) => setTimeout(r, 5));
    expect(await recordRules('agent', '/p/agent.yaml', 'iptables', [rs], first)).toBe(false);
    expect((await savedRules('agent'))!.at).toBe(first.at);
    // Any other field is a change: the backend, the file, the rules.
    expect(await recordRules('agent', '/p/agent.yaml', 'nftables', [rs], first)).toBe(true);
    expect((await savedRules('agent'))!.backend).toBe('nftables');
    expect(await recordRules('agent', '/q/agent.yaml', 'nftables', [rs], await savedRules('agent'))).toBe(true);
    expect(await recordRules('agent', '/q/agent.yaml', 'nftables', [buildRuleset(sampleProfile(), 6, [])], await savedRules('agent'))).toBe(true);
    // A record of before nftables (no backend) is written again, with its backend.
    const { backend: _, ...legacy } = (await savedRules('agent'))!;
    expect(await recordRules('agent', legacy.file, 'iptables', legacy.rulesets, legacy)).toBe(true);

    const pins = [{ key: 'container.mounts[0]', index: 0, source: '/home/u/p', target: '/var/lib/hermit/.binds/agent/0', container: '/work' }];
    expect(await recordBinds('agent', pins, await savedBinds('agent'))).toBe(true);
    expect(await recordBinds('agent', pins, await savedBinds('agent'))).toBe(false);
    expect(await recordBinds('agent', [], await savedBinds('agent'))).toBe(true);
    expect((await savedBinds('agent'))!.pins).toEqual([]);
  });

  it('nftables may hold a profile\'s rules unless its last successful run used iptables', async () => {
    const rec = { at: '', profile: 'agent', file: '/p.yaml', rulesets: [] };
    expect(nftablesMayHold(undefined)).toBe(true);
    expect(nftablesMayHold({ ...rec, backend: 'nftables' })).toBe(true);
    expect(nftablesMayHold({ ...rec, backend: 'iptables' })).toBe(false);
    expect(nftablesMayHold(rec)).toBe(false); // written before nftables: iptables
  });
});

describe('status: when the guarantee was last verified, and by what', () => {
  const inv: Inventory = { containers: [], networks: [], save4: '', save6: '', nftTables: {} };
  const probe = { at: '2026-01-01T10:00:00.000Z', profile: 'agent', file: 'f', containerId: 'c1', ok: true, report: { container: 'c', profile: 'agent', ok: true, rows: [] } };

  it('the guard\'s record when it is newer than the last probe, else the probe', () => {
    const verified = { at: '2026-01-01T10:05:00.000Z', profile: 'agent', by: 'hermit guard (interval)', ok: true, actions: [] };
    const s = profileStatus('agent', inv, { hostAddresses: [], probe, verified });
    expect(s.lastVerified).toEqual({ at: verified.at, by: 'hermit guard (interval)', ok: true, actions: [] });
    expect(renderStatus(s)).toContain('  verified    2026-01-01T10:05:00.000Z by hermit guard (interval): ok');
    const older = profileStatus('agent', inv, { hostAddresses: [], probe, verified: { ...verified, at: '2026-01-01T09:00:00.000Z' } });
    expect(older.lastVerified?.by).toBe('a probe (hermit run or hermit probe)');
    expect(renderStatus(profileStatus('agent', inv, { hostAddresses: [] }))).toContain('  verified    never');
  });
});
