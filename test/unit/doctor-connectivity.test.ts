// Connectivity from the three vantage points, fed with what the workers answered in the e2e world
// (healthy, ip_forward off, a dead resolver, the uplink at MTU 1400), and with crafted answers
// for what the world cannot show: a black hole, IPv6 that hangs, a fault only on hermit's network.
import { describe, expect, it } from 'vitest';
import { vantageRequests } from '../../src/doctor/inside.js';
import type { Snapshot, Vantage } from '../../src/doctor/types.js';
import { checks, docProfile, evidence, variant } from './doctor-fixtures.js';

const healthy = evidence('world-healthy');
const profile = docProfile();

/** Changes one vantage point's raw answers. */
const at = (snap: Snapshot, id: Vantage['id'], change: (v: Vantage) => Vantage) => variant(snap, {}, (v) => (v.id === id ? change(structuredClone(v)) : v));

describe('recorded: the e2e world', () => {
  it('healthy: every vantage point resolves, connects and carries full-size packets', () => {
    const c = checks(healthy, profile);
    for (const id of ['connectivity.localize', 'connectivity.ipv6', ...['profile', 'bridge', 'host'].flatMap((v) => [`connectivity.dns.${v}`, `connectivity.tcp.${v}`, `connectivity.mtu.${v}`])]) {
      expect({ id, status: c[id]!.status }).toEqual({ id, status: 'ok' });
    }
    expect(c['connectivity.dns.profile']!.evidence).toEqual(['from agent container hermit-doc-ok', expect.stringMatching(/^internet\.test via 127\.0\.0\.11: answered 203\.0\.113\.10 in \d+ ms$/),
      expect.stringMatching(/^internet\.test via 192\.168\.50\.1: answered 203\.0\.113\.10 in \d+ ms$/)]);
    expect(c['connectivity.mtu.profile']!.evidence[1]).toContain('sent 1500-byte datagrams with DF, which arrived (port unreachable came back)');
  });

  it("ip_forward off: the host works, both container networks fail: Docker's forwarding", () => {
    const c = checks(evidence('world-ip-forward-off'), profile);
    expect(c['connectivity.localize']).toMatchObject({ status: 'fail', summary: expect.stringContaining("Docker's forwarding") });
    expect(c['connectivity.localize']!.fix).toContain('host.ip-forward');
    expect(c['connectivity.dns.bridge']!.fix).toContain("the host succeeds but Docker's default bridge fails too");
    expect(c['connectivity.dns.profile']!.fix).toMatch(/^Docker's embedded DNS \(127\.0\.0\.11\) forwards to the profile's resolvers, which fail too: Resolver 192\.168\.50\.1: /);
    expect(c['connectivity.tcp.profile']).toMatchObject({ status: 'fail', fix: 'The names did not resolve: see connectivity.dns.profile.' });
    expect(c['connectivity.tcp.host']!.status).toBe('ok');
  });

  it('a dead resolver: named, and dead from the host too', () => {
    const c = checks(evidence('world-dead-resolver'), docProfile('doc-deaddns'));
    expect(c['connectivity.dns.profile']).toMatchObject({ status: 'fail', summary: '2 resolvers did not answer: 127.0.0.11, 203.0.113.53' });
    expect(c['connectivity.dns.profile']!.fix).toContain('Resolver 203.0.113.53 does not answer even from the host: it is down or unreachable');
    expect(c['connectivity.dns.host']).toMatchObject({ status: 'fail', summary: '1 resolver did not answer: 203.0.113.53' });
    expect(c['connectivity.tcp.host']!.status).toBe('ok'); // through the host's own resolver
  });

  it('the uplink at 1400: the kernel learned a path MTU of 1400 inside the container', () => {
    const c = checks(evidence('world-uplink-mtu-1400'), profile, 'doc-ok')['connectivity.mtu.profile']!;
    expect(c).toMatchObject({ status: 'warn', summary: expect.stringMatching(/^the path MTU to internet\.test is 1400, but this side sends 1500-byte packets/) });
    expect(c.evidence[1]).toContain("EMSGSIZE: a router said they were too big); kernel's path MTU 1400; ping small answered, 1500-byte with DF unanswered");
    expect(c.fix).toBe('Set network.mtu: 1400 in the profile and recreate its network (docker network rm hermit-doc-ok; hermit run doc-ok)');
  });
});

