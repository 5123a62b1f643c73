// hermit run against a real Docker engine and real iptables, in the test world's simulated LAN.
// Every assertion about isolation is made from inside the container's network namespace.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ProbeRequest, ProbeResponse, ProbeReport, TcpResult } from '../../src/probe/types.js';
import { FIREWALL, connectEnd, type WorldInfo, docker, hermit, hostSnapshot as hostSnapshotOf, inHost, nftTableOf, pidOf as pidOfIn, writeProfile as writeProfileIn } from './world.js';

const world = inject('world') as WorldInfo;
const WORKER = fileURLToPath(new URL('../../dist/probe/worker.js', import.meta.url));

function profileYaml(name: string, subnet: string, extra: { dns?: string[]; allow?: string; probe?: string; container?: string } = {}): string {
  return `name: ${name}
image: ${world.image}
command: [sleep, "86400"]
network:
  subnet: ${subnet}
dns: [${(extra.dns ?? [world.addr.router]).join(', ')}]
egress:
  allow:
    - to: ${world.addr.nas}
      ports: [${world.ports.nasAllowed}]
      protocol: tcp
      comment: NAS allowed port
${extra.allow ?? ''}
container:
  restart: unless-stopped
${extra.container ?? ''}
probe:
  dnsName: internet.test
  timeoutMs: 3000
  mustReach:
    - { host: internet.test, port: ${world.ports.internet} }
  mustBlock:
    - { host: ${world.addr.nas}, port: ${world.ports.nasDisallowed}, comment: NAS disallowed port }
${extra.probe ?? ''}
`;
}

const writeProfile = (name: string, text: string) => writeProfileIn(world, name, text);

