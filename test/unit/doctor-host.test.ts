// Host checks fed with recorded outputs: the e2e world healthy and broken on purpose, this machine
// (no Docker engine; and as an unprivileged user), and variants crafted by editing those outputs.
import { describe, expect, it } from 'vitest';
import { Facts } from '../../src/doctor/snapshot-views.js';
import { firewallFor } from '../../src/firewall/index.js';
import { checks, docProfile, edit, evidence, variant } from './doctor-fixtures.js';

const healthy = evidence('world-healthy');
const profile = docProfile();
const FILE = '/tmp/hermit-e2e/profiles/doc-ok.yaml';

describe('recorded: the e2e world', () => {
  it('finds a healthy host healthy', () => {
    const c = checks(healthy, profile, FILE);
    for (const id of ['host.system', 'host.docker', 'host.firewall-backend', 'host.ip-forward', 'host.firewall-managers', 'host.forward-order', 'host.hermit-rules']) {
      expect({ id, status: c[id]!.status }).toEqual({ id, status: 'ok' });
    }
    expect(c['host.system']!.summary).toBe('Debian GNU/Linux 12 (bookworm), kernel 6.18.44-fc-v657, Docker 20.10.24+dfsg1');
    expect(c['host.firewall-backend']!.summary).toContain('iptables-nft');
    expect(c['host.hermit-rules']!.evidence).toContain('IPv4 DOCKER-USER → HERMIT-doc-ok: rule 1, first');
  });

  it('ip_forward off: fails with the sysctl fix; Docker\'s own warning is a warning', () => {
    const c = checks(evidence('world-ip-forward-off'), profile, FILE);
    expect(c['host.ip-forward']).toMatchObject({ status: 'fail', evidence: ['/proc/sys/net/ipv4/ip_forward = 0', 'docker info IPv4Forwarding: false'] });
    expect(c['host.ip-forward']!.fix).toMatch(/^sysctl -w net\.ipv4\.ip_forward=1/);
    expect(c['host.docker']).toMatchObject({ status: 'warn', fix: 'See host.ip-forward' });
  });

  it("a rule in front of Docker's jump: fails, names the rule and its owner, says to restart Docker", () => {
    const c = checks(evidence('world-rule-before-docker'), profile, FILE)['host.forward-order']!;
    expect(c.status).toBe('fail');
    expect(c.summary).toBe("IPv4 FORWARD rule 1 (-A FORWARD -j ts-forward) comes before Docker's jump to DOCKER-USER (Tailscale)");
    expect(c.fix).toContain('systemctl restart docker');
    expect(c.fix).toContain('netfilter-mode=nodivert');
    // hermit run and status decide "intact" by the same comparison: they move Docker's jump back on top.
    expect(checks(evidence('world-rule-before-docker'), profile, FILE)['host.hermit-rules']).toMatchObject({ status: 'fail',
      summary: "IPv4 FORWARD has 1 rule(s) above Docker's jump to DOCKER-USER: they see the bridge's traffic before hermit's rules (see host.forward-order)" });
  });

  it("hermit's chain flushed: fails, says it protects nothing, and the fix is hermit run", () => {
    const c = checks(evidence('world-chain-flushed'), profile, FILE)['host.hermit-rules']!;
    expect(c).toMatchObject({ status: 'fail', summary: 'IPv4 chain HERMIT-doc-ok is empty (flushed): it protects nothing' });
    expect(c.evidence).toContain('IPv4 HERMIT-doc-ok: 0 rules, hermit would write 24');
    expect(c.fix).toMatch(/^hermit run \/tmp\/hermit-e2e\/profiles\/doc-ok\.yaml puts the rules/);
  });
});

describe('one comparison: doctor agrees with hermit status', () => {
  it.each(['world-healthy', 'world-chain-flushed', 'world-rule-before-docker', 'world-dead-resolver', 'world-ip-forward-off', 'world-uplink-mtu-1400'])('%s', (name) => {
    const snap = evidence(name);
    const f = new Facts(snap);
    const status = firewallFor('iptables').rulesStatus(profile.name, profile, f.addresses.map((a) => a.address), f.firewallState);
    const intact = status.every((r) => r.state === 'intact' || r.state === 'unavailable');
    expect(checks(snap, profile)['host.hermit-rules']!.status).toBe(intact ? 'ok' : 'fail');
  });
});

