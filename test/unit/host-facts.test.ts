import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineGet, engineSocket } from '../../src/apply/engine.js';
import { parseProcIpv6Route, parseProcRoute } from '../../src/host/addresses.js';

// Recorded from the test world's host namespace (uplink 192.168.50.10/24, docker0, one hermit bridge).
const PROC_ROUTE = `Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
uplink	00000000	0132A8C0	0003	0	0	0	00000000	0	0	0
docker0	000011AC	00000000	0001	0	0	0	0000FFFF	0	0	0
hm-lan-dns	00011EAC	00000000	0001	0	0	0	00FFFFFF	0	0	0
uplink	0032A8C0	00000000	0001	0	0	0	00FFFFFF	0	0	0
`;
const PROC_IPV6_ROUTE = `fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000001 00000000 00000003     eth0
00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo
`;

describe('host routes from /proc', () => {
  it('reads IPv4 routes as `ip route` shows them', () => {
    expect(parseProcRoute(PROC_ROUTE, true)).toEqual([
      { family: 4, dst: 'default', gateway: '192.168.50.1', dev: 'uplink' },
      { family: 4, dst: '172.17.0.0/16', dev: 'docker0' },
      { family: 4, dst: '172.30.1.0/24', dev: 'hm-lan-dns' },
      { family: 4, dst: '192.168.50.0/24', dev: 'uplink' },
    ]);
  });
  it('reads IPv6 routes, skipping loopback', () => {
    expect(parseProcIpv6Route(PROC_IPV6_ROUTE)).toEqual([
      { family: 6, dst: 'fd00::/64', dev: 'eth0' },
      { family: 6, dst: 'default', gateway: 'fd00::1', dev: 'eth0' },
    ]);
  });
});

describe('engine API endpoint', () => {
  it('uses the unix socket the docker CLI would use, and nothing else', () => {
    const noConfig = { DOCKER_CONFIG: '/nonexistent' };
    expect(engineSocket({ ...noConfig })).toBe('/var/run/docker.sock');
    expect(engineSocket({ ...noConfig, DOCKER_HOST: 'unix:///run/x.sock' })).toBe('/run/x.sock');
    expect(engineSocket({ ...noConfig, DOCKER_HOST: 'tcp://10.0.0.1:2375' })).toBeUndefined();
    expect(engineSocket({ ...noConfig, DOCKER_CONTEXT: 'remote' })).toBeUndefined();
  });

  it('GETs JSON over a unix socket and reports an unreachable engine as a host error', async () => {
    const sock = join(mkdtempSync(join(tmpdir(), 'hermit-engine-')), 'docker.sock');
    const server = createServer((req, res) => {
      res.writeHead(req.url === '/info' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/info' ? { ServerVersion: '28.2.2' } : { message: 'No such container: x' }));
    });
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      expect(await engineGet(sock, '/info')).toEqual({ status: 200, body: { ServerVersion: '28.2.2' } });
      expect((await engineGet(sock, '/containers/x/json')).status).toBe(404);
    } finally {
      server.close();
    }
    await expect(engineGet(`${sock}.missing`, '/info')).rejects.toThrow(/cannot reach the Docker engine/);
  });
});
