import { expect, it } from 'vitest';
import { locatingProfileErrors } from '../../src/commands/common.js';
import { planNetwork } from '../../src/plan/network.js';
import { parseProfile } from '../../src/profile/load.js';
import { sampleFacts } from './fixtures.js';

it('points a subnet the host already routes at its line in the profile', () => {
  const loaded = parseProfile('/p/agent.yaml', 'name: agent\nimage: busybox\nnetwork:\n  subnet: 192.168.50.0/24\ndns: [1.1.1.1]\n', {});
  expect(() => locatingProfileErrors(loaded, () => planNetwork(loaded.profile, sampleFacts())))
    .toThrow(/^\/p\/agent\.yaml:4:11: network\.subnet 192\.168\.50\.0\/24 overlaps the host route 192\.168\.50\.0\/24 on uplink$/);
});
