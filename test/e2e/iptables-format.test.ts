// The planner compares its rendered rules with `iptables-save` text line by line; this pins that
// the rendering is exactly what real iptables and ip6tables print back, for both variants.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { planFirewall } from '../../src/firewall/iptables.js';
import { buildRuleset } from '../../src/plan/ruleset.js';
import { FRESH_SAVE4, FRESH_SAVE6, sampleProfile } from '../unit/fixtures.js';
import { type WorldInfo, worldNs } from './world.js';

const world = inject('world') as WorldInfo;
const NS = worldNs('iptfmt');
const inNs = (file: string, args: string[], input?: string) =>
  execFileSync('nsenter', [`--net=/var/run/netns/${NS}`, '--', file, ...args], { input, encoding: 'utf8' });

describe.skipIf(!!world.skip)('rendered rules round-trip through real iptables', () => {
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', NS]);
  });
  afterAll(() => {
    execFileSync('ip', ['netns', 'del', NS]);
  });

  const profile = sampleProfile();
  profile.network = { ...profile.network, ipv6: true, subnet6: 'fd00:30::/64' };
  profile.dns = [...profile.dns, '2606:4700:4700::1111'];

  for (const variant of ['nft', 'legacy'] as const) {
    for (const [family, fresh] of [[4, FRESH_SAVE4], [6, FRESH_SAVE6]] as const) {
      it(`IPv${family} with iptables-${variant}: applying the payload leaves nothing to change`, () => {
        const tool = family === 4 ? 'iptables' : 'ip6tables';
        // A filter table that looks like Docker's, then hermit's payload on top.
        inNs(`${tool}-${variant}-restore`, [], fresh.replace(/^#.*\n/gm, ''));
        const change = planFirewall(buildRuleset(profile, family, ['192.168.50.10']), fresh);
        inNs(`${tool}-${variant}-restore`, ['--noflush'], change.payload!);
        const saved = inNs(`${tool}-${variant}-save`, ['-t', 'filter']);
        expect(planFirewall(buildRuleset(profile, family, ['192.168.50.10']), saved).payload).toBeNull();
        // And the revert payload puts the table back as it was.
        inNs(`${tool}-${variant}-restore`, ['--noflush'], change.revert!);
        expect(inNs(`${tool}-${variant}-save`, ['-t', 'filter'])).not.toContain('HERMIT');
      });
    }
  }
});