describe('crafted from the recordings', () => {
  it("Docker's nftables backend: hermit uses nftables when nft is there, says what to install when not, refuses a forced iptables", () => {
    const snap = edit(healthy, 'docker-info', '"ID":', '"FirewallBackend":{"Driver":"nftables"},"ID":');
    const noNft = checks(snap, profile)['host.firewall-backend']!;
    expect(noNft).toMatchObject({ status: 'fail', summary: expect.stringContaining("Docker's firewall backend is nftables, but nft is not usable") });
    expect(noNft.fix).toContain('apt-get install nftables');
    const withNft = variant(snap, { 'nft-ruleset': { what: 'nft list ruleset', exitCode: 0, stdout: '' } });
    const c = checks(withNft, profile);
    expect(c['host.firewall-backend']).toMatchObject({ status: 'ok', summary: expect.stringContaining("hermit uses nftables (auto: Docker's firewall backend is nftables") });
    expect(c['host.forward-order']).toMatchObject({ status: 'skipped' });
    const forced = variant(withNft, { environment: { what: 'environment', stdout: 'HERMIT_FIREWALL=iptables' } });
    expect(checks(forced, profile)['host.firewall-backend']).toMatchObject({ status: 'fail', summary: expect.stringContaining("Docker's firewall backend is nftables: it has no DOCKER-USER") });
  });

  it('Docker chains only in the other iptables variant fail; no Docker chains at all fail too', () => {
    const noDocker = healthy.sources['iptables-save']!.stdout.split('\n').filter((l) => !/DOCKER/.test(l)).join('\n');
    const mismatch = variant(healthy, { 'iptables-save': { stdout: noDocker }, 'iptables-other-save': { what: 'iptables-legacy-save', exitCode: 0, stdout: healthy.sources['iptables-save']!.stdout } });
    expect(checks(mismatch, profile)['host.firewall-backend']).toMatchObject({ status: 'fail', summary: expect.stringContaining("Docker's chains are in iptables-legacy") });
    const off = variant(healthy, { 'iptables-save': { stdout: noDocker }, 'iptables-other-save': { exitCode: 0, stdout: '' } });
    expect(checks(off, profile)['host.firewall-backend']).toMatchObject({ status: 'fail', summary: expect.stringContaining('"iptables": false') });
  });

  it('legacy rules next to nft rules warn: both apply, each tool shows only its own', () => {
    const snap = variant(healthy, { ip_tables_names: { stdout: 'filter' },
      'iptables-other-save': { what: 'iptables-legacy-save', exitCode: 0, stdout: '*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -o wg0 -j DROP\nCOMMIT' } });
    const c = checks(snap, profile)['host.firewall-backend']!;
    expect(c).toMatchObject({ status: 'warn', summary: expect.stringContaining('iptables-legacy holds 1 rule') });
    expect(c.evidence).toContain('  legacy: -A FORWARD -o wg0 -j DROP');
  });

  it('firewalld running warns; ufw active is reported', () => {
    const fw = variant(healthy, { systemctl: { exitCode: 0, stdout: 'active\ninactive\nactive', stderr: '' } });
    const c = checks(fw, profile, FILE)['host.firewall-managers']!;
    expect(c).toMatchObject({ status: 'warn', summary: expect.stringContaining('firewalld is running') });
    expect(c.fix).toContain(`hermit run ${FILE}`);
    const ufw = variant(healthy, { ufw: { exitCode: 0, stdout: 'Status: active', error: undefined } });
    expect(checks(ufw, profile)['host.firewall-managers']).toMatchObject({ status: 'ok', summary: expect.stringContaining('ufw active') });
  });

  it("a missing jump to DOCKER-USER fails; a DROP rule in front only warns; a rule above hermit's jump fails", () => {
    const noJump = edit(healthy, 'iptables-save', '-A FORWARD -j DOCKER-USER\n', '');
    expect(checks(noJump, profile)['host.forward-order']).toMatchObject({ status: 'fail', summary: expect.stringContaining('no jump to DOCKER-USER') });
    const drop = edit(healthy, 'iptables-save', '-A FORWARD -j DOCKER-USER\n', '-A FORWARD -s 10.9.0.0/16 -j DROP\n-A FORWARD -j DOCKER-USER\n');
    expect(checks(drop, profile)['host.forward-order']!.status).toBe('warn');
    const above = edit(healthy, 'iptables-save', '-A DOCKER-USER -i hm-doc-ok', '-A DOCKER-USER -j ACCEPT\n-A DOCKER-USER -i hm-doc-ok');
    expect(checks(above, profile)['host.hermit-rules']).toMatchObject({ status: 'fail', summary: 'IPv4 jump DOCKER-USER → HERMIT-doc-ok is rule 2, not first: rules above it decide first' });
  });

  it('Docker warnings are passed on with their fix', () => {
    const snap = edit(healthy, 'docker-info', '"Warnings":null', '"Warnings":["WARNING: bridge-nf-call-iptables is disabled"]');
    expect(checks(snap)['host.docker']).toMatchObject({ status: 'warn', fix: expect.stringContaining('modprobe br_netfilter') });
  });

  it('a profile never applied here is skipped, not failed', () => {
    const other = docProfile('doc-deaddns');
    expect(checks(healthy, other)['host.hermit-rules']).toMatchObject({ status: 'skipped', summary: expect.stringContaining("'doc-deaddns' is not applied") });
  });
});