/** Runs hermit's probe worker inside the container's network namespace, for checks of our own. */
async function fromContainer(pid: number, request: Partial<ProbeRequest>): Promise<ProbeResponse> {
  const out = await inHost(world, 'nsenter', [`--net=/proc/${pid}/ns/net`, '--', process.execPath, WORKER], {
    input: JSON.stringify({ timeoutMs: 3000, tcp: [], dns: [], ...request }),
  });
  expect(out.exitCode, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as ProbeResponse;
}

/** One connect at a time: the kernel rate-limits the ICMP errors sent to one address (a burst of
 * about six, then one a second), and a parallel burst would blur what each reject looks like. */
async function connect(pid: number, host: string, port: number): Promise<TcpResult> {
  const res = await fromContainer(pid, { tcp: [{ id: 't', host, port }] });
  return res.tcp[0]!;
}

const pidOf = (name: string) => pidOfIn(world, name);

const hostSnapshot = () => hostSnapshotOf(world);

describe.skipIf(!!world.skip)('hermit run (end to end)', () => {
  let lanProfile: string;
  let pid: number;

  beforeAll(() => {
    lanProfile = writeProfile('lan-dns', profileYaml('lan-dns', '172.30.1.0/24'));
  });

  it('launches the container and its probe proves the isolation (LAN resolver)', async () => {
    const r = await hermit(world, ['run', lanProfile, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { changed: boolean; probe: ProbeReport };
    expect(result.changed).toBe(true);
    expect(result.probe.ok, JSON.stringify(result.probe.rows, null, 1)).toBe(true);
    const byTarget = Object.fromEntries(result.probe.rows.map((row) => [row.target, row]));
    expect(Object.keys(byTarget)).toEqual(expect.arrayContaining([
      `${world.addr.nas}:${world.ports.nasDisallowed}`,
      `${world.addr.nas}:${world.ports.nasAllowed}`,
      `internet.test:${world.ports.internet}`,
    ]));
    pid = await pidOf('hermit-lan-dns');
    expect(pid).toBeGreaterThan(0);
  });

  it('blocks the LAN, the host and cloud metadata, with a fast reject rather than a timeout', async () => {
    const blocked: [string, number, string][] = [
      [world.addr.router, world.ports.routerAdmin, 'router admin page'],
      [world.addr.nas, world.ports.nasDisallowed, 'NAS port that is not an exception'],
      [world.addr.hostLan, world.ports.hostLanService, "service on the host's LAN address"],
      [world.addr.hostLan, world.ports.hostAllService, 'service on all host addresses, via the LAN address'],
      ['172.30.1.1', world.ports.hostAllService, 'service on all host addresses, via the bridge gateway'],
      ['172.17.0.1', world.ports.hostAllService, 'service on all host addresses, via docker0'],
      ['169.254.169.254', 80, 'cloud metadata'],
    ];
    for (const [host, port, what] of blocked) {
      // A TCP reset from hermit's rule (its counter moved; every one of these addresses listens
      // or routes on, so the refusal is not the host's): an answer, not a hang.
      expect({ what, end: await connectEnd(world, pid, 'lan-dns', host, port) }).toEqual({ what, end: 'reset by hermit' });
    }
  });

  it('lets the declared exception, the internet and DNS through', async () => {
    expect((await connect(pid, world.addr.nas, world.ports.nasAllowed)).outcome).toBe('connected');
    expect((await connect(pid, world.addr.internet, world.ports.internet)).outcome).toBe('connected');
    const dns = await fromContainer(pid, {
      dns: [
        { id: 'embedded', server: '127.0.0.11', name: 'internet.test' },
        { id: 'lan', server: world.addr.router, name: 'internet.test' },
      ],
    });
    for (const d of dns.dns) expect({ id: d.id, outcome: d.outcome, addresses: d.addresses }).toEqual({ id: d.id, outcome: 'answered', addresses: [world.addr.internet] });
    expect(dns.ipv6.disabled).toBe(true);
    expect(dns.ipv6.addresses).toEqual([]);
  });

  it('a second run changes nothing and says so', async () => {
    const before = await hostSnapshot();
    const r = await hermit(world, ['run', lanProfile]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("Nothing changed: network, firewall rules and container already match profile 'lan-dns'.");
    expect(r.stdout).toMatch(/all as expected/);
    expect(await hostSnapshot()).toBe(before);
  });

  it('a changed exception replaces the rules atomically and leaves the running agent alone', async () => {
    const changed = profileYaml('lan-dns', '172.30.1.0/24', {
      allow: `    - to: ${world.addr.nas}\n      ports: [${world.ports.nasDisallowed}]\n      protocol: tcp\n      comment: now allowed\n`,
    }).replace(/  mustBlock:\n.*\n/, '  mustBlock: []\n');
    writeFileSync(lanProfile, changed);
    const r = await hermit(world, ['run', lanProfile]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(FIREWALL === 'nftables' ? 'replace table inet hermit-lan-dns: replace chain HERMIT-lan-dns (25 → 26 rules)' : 'IPv4: replace chain HERMIT-lan-dns');
    expect(r.stdout).not.toContain('recreate container');
    expect(await pidOf('hermit-lan-dns')).toBe(pid);
    expect((await connect(pid, world.addr.nas, world.ports.nasDisallowed)).outcome).toBe('connected');
    if (FIREWALL === 'nftables') {
      expect((await nftTableOf(world, 'lan-dns')).match(/ jump HERMIT-lan-dns /g)).toHaveLength(1);
    } else {
      const save = (await inHost(world, 'iptables-save', ['-t', 'filter'])).stdout;
      expect(save.match(/-j HERMIT-lan-dns$/gm)).toHaveLength(1);
    }
  });

  it('works with a resolver on the internet, and then the LAN resolver is blocked', async () => {
    const file = writeProfile('inet-dns', profileYaml('inet-dns', '172.30.2.0/24', { dns: [world.addr.internet] }));
    const r = await hermit(world, ['run', file, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { probe: ProbeReport }).probe.ok).toBe(true);
    const p = await pidOf('hermit-inet-dns');
    const dns = await fromContainer(p, {
      dns: [
        { id: 'embedded', server: '127.0.0.11', name: 'internet.test' },
        { id: 'lan', server: world.addr.router, name: 'internet.test' },
      ],
    });
    expect(dns.dns.find((d) => d.id === 'embedded')).toMatchObject({ outcome: 'answered', addresses: [world.addr.internet] });
    expect(dns.dns.find((d) => d.id === 'lan')?.outcome).not.toBe('answered');
    expect(await connectEnd(world, p, 'inet-dns', world.addr.router, 53)).toBe('reset by hermit');
  });

  const stateOf = async (name: string) => (await docker(world, ['container', 'inspect', '--format', '{{.State.Running}} {{.HostConfig.RestartPolicy.Name}}', name])).stdout.trim();

  it('a breach (a target that must be blocked connects) stops the container at once and exits 5', async () => {
    const file = writeProfile('breach', profileYaml('breach', '172.30.3.0/24'));
    expect((await hermit(world, ['run', file])).exitCode).toBe(0);
    // A rule above Docker's jump in FORWARD lets the bridge's traffic through: the LAN is reachable.
    // (On the nftables backend an accept elsewhere cannot undo hermit's rejects: its table is removed instead.)
    const bypass = ['FORWARD', '-i', 'hm-breach', '-m', 'comment', '--comment', 'e2e breach', '-j', 'ACCEPT'];
    if (FIREWALL === 'nftables') expect((await inHost(world, 'nft', ['delete', 'table', 'inet', 'hermit-breach'])).exitCode).toBe(0);
    else expect((await inHost(world, 'iptables', ['-I', 'FORWARD', '1', ...bypass.slice(1)])).exitCode).toBe(0);
    try {
      const r = await hermit(world, ['probe', file]);
      expect(r.exitCode, r.stderr).toBe(5);
      expect(r.stderr).toMatch(new RegExp(`isolation probe FAILED, a BREACH .*${world.addr.router}:80: expected blocked, observed connected.*: container hermit-breach was stopped \\(its restart policy set to "no"\\)`));
      expect(r.stderr).not.toContain('attempts'); // a breach is never retried
      expect(r.stdout).toMatch(/✗|FAIL/);
      expect(await stateOf('hermit-breach')).toBe('false no');
    } finally {
      if (FIREWALL !== 'nftables') await inHost(world, 'iptables', ['-D', ...bypass]);
      await hermit(world, ['down', file, '--time', '0']);
    }
  });

  it("a refusal the host sent itself is not taken for hermit's reset: a breach", async () => {
    // Nothing listens on the NAS's port 23: let the bridge through to it (above hermit's rules), and
    // the NAS's own reset comes back, which looks exactly like hermit's. hermit's counter did not move.
    const file = writeProfile('own-reset', profileYaml('own-reset', '172.30.10.0/24', { probe: `    - { host: ${world.addr.nas}, port: 23, comment: closed NAS port }` }));
    expect((await hermit(world, ['run', file])).exitCode).toBe(0);
    const hole = ['-d', world.addr.nas, '-p', 'tcp', '--dport', '23', '-m', 'comment', '--comment', 'e2e own reset', '-j', 'ACCEPT'];
    const opened = FIREWALL === 'nftables'
      ? await inHost(world, 'nft', ['insert', 'rule', 'inet', 'hermit-own-reset', 'HERMIT-own-reset', 'ip', 'daddr', world.addr.nas, 'tcp', 'dport', '23', 'accept'])
      : await inHost(world, 'iptables', ['-I', 'FORWARD', '1', '-i', 'hm-own-reset', ...hole]);
    expect(opened.exitCode, opened.stderr).toBe(0);
    try {
      const r = await hermit(world, ['probe', file]);
      expect(r.exitCode, r.stderr).toBe(5);
      expect(r.stderr).toMatch(new RegExp(`a BREACH .*${world.addr.nas}:23: expected blocked, observed connection refused \\(ECONNREFUSED\\).* not shown to be hermit's reset \\(hermit's reset rule for \\S+ counted \\d of the \\d refused\\)`));
    } finally {
      if (FIREWALL !== 'nftables') await inHost(world, 'iptables', ['-D', 'FORWARD', '-i', 'hm-own-reset', ...hole]);
      await hermit(world, ['down', file, '--time', '0']);
    }
  });

  it('an outage (a must-reach target refuses) is retried, reported with exit 6, and the container keeps running', async () => {
    // Nothing listens on port 81 of the internet host: it answers, but the connection is refused.
    const file = writeProfile('outage', profileYaml('outage', '172.30.8.0/24').replace('  mustReach:\n', `  outageRetrySec: 4\n  mustReach:\n    - { host: ${world.addr.internet}, port: 81 }\n`));
    const r = await hermit(world, ['run', file]);
    expect(r.exitCode, r.stderr).toBe(6);
    expect(r.stderr).toMatch(new RegExp(`WARNING: an OUTAGE .*${world.addr.internet}:81: expected reachable, observed host answered but port closed.* \\(after [2-9] attempts over \\d+ s\\); container hermit-outage left running because the profile says probe.onOutage: warn`));
    expect(await stateOf('hermit-outage')).toBe('true unless-stopped');
    const s = JSON.parse((await hermit(world, ['status', file, '--json'])).stdout) as { ok: boolean; lastProbe: { verdict: string } };
    expect(s).toMatchObject({ ok: false, lastProbe: { verdict: 'outage' } });
    expect((await hermit(world, ['status', file])).stdout).toMatch(/last probe .*OUTAGE: 203\.0\.113\.10:81 did not answer/);
    await hermit(world, ['down', file, '--time', '0']);
  });

  it('an outage stops the container when the profile says probe.onOutage: stop (exit 5)', async () => {
    const file = writeProfile('outage-stop', profileYaml('outage-stop', '172.30.9.0/24')
      .replace('  mustReach:\n', `  onOutage: stop\n  outageRetrySec: 0\n  mustReach:\n    - { host: ${world.addr.internet}, port: 81 }\n`));
    const r = await hermit(world, ['run', file]);
    expect(r.exitCode, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/an OUTAGE .*: container hermit-outage-stop was stopped \(its restart policy set to "no"\) because the profile says probe.onOutage: stop/);
    expect(await stateOf('hermit-outage-stop')).toBe('false no');
    await hermit(world, ['down', file, '--time', '0']);
  });

  it('a probe that cannot run at all fails closed too: the container is stopped, with the cause', async () => {
    const file = writeProfile('no-probe', profileYaml('no-probe', '172.30.7.0/24'));
    expect((await hermit(world, ['run', file])).exitCode).toBe(0);
    // An nsenter that may not enter other network namespaces (a host without CAP_SYS_ADMIN);
    // everything else goes to the real one, so the world's own nsenter call still works.
    const bin = join(world.root, 'fake-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'nsenter'), '#!/bin/sh\ncase "$1" in --net=/proc/*) echo "nsenter: reassociate to namespace \'ns/net\' failed: Operation not permitted" >&2; exit 1;; esac\nexec /usr/bin/nsenter "$@"\n', { mode: 0o755 });
    const r = await hermit(world, ['probe', file], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain('the probe could not run');
    expect(r.stderr).toContain('container hermit-no-probe was stopped');
    const state = await docker(world, ['container', 'inspect', '--format', '{{.State.Running}} {{.HostConfig.RestartPolicy.Name}}', 'hermit-no-probe']);
    expect(state.stdout.trim()).toBe('false no');
  });

  it('bad profiles and refused arguments change nothing on the host', async () => {
    const before = await hostSnapshot();
    const cases: [string, string, RegExp][] = [
      ['cap', profileYaml('bad-cap', '172.30.4.0/24', { container: '  capAdd: [NET_ADMIN]\n' }), /NET_ADMIN/],
      ['overlap', profileYaml('bad-overlap', '192.168.50.0/24'), /overlaps the host route 192\.168\.50\.0\/24/],
      ['unknown', `${profileYaml('bad-key', '172.30.5.0/24')}privileged: true\n`, /privileged/],
      ['syntax', 'name: [unclosed\n', /bad-syntax\.yaml:\d+:\d+/],
    ];
    for (const [what, text, message] of cases) {
      const r = await hermit(world, ['run', writeProfile(`bad-${what}`, text)]);
      expect({ what, code: r.exitCode }).toEqual({ what, code: 2 });
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    const passThrough = await hermit(world, ['run', lanProfile, '--', '--privileged']);
    expect(passThrough.exitCode).toBe(2);
    expect(passThrough.stderr).toContain('--privileged');
    expect(await hostSnapshot()).toBe(before);
  });

  it('a launch that fails rolls back the network and rules it created', async () => {
    const before = await hostSnapshot();
    const file = writeProfile('broken-cmd', profileYaml('broken-cmd', '172.30.6.0/24').replace('command: [sleep, "86400"]', 'command: [/no/such/program]'));
    const r = await hermit(world, ['run', file]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('rolled back');
    expect(await hostSnapshot()).toBe(before);
  });
});