describe('crafted', () => {
  it('a black hole: no path MTU reported, a small echo answered, a full-size one with DF not', () => {
    const snap = at(healthy, 'profile', (v) => {
      v.netns!.mtu[0]!.pingLarge = { exitCode: 1, stdout: '1 packets transmitted, 0 packets received', stderr: '' };
      return v;
    });
    const c = checks(snap, profile)['connectivity.mtu.profile']!;
    expect(c).toMatchObject({ status: 'fail', summary: 'black hole: 1500-byte packets to internet.test vanish and nothing reports why (small ones get through)' });
    expect(c.fix).toContain('Set network.mtu: <that value>');
  });

  it('only the profile network fails while the bridge and the host connect: hermit\'s network or rules', () => {
    const snap = at(healthy, 'profile', (v) => { v.probe!.tcp[0] = { id: 't1', outcome: 'unreachable', code: 'EHOSTUNREACH', address: '203.0.113.10', ms: 3 }; return v; });
    const c = checks(snap, profile, 'doc-ok');
    expect(c['connectivity.tcp.profile']).toMatchObject({ status: 'fail', summary: 'internet.test:80: rejected / unreachable (EHOSTUNREACH) [203.0.113.10] in 3 ms' });
    expect(c['connectivity.localize']!.summary).toContain("only the profile's network fails");
    expect(c['connectivity.localize']!.fix).toContain('hermit run doc-ok re-applies the rules');
  });

  it('embedded DNS failing alone points at dockerd', () => {
    const snap = at(healthy, 'profile', (v) => { v.probe!.dns[0] = { id: 'd1', outcome: 'timeout', addresses: [], code: 'ETIMEOUT', ms: 3000 }; return v; });
    expect(checks(snap, profile)['connectivity.dns.profile']!.fix).toMatch(/^Docker's embedded DNS \(127\.0\.0\.11\) fails while the resolvers it forwards to answer directly/);
  });

  it('IPv6 that looks usable but hangs fails; AAAA with IPv6 off warns unless the profile prefers IPv4', () => {
    const hang = at(healthy, 'host', (v) => {
      v.netns!.aaaa[0] = { id: 'a1', outcome: 'answered', addresses: ['2001:db8::10'], ms: 5, connect: { address: '2001:db8::10', outcome: 'timeout', ms: 2990 } };
      return v;
    });
    const c = checks(hang, profile)['connectivity.ipv6']!;
    expect(c).toMatchObject({ status: 'fail', summary: 'internet.test has IPv6 addresses and IPv6 looks usable from the host, but connecting over it hangs' });
    expect(c.fix).toContain('/etc/gai.conf');
    const off = at(healthy, 'profile', (v) => {
      v.netns!.aaaa[0] = { id: 'a1', outcome: 'answered', addresses: ['2001:db8::10'], ms: 5, connect: { address: '2001:db8::10', outcome: 'unreachable', code: 'ENETUNREACH', ms: 0 } };
      return v;
    });
    expect(checks(off, profile)['connectivity.ipv6']).toMatchObject({ status: 'warn', fix: expect.stringContaining('--dns-result-order=ipv4first') });
    const prefers = { ...profile, container: { ...profile.container, env: { NODE_OPTIONS: '--dns-result-order=ipv4first' } } };
    expect(checks(off, prefers)['connectivity.ipv6']).toMatchObject({ status: 'ok', summary: expect.stringContaining('the profile prefers IPv4') });
  });

  it('vantage points that could not run are skipped with their reason', () => {
    const snap = variant(healthy, {}, (v) => (v.id === 'host' ? v : { id: v.id, label: v.label, skipped: `image ${profile.image} is not on this host, and doctor does not pull` }));
    const c = checks(snap, profile);
    expect(c['connectivity.tcp.bridge']).toMatchObject({ status: 'skipped', summary: 'image hermit-e2e/busybox:latest is not on this host, and doctor does not pull' });
    expect(c['connectivity.localize']!.status).toBe('ok');
  });
});

describe('vantageRequests', () => {
  it("asks the same targets everywhere: the profile's network through 127.0.0.11 first, the others through the host's resolvers", () => {
    const p = vantageRequests(profile, 'profile', ['127.0.0.53', '10.0.0.2']);
    expect(p.probe.dns.map((d) => d.server)).toEqual(['127.0.0.11', '192.168.50.1']);
    expect(p.probe.tcp).toEqual([{ id: 't1', host: 'internet.test', port: 80, resolver: '127.0.0.11' }]);
    expect(p.netns.aaaa).toEqual([{ id: 'a1', server: '127.0.0.11', name: 'internet.test', port: 80 }]);
    expect(vantageRequests(profile, 'bridge', ['127.0.0.53', '10.0.0.2']).probe.dns.map((d) => d.server)).toEqual(['10.0.0.2', '192.168.50.1']);
    expect(vantageRequests(profile, 'host', ['127.0.0.53']).probe.tcp[0]!.resolver).toBe('127.0.0.53');
  });
});