describe('recorded: this machine, degraded', () => {
  it('without a Docker engine: the engine check fails, what depends on it is skipped with the reason', () => {
    const c = checks(evidence('no-engine'), profile);
    expect(c['host.docker']).toMatchObject({ status: 'fail', summary: expect.stringContaining('Cannot connect to the Docker daemon') });
    expect(c['host.docker']!.fix).toContain('systemctl start docker');
    expect(c['host.firewall-backend']).toMatchObject({ status: 'skipped', summary: 'no Docker engine, and no Docker chains in iptables' });
    expect(c['network.bridge']).toMatchObject({ status: 'skipped', summary: 'no Docker engine' });
    expect(c['host.system']!.summary).toContain('Docker not reachable');
  });

  it('without root: reading the firewall is skipped, saying it needs root', () => {
    const c = checks(evidence('no-root'), profile);
    expect(c['host.firewall-backend']).toMatchObject({ status: 'skipped', summary: expect.stringMatching(/Permission denied.*needs root/) });
    expect(c['host.hermit-rules']).toMatchObject({ status: 'skipped', summary: expect.stringContaining('cannot read the firewall') });
    expect(c['host.forward-order']).toMatchObject({ status: 'skipped', summary: 'reading iptables needs root' });
    expect(c['connectivity.dns.profile']).toMatchObject({ status: 'skipped', summary: "entering a container's network namespace needs root" });
  });
});

describe('host.profile-writable', () => {
  const found = (f: object) => variant(healthy, { 'profile-writers': { stdout: JSON.stringify({ files: [FILE], otherWriters: [], insideWritableMounts: [], ...f }) } });
  it('warns when the container mounts a folder holding the profile writable', () => {
    const c = checks(found({ otherWriters: ['/p/hermit.yaml is owned by uid 1000'], insideWritableMounts: ['/p/hermit.yaml is inside /p, which the container mounts writable at /workspace'] }), profile, FILE)['host.profile-writable']!;
    expect(c).toMatchObject({ status: 'warn', summary: 'the agent can rewrite its own profile: a file of it lies inside a folder the container mounts writable' });
    expect(c.evidence).toEqual(['/p/hermit.yaml is inside /p, which the container mounts writable at /workspace', '/p/hermit.yaml is owned by uid 1000']);
    expect(c.fix).toContain(`sudo hermit trust ${FILE}`);
  });
  it('is ok for root-owned files, and skipped for a recording without the source', () => {
    expect(checks(found({}), profile, FILE)['host.profile-writable']).toMatchObject({ status: 'ok', summary: 'only root can change the profile, and the container mounts none of its files' });
    expect(checks(healthy, profile, FILE)['host.profile-writable']!.status).toBe('skipped');
  });
});
