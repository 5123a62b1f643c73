// Network checks fed with recorded outputs of the e2e world (healthy, uplink MTU lowered to 1400)
// and variants: a VPN route over the profile's subnet, a network that drifted from the profile,
// IPv6 on in the container.
import { describe, expect, it } from 'vitest';
import { checks, docProfile, edit, evidence, variant } from './doctor-fixtures.js';

const healthy = evidence('world-healthy');
const profile = docProfile();
const FILE = 'doc-ok';

describe('network.mtu', () => {
  it('recorded: the uplink lowered to 1400 fails, and the fix is network.mtu: 1400 with the network recreated', () => {
    const c = checks(evidence('world-uplink-mtu-1400'), profile, FILE)['network.mtu']!;
    expect(c.status).toBe('fail');
    expect(c.summary).toMatch(/^bridge hm-doc-ok has MTU 1500 but the uplink uplink carries 1400/);
    expect(c.evidence).toEqual(['uplink uplink (default route): mtu 1400', 'bridge hm-doc-ok (network hermit-doc-ok): mtu 1500']);
    expect(c.fix).toBe('Set network.mtu: 1400 in the profile, then recreate the network: docker rm -f hermit-doc-ok; docker network rm hermit-doc-ok; hermit run doc-ok');
  });

  it("a route MTU counts (a tunnel's default route), and another network's mismatch only warns", () => {
    const routeMtu = edit(healthy, 'ip-route4', '"dev":"uplink","flags":[]}', '"dev":"uplink","flags":[],"metrics":[{"mtu":1420}]}');
    expect(checks(routeMtu, profile)['network.mtu']).toMatchObject({ status: 'fail', summary: expect.stringContaining('carries 1420') });
    const docker0 = edit(healthy, 'ip-link', /("ifname":"docker0","flags":\[[^\]]*\],"mtu":)1500/, '$19000');
    expect(checks(docker0)['network.mtu']).toMatchObject({ status: 'fail', summary: expect.stringContaining('bridge docker0 has MTU 9000') });
    expect(checks(docker0, profile)['network.mtu']!.status).toBe('ok'); // the profile's own bridge is what matters
  });

  it('is skipped without a default route', () => {
    const snap = variant(healthy, { 'ip-route4': { stdout: '[]' } });
    expect(checks(snap, profile)['network.mtu']).toMatchObject({ status: 'skipped', summary: 'no IPv4 default route: no uplink to compare with' });
  });
});

describe('network.overlap', () => {
  const vpn = (route: string) => edit(healthy, 'ip-route4', /\]$/, `,${route}]`);

  it('a VPN route as specific as the subnet fails: replies to the containers would leave through it', () => {
    const c = checks(vpn('{"dst":"172.30.20.0/24","dev":"tun0","scope":"link","flags":[]}'), profile)['network.overlap']!;
    expect(c).toMatchObject({ status: 'fail', summary: 'hermit-doc-ok 172.30.20.0/24 overlaps route 172.30.20.0/24 dev tun0: replies to the containers leave through tun0' });
    expect(c.fix).toContain('Choose a network.subnet');
  });

  it('a broader VPN route warns; catch-all routes (0/1, 128/1) are ignored', () => {
    expect(checks(vpn('{"dst":"172.16.0.0/12","dev":"wg0","flags":[]}'), profile)['network.overlap']!.status).toBe('warn');
    expect(checks(vpn('{"dst":"0.0.0.0/1","dev":"tun0","flags":[]},{"dst":"128.0.0.0/1","dev":"tun0","flags":[]}'), profile)['network.overlap']!.status).toBe('ok');
  });

  it('checks the planned subnet of a profile whose network does not exist yet', () => {
    const other = docProfile('doc-deaddns');
    const c = checks(vpn('{"dst":"172.30.21.128/25","dev":"tun0","flags":[]}'), other)['network.overlap']!;
    expect(c).toMatchObject({ status: 'fail', summary: expect.stringContaining('hermit-doc-deaddns (planned) 172.30.21.0/24 overlaps route 172.30.21.128/25') });
  });
});

describe('network.bridge and network.ipv6', () => {
  it('recorded: the healthy network matches the profile', () => {
    const c = checks(healthy, profile);
    expect(c['network.bridge']).toMatchObject({ status: 'ok', summary: 'hermit-doc-ok: subnet 172.30.20.0/24, gateway 172.30.20.1, bridge hm-doc-ok (mtu 1500)' });
    expect(c['network.ipv6']).toMatchObject({ status: 'ok', summary: 'IPv6 is off in the container, as the profile says' });
  });

  it('a network that drifted from the profile fails with the commands that recreate it', () => {
    const snap = edit(healthy, 'docker-networks', '"Subnet": "172.30.20.0/24"', '"Subnet": "172.30.99.0/24"');
    const c = checks(snap, profile, FILE)['network.bridge']!;
    expect(c.summary).toContain('subnet is 172.30.99.0/24, the profile says 172.30.20.0/24');
    expect(c.fix).toBe('Docker cannot change a network in place; recreate it: docker rm -f hermit-doc-ok; docker network rm hermit-doc-ok; hermit run doc-ok');
  });

  it('IPv6 on in the container although the profile turns it off fails', () => {
    const snap = variant(healthy, {}, (v) => (v.id === 'profile' ? { ...v, probe: { ...v.probe!, ipv6: { disabled: false, addresses: ['fd00:30::2'] } } } : v));
    expect(checks(snap, profile, FILE)['network.ipv6']).toMatchObject({ status: 'fail', fix: 'hermit run doc-ok --replace recreates the container with disable_ipv6=1' });
  });

  it('a profile not applied yet is skipped', () => {
    expect(checks(healthy, docProfile('doc-deaddns'))['network.bridge']).toMatchObject({ status: 'skipped', summary: 'network hermit-doc-deaddns does not exist yet (hermit run creates it)' });
  });
});
