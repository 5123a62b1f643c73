// A profile that turns IPv6 on: IPv6 is refused like IPv4 (a TCP reset counted by hermit's rule, at
// once, not a hang), and the probe proves it with IPv6 rows of its own.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type WorldInfo, connectEnd, hermit, pidOf, writeProfile } from './world.js';

const world = inject('world') as WorldInfo;
const NAME = 'v6-on';
const GATEWAY6 = 'fd00:67::1';

describe.skipIf(!!world.skip)('IPv6 mode', () => {
  const file = writeProfile(world, NAME, `name: ${NAME}
image: ${world.image}
command: [sleep, "86400"]
network: { subnet: 172.30.67.0/24, ipv6: true, subnet6: "fd00:67::/64" }
dns: [${world.addr.router}]
probe:
  dnsName: internet.test
  mustReach: [{ host: internet.test, port: ${world.ports.internet} }]
`);
  let run: Awaited<ReturnType<typeof hermit>>;
  beforeAll(async () => { run = await hermit(world, ['run', file]); });
  afterAll(async () => { await hermit(world, ['down', NAME]); });

  it('the probe shows IPv6 rows and passes', () => {
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain(`bridge IPv6 gateway (the host) [${GATEWAY6}]:`);
  });

  it("a TCP connect to the host's IPv6 bridge address is refused by hermit's reset, not left to hang", async () => {
    const pid = await pidOf(world, `hermit-${NAME}`);
    // A service listens there on every address ([::]): only hermit's rule stands between.
    expect(await connectEnd(world, pid, NAME, GATEWAY6, world.ports.hostAllService)).toBe('reset by hermit');
  });
});
