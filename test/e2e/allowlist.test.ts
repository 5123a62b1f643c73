// Allowlist mode end to end: the agent on an internal network, Debian's Squid (made offline with
// debootstrap) as its only way out, against the world's LAN and "internet". Every assertion about
// what the agent reaches is made from inside its network namespace.
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ProbeReport, ProbeRequest, ProbeResponse, TcpProbe, TcpResult } from '../../src/probe/types.js';
import { FIREWALL, connectEnd, type WorldInfo, docker, firewallDump, hermit, inHost, pidOf, squidImage, writeProfile } from './world.js';

const world = inject('world') as WorldInfo;
const WORKER = fileURLToPath(new URL('../../dist/probe/worker.js', import.meta.url));
const NAME = 'strict';
const AGENT = `hermit-${NAME}`;
const PROXY = `hermit-${NAME}-proxy`;
// network.subnet 172.30.8.0/24: the proxy's bridge gets 172.30.8.0/25, the agent 172.30.8.128/25.
const PROXY_ADDR = '172.30.8.130:3128';
const INTERNAL_GATEWAY = '172.30.8.129';

function profileYaml(image: string, domains: string[]): string {
  return `name: ${NAME}
image: ${world.image}
command: [sleep, "86400"]
network:
  subnet: 172.30.8.0/24
dns: [${world.addr.router}]
egress:
  domains: [${domains.join(', ')}]
  proxyImage: ${image}
container:
  restart: unless-stopped
probe:
  dnsName: internet.test
  timeoutMs: 5000
  mustReach:
    - { host: internet.test, port: ${world.ports.internet}, comment: plain HTTP through the proxy }
    - { host: www.internet.test, port: ${world.ports.internet}, comment: CONNECT through the proxy }
  mustBlock:
    - { host: rebind.internet.test, port: ${world.ports.nasAllowed}, comment: listed name resolving to the NAS }
    - { host: ${world.addr.internet}, port: ${world.ports.internet}, comment: the internet directly }
`;
}

const DOMAINS = ['internet.test', `"www.internet.test:${world.ports.internet}"`, `"rebind.internet.test:${world.ports.nasAllowed}"`];

