// Proves the test world itself: the engine, the image, every service and resolver, and that a plain
// container (no hermit) reaches all of them, so that a blocked probe in other tests means something.
import { describe, expect, inject, it } from 'vitest';
import { FIREWALL, NS, docker, httpGet, inNs } from './world.js';

const world = inject('world');
const title = (name: string) => (world.skip ? `${name} (skipped: ${world.skip})` : name);

describe.skipIf(!!world.skip)(title('e2e world'), () => {
  const { addr, ports, image } = world;

  it('has a docker engine that answers', async () => {
    const r = await docker(world, ['info', '--format', '{{.ServerVersion}}']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim().split('.')[0]).toBe(String(world.engine)); // HERMIT_E2E_ENGINE picked this engine
  });

  it.runIf(FIREWALL === 'nftables')("runs hermit's nftables backend beside Docker's iptables backend on an iptables-nft host", async () => {
    expect((await inNs(NS.host, 'iptables', ['--version'])).stdout).toContain('(nf_tables)');
    const info = await docker(world, ['info', '--format', '{{json .}}']);
    expect((JSON.parse(info.stdout) as { FirewallBackend?: { Driver?: string } }).FirewallBackend?.Driver ?? 'iptables').toBe('iptables');
  });

  it('runs a container of the busybox image on the default bridge', async () => {
    const r = await docker(world, ['run', '--rm', image, 'echo', 'hello from the world']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('hello from the world');
  });

  const pages: [string, string, number, string][] = [
    ['router admin', addr.router, ports.routerAdmin, 'router-admin'],
    ['NAS allowed service', addr.nas, ports.nasAllowed, 'nas-allowed'],
    ['NAS disallowed service', addr.nas, ports.nasDisallowed, 'nas-disallowed'],
    ['internet', addr.internet, ports.internet, 'internet-page'],
    ['host LAN-address service', addr.hostLan, ports.hostLanService, 'host-lan-service'],
    ['host all-address service', addr.hostLan, ports.hostAllService, 'host-all-service'],
  ];
  it.each(pages)('serves the %s page to the host (%s:%i)', async (_, host, port, body) => {
    const r = await httpGet(NS.host, host, port);
    expect(r.stdout, r.stderr).toContain('200 OK');
    expect(r.stdout).toContain(body);
  });

  it.each([addr.router, addr.internet])('resolves internet.test at %s, and nothing else', async (server) => {
    const ok = await inNs(NS.host, '/bin/busybox', ['nslookup', '-type=a', 'internet.test', server]);
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain(addr.internet);
    const nx = await inNs(NS.host, '/bin/busybox', ['nslookup', '-type=a', 'example.com', server]);
    expect(nx.stdout + nx.stderr).toContain('NXDOMAIN');
  });

  it('lets a plain container reach everything (the baseline hermit must cut down)', async () => {
    const get = (host: string, port: number) => `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} ${port}`;
    const script = [
      'cat /etc/resolv.conf', // dockerd sees the world's resolv.conf, not the machine's
      'nslookup -type=a internet.test',
      get(addr.internet, ports.internet),
      get(addr.nas, ports.nasDisallowed),
      get(addr.hostLan, ports.hostLanService),
    ].join('; ');
    const r = await docker(world, ['run', '--rm', image, 'sh', '-c', script]);
    expect(r.exitCode, r.stderr).toBe(0);
    for (const s of [`nameserver ${addr.router}`, addr.internet, 'internet-page', 'nas-disallowed', 'host-lan-service']) {
      expect(r.stdout).toContain(s);
    }
  });
});