/** hermit's probe worker inside the agent's network namespace, for checks of our own. */
async function fromAgent(request: Partial<ProbeRequest>): Promise<ProbeResponse> {
  const pid = await pidOf(world, AGENT);
  const out = await inHost(world, 'nsenter', [`--net=/proc/${pid}/ns/net`, '--', process.execPath, WORKER], {
    input: JSON.stringify({ timeoutMs: 5000, tcp: [], dns: [], ...request }),
  });
  expect(out.exitCode, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as ProbeResponse;
}

async function tcp(probe: Omit<TcpProbe, 'id'>): Promise<TcpResult> {
  return (await fromAgent({ tcp: [{ id: 't', ...probe }] })).tcp[0]!;
}

const viaProxy = (host: string, port: number, method: 'connect' | 'http' = 'connect') => tcp({ host, port, proxy: PROXY_ADDR, method });

describe.skipIf(!!world.skip)('allowlist mode (end to end)', () => {
  let image: string;
  let file: string;

  beforeAll(async () => {
    image = await squidImage(world);
    file = writeProfile(world, NAME, profileYaml(image, DOMAINS));
  }, 900_000);

  it('--dry-run shows the proxy, its squid.conf and the internal network, and changes nothing', async () => {
    const r = await hermit(world, ['run', file, '--dry-run']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('docker network create --driver bridge --internal --subnet 172.30.8.128/25');
    expect(r.stdout).toMatch(/docker create --name hermit-strict-proxy .*--user 13:13 --cap-drop ALL/);
    expect(r.stdout).toContain('docker network connect --ip 172.30.8.130 hermit-strict-internal hermit-strict-proxy');
    expect(r.stdout).toContain('acl hermit_never dst');
    // The host's services are closed to the internal bridge too.
    expect(r.stdout).toContain(FIREWALL === 'nftables' ? 'iifname "hmi-strict" meta nfproto ipv4 jump HERMIT-IN-strict' : '-A INPUT -i hmi-strict');
    expect((await docker(world, ['ps', '-a', '--format', '{{.Names}}'])).stdout).not.toContain(NAME);
  });

  it('a launch whose agent cannot start rolls back the proxy, both networks and the rules', async () => {
    const snapshot = async () => {
      const [rules, nets, ps] = await Promise.all([
        firewallDump(world), docker(world, ['network', 'ls', '--format', '{{.Name}}']), docker(world, ['ps', '-a', '--format', '{{.Names}}']),
      ]);
      // hermit's rules only: Docker rewrites its own chains when networks come and go.
      return [rules.split('\n').filter((l) => /HERMIT|hermit/.test(l)).join('\n'), nets.stdout, ps.stdout].join('\n---\n');
    };
    const before = await snapshot();
    const broken = writeProfile(world, 'strict-broken', profileYaml(image, DOMAINS).replace(`name: ${NAME}`, 'name: strict-broken')
      .replace('command: [sleep, "86400"]', 'command: [/no/such/program]').replace('172.30.8.0/24', '172.30.12.0/24'));
    const r = await hermit(world, ['run', broken]);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toContain('rolled back');
    expect(await snapshot()).toBe(before);
  });

  it('launches the proxy and the agent, and the probe proves every case from inside the agent', async () => {
    const r = await hermit(world, ['run', file, '--json']);
    expect(r.exitCode, `${r.stderr}\n${r.stdout}`).toBe(0);
    const report = (JSON.parse(r.stdout) as { probe: ProbeReport }).probe;
    expect(report.ok, JSON.stringify(report.rows, null, 1)).toBe(true);
    const expected = Object.fromEntries(report.rows.map((row) => [row.target, row.expected]));
    expect(expected).toMatchObject({
      [`internet.test:${world.ports.internet} via proxy (HTTP)`]: 'reachable',
      [`www.internet.test:${world.ports.internet} via proxy (CONNECT)`]: 'reachable',
      'unlisted name unlisted.hermit-probe.invalid:443 via proxy': 'refused by proxy',
      'IP literal 1.1.1.1:443 via proxy': 'refused by proxy',
      [`LAN address ${world.addr.router}:80 via proxy`]: 'refused by proxy',
      'cloud metadata 169.254.169.254:80 via proxy': 'refused by proxy',
      [`rebind.internet.test:${world.ports.nasAllowed} via proxy`]: 'refused by proxy',
      [`${world.addr.internet}:${world.ports.internet}`]: 'blocked',
      [`internal network gateway (the host) ${INTERNAL_GATEWAY}:80`]: 'blocked',
      'internet.test via 127.0.0.11': 'no answer',
      [`internet.test via ${world.addr.router}`]: 'no answer',
    });
  });

  it('the agent reaches listed names only through the proxy, and the proxy refuses the rest', async () => {
    expect(await viaProxy('internet.test', world.ports.internet, 'http')).toMatchObject({ outcome: 'connected' });
    expect(await viaProxy('www.internet.test', world.ports.internet)).toMatchObject({ outcome: 'connected' });
    // CONNECT only to listed ports: internet.test is listed for HTTP on 80 and CONNECT on 443 only.
    expect(await viaProxy('internet.test', world.ports.internet)).toMatchObject({ outcome: 'denied' });
    for (const [host, port] of [['nas.lan', world.ports.nasAllowed], [world.addr.internet, world.ports.internet], [world.addr.nas, world.ports.nasAllowed], ['169.254.169.254', 80]] as const) {
      expect({ host, r: await viaProxy(host, port) }).toMatchObject({ host, r: { outcome: 'denied' } });
    }
    // A listed name that resolves to a LAN address (DNS rebinding): the proxy never connects there.
    expect(await viaProxy('rebind.internet.test', world.ports.nasAllowed)).toMatchObject({ outcome: 'denied' });
    // Plain HTTP whose Host header names another host than the URL.
    const pid = await pidOf(world, AGENT);
    const smuggled = await inHost(world, 'nsenter', [`--net=/proc/${pid}/ns/net`, '--', '/bin/busybox', 'nc', '-w', '3', ...PROXY_ADDR.split(':')], {
      input: `GET http://internet.test/ HTTP/1.1\r\nHost: nas.lan:${world.ports.nasAllowed}\r\nConnection: close\r\n\r\n`, timeout: 10_000,
    });
    expect(smuggled.stdout).not.toContain('nas-allowed');
  });

  it('direct connections fail, the host\'s services are closed, and outside names do not resolve', async () => {
    // Out of the internal network: Docker 28 gives it no route (the connect fails in the container,
    // ENETUNREACH); Docker 20.10 routes it to the bridge, where hermit resets it at once (Docker
    // alone would drop it silently).
    const pid = await pidOf(world, AGENT);
    const direct = [[world.addr.internet, world.ports.internet], [world.addr.nas, world.ports.nasAllowed], [world.addr.router, world.ports.routerAdmin], ['169.254.169.254', 80]] as const;
    for (const [host, port] of direct) {
      const end = await connectEnd(world, pid, NAME, host, port);
      expect({ host, end }).toEqual({ host, end: world.engine >= 28 ? 'unreachable' : 'reset by hermit' });
    }
    // To the host through the internal bridge: hermit's INPUT rules reset it at once.
    for (const port of [world.ports.hostAllService, 22, 53]) {
      expect({ port, end: await connectEnd(world, pid, NAME, INTERNAL_GATEWAY, port) }).toEqual({ port, end: 'reset by hermit' });
    }
    const dns = await fromAgent({ dns: [
      { id: 'embedded', server: '127.0.0.11', name: 'internet.test' },
      { id: 'router', server: world.addr.router, name: 'internet.test' },
      { id: 'proxy', server: '127.0.0.11', name: PROXY },
    ] });
    const answers = Object.fromEntries(dns.dns.map((d) => [d.id, d.addresses]));
    // Only the proxy's own name resolves (Docker's resolver answers it without asking anyone).
    expect(answers).toEqual({ embedded: [], router: [], proxy: [PROXY_ADDR.split(':')[0]] });
    // The agent's own resolver gives up after one try of 1 s (Docker 20.10's never answers there).
    const resolv = await docker(world, ['exec', AGENT, 'cat', '/etc/resolv.conf']);
    expect(resolv.stdout).toMatch(/^options (?=.*\btimeout:1\b)(?=.*\battempts:1\b)/m);
  });

  it('logs --blocked shows what the proxy refused', async () => {
    const r = await hermit(world, ['logs', file, '--blocked', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const entries = JSON.parse(r.stdout) as { destination: string; port?: number; path: string }[];
    expect(entries).toEqual(expect.arrayContaining([
      expect.objectContaining({ destination: 'unlisted.hermit-probe.invalid', port: 443, path: 'proxy' }),
      expect.objectContaining({ destination: 'rebind.internet.test', port: world.ports.nasAllowed, path: 'proxy' }),
    ]));
  });

  it('a changed list reloads the proxy without recreating the agent, and is proven', async () => {
    const [agentBefore, proxyBefore] = await Promise.all([pidOf(world, AGENT), pidOf(world, PROXY)]);
    expect(await viaProxy('internet.test', world.ports.internet)).toMatchObject({ outcome: 'denied' });
    writeFileSync(file, profileYaml(image, [...DOMAINS, `"internet.test:${world.ports.internet}"`, 'nas.lan:8080']).replace('  mustBlock:\n', '  mustBlock:\n    - { host: nas.lan, port: 8080, comment: "listed, but on the LAN" }\n'));
    const r = await hermit(world, ['run', file]);
    expect(r.exitCode, `${r.stderr}\n${r.stdout}`).toBe(0);
    expect(r.stdout).toContain('reload proxy');
    expect(r.stdout).not.toMatch(/recreate/);
    expect(await pidOf(world, AGENT)).toBe(agentBefore);
    expect(await pidOf(world, PROXY)).toBe(proxyBefore);
    expect(r.stdout).toMatch(/nas\.lan:8080 via proxy\s.*refused by proxy/);
    // The new list is in force: CONNECT to internet.test:80 is listed now.
    expect(await viaProxy('internet.test', world.ports.internet)).toMatchObject({ outcome: 'connected' });
    const conf = readFileSync(`${world.root}/state/${NAME}/proxy/conf/squid.conf`, 'utf8');
    expect(conf).toContain('nas.lan');
    const again = await hermit(world, ['run', file]);
    expect(again.stdout).toContain('Nothing changed');
  });

  it('keeps the proxy\'s logs bounded: a log past 8 MB is rotated, and logs --blocked still reads both', async () => {
    const dir = `${world.root}/state/${NAME}/proxy/log`;
    appendFileSync(`${dir}/access.log`, `${'x'.repeat(1023)}\n`.repeat(9 * 1024));
    const r = await hermit(world, ['run', file]);
    expect(r.exitCode, `${r.stderr}\n${r.stdout}`).toBe(0);
    expect(r.stdout).toContain('rotated the logs of proxy hermit-strict-proxy');
    for (let i = 0; i < 100 && !existsSync(`${dir}/access.log.0`); i++) await new Promise((res) => setTimeout(res, 100));
    expect(statSync(`${dir}/access.log.0`).size).toBeGreaterThan(8 * 1024 * 1024);
    expect(statSync(`${dir}/access.log`).size).toBeLessThan(1024 * 1024);
    const blocked = await hermit(world, ['logs', file, '--blocked', '--json']);
    expect((JSON.parse(blocked.stdout) as { path: string }[]).some((e) => e.path === 'proxy')).toBe(true);
  });

  it('the proxy itself sits behind hermit\'s rules on the bridge: the LAN and the host are rejected', async () => {
    const pid = await pidOf(world, PROXY);
    const out = await inHost(world, 'nsenter', [`--net=/proc/${pid}/ns/net`, '--', process.execPath, WORKER], {
      input: JSON.stringify({ timeoutMs: 3000, dns: [], tcp: [{ id: 'nas', host: world.addr.nas, port: world.ports.nasAllowed }, { id: 'host', host: '172.30.8.1', port: world.ports.hostAllService }] }),
    });
    const res = JSON.parse(out.stdout) as ProbeResponse;
    for (const r of res.tcp) expect({ id: r.id, outcome: r.outcome }).toEqual({ id: r.id, outcome: 'refused' });
    expect(await connectEnd(world, pid, NAME, world.addr.nas, world.ports.nasAllowed)).toBe('reset by hermit');
  });

  it('doctor says the proxy answers and which names it refused', async () => {
    const r = await hermit(world, ['doctor', file, '--json']);
    const report = JSON.parse(r.stdout) as { checks: { id: string; status: string; summary: string }[] };
    const check = report.checks.find((c) => c.id === 'proxy.allowlist');
    expect(check, r.stderr).toMatchObject({ status: 'ok' });
    expect(check!.summary).toMatch(/refuses an unlisted name; 2 listed target\(s\) got through; it last refused .*rebind\.internet\.test:8080/);
  });

  it('status, ps and guard know the proxy', async () => {
    const st = await hermit(world, ['status', file, '--json']);
    expect(st.exitCode, st.stderr).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ ok: true, proxy: { name: PROXY, running: true } });
    const ps = await hermit(world, ['ps', '--json']);
    expect(JSON.parse(ps.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ profile: NAME, container: PROXY, role: 'proxy' })]));
    const guard = await hermit(world, ['guard', '--once', file]);
    expect(guard.exitCode, `${guard.stderr}\n${guard.stdout}`).toBe(0);
  });

  it('guard stops the agent when the proxy gets a second network (a path around the rules)', async () => {
    const c = await docker(world, ['network', 'connect', 'bridge', PROXY]);
    expect(c.exitCode, c.stderr).toBe(0);
    const guard = await hermit(world, ['guard', '--once', file]);
    expect(guard.exitCode, guard.stdout).toBe(5);
    expect(guard.stdout).toMatch(/proxy hermit-strict-proxy is also on network\(s\) bridge/);
    const state = await docker(world, ['container', 'inspect', '--format', '{{.State.Running}}', AGENT]);
    expect(state.stdout.trim()).toBe('false');
  });

  it('switching a running profile to allowlist mode asks for hermit down first, and works after it', async () => {
    const plain = profileYaml(image, DOMAINS).replace(`name: ${NAME}`, 'name: switch').replace('172.30.8.0/24', '172.30.13.0/24')
      .replace(/egress:\n  domains: .*\n  proxyImage: .*\n/, 'egress: {}\n').replace(/  mustReach:\n(    - .*\n)+  mustBlock:\n(    - .*\n)+/, '');
    const sw = writeProfile(world, 'switch', plain);
    const first = await hermit(world, ['run', sw]);
    expect(first.exitCode, first.stderr).toBe(0);
    writeFileSync(sw, plain.replace('egress: {}\n', `egress:\n  domains: [internet.test]\n  proxyImage: ${image}\n`));
    const r = await hermit(world, ['run', sw]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('hermit down switch');
    expect((await hermit(world, ['down', sw])).exitCode).toBe(0);
    const again = await hermit(world, ['run', sw]);
    expect(again.exitCode, `${again.stderr}\n${again.stdout}`).toBe(0);
    expect((await hermit(world, ['down', sw])).exitCode).toBe(0);
  });

  it('down removes the agent, the proxy, both networks, the rules and the proxy\'s files', async () => {
    const r = await hermit(world, ['down', file]);
    expect(r.exitCode, r.stderr).toBe(0);
    const [ps, nets, rules] = await Promise.all([
      docker(world, ['ps', '-a', '--format', '{{.Names}}']),
      docker(world, ['network', 'ls', '--format', '{{.Name}}']),
      firewallDump(world), // iptables, ip6tables and hermit's nftables tables
    ]);
    expect(ps.stdout).not.toContain(NAME);
    expect(nets.stdout).not.toContain(NAME);
    expect(rules).not.toContain(`HERMIT-${NAME}`);
    expect(rules).not.toContain(`hermit-${NAME} {`);
    expect(rules).not.toContain('hmi-strict');
    expect(existsSync(`${world.root}/state/${NAME}`)).toBe(false);
  });
});
