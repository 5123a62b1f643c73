// The agent's own Docker engine (issue 19): `hermit run` of a profile with `docker:` starts the
// rootless engine in the agent's network namespace. The agent's image is the engine image itself
// (it has the docker CLI), so every nested command below goes through the socket the agent mounts,
// as an agent's would. What is proven: the engine is rootless; nested containers (and --network
// host ones, and build steps) are refused the LAN, the router and the host and reach the internet;
// a published port answers at the agent's 127.0.0.1; -v / shows the engine's files; --privileged
// fails; the engine follows the agent's restart; stop, ps, status and down know it.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  FIREWALL, type WorldInfo, agentProject, connectFrom, docker, engineImage, hermit, inHost, pidOf, waitUntil, writeProfile,
} from './world.js';

const world = inject('world') as WorldInfo;
const NAME = 'engine';
const AGENT = `hermit-${NAME}`;
const AGENT_IMAGE = 'hermit-e2e/engine-agent:latest';
const SOCKET_VOLUME = `hermit-${NAME}-docker-sock`;
const DATA_VOLUME = `hermit-${NAME}-docker`;
/** HERMIT_TIMING's lines, for the log (never asserted on). */
const timing = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('hermit: timing:')).join('\n');

describe.skipIf(!!world.skip)('a rootless engine beside the agent (end to end)', () => {
  const engine = `${AGENT}-docker`;
  let agentPid: number;
  let file: string;
  const nestedImage = world.image;

  /** A docker command of the agent's, run inside the agent with its DOCKER_HOST. */
  const agentDocker = (args: string[], timeout = 120_000) => docker(world, ['exec', AGENT, 'docker', ...args], { timeout });
  /** A nested container's shell command; its output (stdout and stderr) and exit code. */
  async function nested(script: string, opts: string[] = []): Promise<{ out: string; code: number }> {
    const r = await agentDocker(['run', '--rm', ...opts, nestedImage, 'sh', '-c', script]);
    return { out: r.stdout + r.stderr, code: r.exitCode };
  }
  const connectScript = (host: string, port: number) => `echo | nc -w 3 ${host} ${port} >/dev/null 2>&1 && echo CONNECTED || echo NOT-CONNECTED`;

  beforeAll(async () => {
    const engineImg = await engineImage(world);
    // The engine image with the docker CLI, made to sleep: the agent (a shell as PID 1 that ends
    // on SIGTERM, so stopping it takes no 10 s).
    const b = await docker(world, ['build', '-q', '-t', AGENT_IMAGE, '-'], {
      input: `FROM ${engineImg}\nENTRYPOINT []\n`, env: { DOCKER_BUILDKIT: '0' }, timeout: 120_000,
    });
    expect(b.exitCode, b.stderr).toBe(0);
    const ws = agentProject(join(world.root, 'engine-ws'), { 'hello.txt': 'from-the-workspace\n' });
    const yaml = `name: ${NAME}
image: ${AGENT_IMAGE}
command: [sh, -c, "trap 'exit 0' TERM; sleep 86400 & wait"]
network:
  subnet: 172.30.19.0/24
dns: [${world.addr.router}]
egress:
  allow:
    - { to: ${world.addr.nas}, ports: [${world.ports.nasAllowed}], protocol: tcp }
docker: { image: ${engineImg} }
container:
  mounts: [${ws}:/workspace]
probe:
  dnsName: internet.test
  timeoutMs: 3000
  mustReach:
    - { host: internet.test, port: ${world.ports.internet} }
`;
    file = writeProfile(world, NAME, yaml);
    // hermit run starts the engine after the agent, in its network namespace, and waits until it answers.
    const r = await hermit(world, ['run', file, '--json'], { timeout: 300_000, env: { HERMIT_TIMING: '1' } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { changes: string[] }).changes.join('\n')).toMatch(/docker engine/);
    console.log(`[engine] first run (hermit's probe image imported):\n${timing(r.stderr)}`);
    agentPid = await pidOf(world, AGENT);
    // No registry: the world's busybox goes in as an agent would bring a tarball.
    const load = await inHost(world, 'sh', ['-c', `docker save ${nestedImage} | docker exec -i ${AGENT} docker load`], { timeout: 120_000 });
    expect(load.exitCode, load.stderr).toBe(0);
  }, 900_000);

  afterAll(async () => {
    await hermit(world, ['down', '--volumes', file]);
  });

  it('is rootless, and its processes hold no capability', async () => {
    const info = await agentDocker(['info', '--format', '{{json .SecurityOptions}} {{.Driver}}']);
    expect(info.exitCode, info.stderr).toBe(0);
    expect(info.stdout).toContain('name=rootless');
    console.log(`[engine] Docker ${world.engine} host engine; nested storage driver: ${info.stdout.trim().split(' ').pop()}`);
    const status = await docker(world, ['exec', engine, 'sh', '-c', 'grep -E "^(Uid|CapEff|CapPrm)" /proc/1/status']);
    expect(status.stdout).toMatch(/Uid:\s+1000\s+1000\s+1000\s+1000/);
    expect(status.stdout).toMatch(/CapEff:\s+0+$/m);
    expect(status.stdout).toMatch(/CapPrm:\s+0+$/m);
  });

  it('its containers reach the internet by name (nested DNS through the declared resolver)', async () => {
    // busybox 1.35's wget -T crashes (SIGSEGV) here: timeout(1) bounds it instead.
    const r = await nested(`timeout 10 wget -q -O- http://internet.test:${world.ports.internet}/`);
    expect(r.out, r.out).toContain('internet-page');
  });

  const refused = [
    ['the NAS, a port not allowed', world.addr.nas, world.ports.nasDisallowed],
    ['the router', world.addr.router, world.ports.routerAdmin],
    ["the host's LAN address", world.addr.hostLan, world.ports.hostLanService],
    ["the agent's bridge gateway (the host)", '172.30.19.1', world.ports.hostAllService],
    ['cloud metadata', '169.254.169.254', 80],
  ] as const;

  it('its containers are refused what the agent is refused, and get the agent\'s exception', async () => {
    const script = [...refused.map(([, h, p]) => connectScript(h, p)), connectScript(world.addr.nas, world.ports.nasAllowed)].join('; ');
    const lines = (await nested(script)).out.trim().split('\n');
    refused.forEach(([what], i) => expect(lines[i], what).toBe('NOT-CONNECTED'));
    expect(lines[refused.length], 'the NAS exception').toBe('CONNECTED');
  });

  it('a container with --network host is caged all the same', async () => {
    const r = await nested([connectScript(world.addr.nas, world.ports.nasDisallowed), connectScript(world.addr.internet, world.ports.internet)].join('; '), ['--network', 'host']);
    expect(r.out.trim().split('\n')).toEqual(['NOT-CONNECTED', 'CONNECTED']);
  });

  it('a build step is caged too', async () => {
    const dockerfile = `FROM ${nestedImage}\nRUN ${connectScript(world.addr.nas, world.ports.nasDisallowed)}; ${connectScript(world.addr.internet, world.ports.internet)}\n`;
    const r = await docker(world, ['exec', '-i', '-e', 'DOCKER_BUILDKIT=0', AGENT, 'docker', 'build', '--no-cache', '-'], { input: dockerfile, timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/NOT-CONNECTED\s+CONNECTED/);
  });

  it("a published port answers at the agent's 127.0.0.1", async () => {
    const run = await agentDocker(['run', '-d', '--name', 'web', '-p', '8099:80', nestedImage, 'sh', '-c',
      'mkdir /www && echo nested-page > /www/index.html && exec httpd -f -p 80 -h /www']);
    expect(run.exitCode, run.stderr).toBe(0);
    const page = await waitUntil('the published port', 30_000, async () => {
      const r = await inHost(world, 'nsenter', [`--net=/proc/${agentPid}/ns/net`, '--', 'busybox', 'timeout', '5', 'busybox', 'wget', '-q', '-O-', 'http://127.0.0.1:8099/']);
      return r.exitCode === 0 ? r.stdout : undefined;
    });
    expect(page).toBe('nested-page');
    // On the agent's loopback only (the engine's --ip 127.0.0.1): not on its bridge address.
    const ip = (await docker(world, ['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', AGENT])).stdout.trim();
    expect((await connectFrom(world, agentPid, ip, 8099)).outcome).not.toBe('connected');
    await agentDocker(['rm', '-f', 'web']);
  });

  it('containers on a network of their own find each other by name (compose-like)', async () => {
    expect((await agentDocker(['network', 'create', 'app'])).exitCode).toBe(0);
    const db = await agentDocker(['run', '-d', '--name', 'db', '--network', 'app', nestedImage, 'sh', '-c',
      'mkdir /www && echo db-page > /www/index.html && exec httpd -f -p 80 -h /www']);
    expect(db.exitCode, db.stderr).toBe(0);
    const page = await waitUntil('the db service by name', 30_000, async () => {
      const r = await nested('timeout 5 wget -q -O- http://db/', ['--network', 'app']);
      return r.code === 0 ? r.out : undefined;
    });
    expect(page).toContain('db-page');
    // Names outside the network still resolve (the engine's resolver forwards to the declared one).
    expect((await nested(`timeout 10 wget -q -O- http://internet.test:${world.ports.internet}/`, ['--network', 'app'])).out).toContain('internet-page');
    await agentDocker(['rm', '-f', 'db']);
    await agentDocker(['network', 'rm', 'app']);
  });

  it("binds the agent's workspace at the same path, and -v / shows the engine's files, not the host's", async () => {
    expect((await nested('cat /src/hello.txt', ['-v', '/workspace:/src'])).out).toContain('from-the-workspace');
    const r = await nested(`test -d /h/home/rootless && echo ENGINE-ROOT; test -e /h${world.root} && echo HOST-ROOT; true`, ['-v', '/:/h']);
    expect(r.out).toContain('ENGINE-ROOT');
    expect(r.out).not.toContain('HOST-ROOT');
  });

  it('--privileged fails closed', async () => {
    const r = await nested('echo RAN', ['--privileged']);
    expect(r.code).not.toBe(0);
    expect(r.out).not.toContain('RAN');
  });

  it("hermit's probe passes for the agent and, from the engine's own namespace and from a nested container, for the nested path", async () => {
    const r = await hermit(world, ['probe', file, '--json']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const rows = (JSON.parse(r.stdout) as { rows: { id: string; target: string; expected: string; ok: boolean }[] }).rows;
    const nestedRows = rows.filter((x) => x.id.startsWith('nested:'));
    expect(nestedRows.length).toBeGreaterThan(3);
    expect(nestedRows.filter((x) => x.expected === 'blocked').length).toBeGreaterThan(2);
    expect(nestedRows.every((x) => x.ok), JSON.stringify(nestedRows, null, 1)).toBe(true);
    // From a nested container of hermit's own (its image loaded into the engine, no pull): the
    // same expectations, all met; a blocked LAN address and the host refused, the exception and
    // mustReach reached.
    const inContainer = rows.filter((x) => x.id.startsWith('nested-container:'));
    expect(inContainer.length).toBe(nestedRows.length);
    expect(inContainer.every((x) => x.ok && x.target.endsWith('[from a nested container]')), JSON.stringify(inContainer, null, 1)).toBe(true);
    const row = (host: string) => inContainer.find((x) => x.target.includes(`${host}:`));
    // The router (the LAN), the host's LAN address and the agent's bridge gateway (the host).
    for (const host of [world.addr.router, world.addr.hostLan, '172.30.19.1']) expect(row(host), host).toMatchObject({ expected: 'blocked', ok: true });
    expect(row('internet.test'), 'mustReach').toMatchObject({ expected: 'reachable', ok: true });
    expect(row(world.addr.nas), 'the exception').toMatchObject({ expected: 'reachable', ok: true });
    // hermit removed its probe container; its image stays in the engine's data volume.
    expect((await agentDocker(['ps', '-a', '--format', '{{.Names}}'])).stdout).not.toMatch(/hermit-probe-/);
    const images = async () => (await agentDocker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'])).stdout.split('\n').filter((i) => i.startsWith('hermit-probe:'));
    const [image] = await images();
    expect(image).toBeDefined();
    // An image the agent removed is imported again.
    expect((await agentDocker(['rmi', image!])).exitCode).toBe(0);
    const again = await hermit(world, ['probe', file, '--json']);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { rows: { id: string }[] }).rows.filter((x) => x.id.startsWith('nested-container:')).length).toBe(inContainer.length);
    expect(await images()).toEqual([image]);
  });

  it('follows the agent into its new network namespace when the agent restarts (hermit run)', async () => {
    expect((await docker(world, ['restart', '--time', '1', AGENT])).exitCode).toBe(0);
    const r = await hermit(world, ['run', file, '--json'], { timeout: 300_000, env: { HERMIT_TIMING: '1' } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { changes: string[] }).changes.join('\n')).toMatch(/old network namespace/);
    console.log(`[engine] run after a restart (image in the data volume):\n${timing(r.stderr)}`);
    agentPid = await pidOf(world, AGENT);
    // Images stay in the data volume.
    expect((await nested(`timeout 10 wget -q -O- http://internet.test:${world.ports.internet}/`)).out).toContain('internet-page');
  });

  it('follows the agent\'s restart with the guard too', async () => {
    expect((await docker(world, ['restart', '--time', '1', AGENT])).exitCode).toBe(0);
    const g = await hermit(world, ['guard', '--once', file], { timeout: 120_000 });
    expect(g.exitCode, g.stdout + g.stderr).toBe(0);
    expect(g.stdout + g.stderr).toMatch(/restarted docker engine/);
    agentPid = await pidOf(world, AGENT);
    const page = await waitUntil('a nested container to reach the internet again', 60_000, async () => {
      const r = await nested(`timeout 10 wget -q -O- http://internet.test:${world.ports.internet}/`);
      return r.out.includes('internet-page') ? r.out : undefined;
    });
    expect(page).toContain('internet-page');
  });

  /** Running, and the restart policy, of the agent and the engine. */
  const states = async () => (await docker(world, ['inspect', '--format', '{{.State.Running}} {{.HostConfig.RestartPolicy.Name}}', AGENT, engine])).stdout.trim().split('\n');
  const NFT = FIREWALL === 'nftables';
  const nestedChecks = (out: string) => /probe \(after restoring\) ok, \d+ checks \((\d+) of them on the docker engine's nested path\)/.exec(out);

  it("the guard restores flushed rules and its proof includes the nested path", async () => {
    const flush = NFT ? await inHost(world, 'nft', ['flush', 'table', 'inet', `hermit-${NAME}`]) : await inHost(world, 'iptables', ['-F', 'DOCKER-USER']);
    expect(flush.exitCode, flush.stderr).toBe(0);
    const g = await hermit(world, ['guard', '--once', file], { timeout: 180_000 });
    const out = g.stdout + g.stderr;
    expect(g.exitCode, out).toBe(0);
    expect(out).toMatch(/DRIFT/);
    const m = nestedChecks(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(3);
    expect(out).not.toMatch(/STOPPED/);
  });

  it('a breach stops the agent and the engine in its namespace (restart policies "no"); hermit run brings both back, proven', async () => {
    // An accept above Docker's jump in FORWARD lets the agent's bridge through (nftables: hermit's table removed).
    const bypass = ['FORWARD', '-i', `hm-${NAME}`, '-m', 'comment', '--comment', 'e2e engine breach', '-j', 'ACCEPT'];
    const open = NFT ? await inHost(world, 'nft', ['delete', 'table', 'inet', `hermit-${NAME}`]) : await inHost(world, 'iptables', ['-I', 'FORWARD', '1', ...bypass.slice(1)]);
    expect(open.exitCode, open.stderr).toBe(0);
    try {
      const r = await hermit(world, ['probe', file, '--json'], { timeout: 180_000 });
      expect(r.exitCode, r.stderr).toBe(5);
      expect(r.stderr).toMatch(new RegExp(`a BREACH .*: container ${AGENT} and ${engine} \\(which shares its network namespace\\) were stopped \\(their restart policies set to "no"\\)`));
      // The report, then (--json) the error as one result object.
      const rows = (JSON.parse(r.stdout.slice(0, r.stdout.indexOf('\n}\n') + 2)) as { rows: { id: string; ok: boolean }[] }).rows;
      expect(rows.some((x) => x.id.startsWith('nested:') && !x.ok), 'the nested path breached too').toBe(true);
      expect(rows.some((x) => x.id.startsWith('nested-container:') && !x.ok), 'and from a nested container').toBe(true);
      expect(await states()).toEqual(['false no', 'false no']);
    } finally {
      if (!NFT) await inHost(world, 'iptables', ['-D', ...bypass]);
    }
    const run = await hermit(world, ['run', file, '--json'], { timeout: 300_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    const again = JSON.parse(run.stdout) as { verdict: string; probe: { rows: { id: string; ok: boolean }[] } };
    expect(again.verdict).toBe('proven');
    expect(again.probe.rows.filter((x) => x.id.startsWith('nested:')).length).toBeGreaterThan(3);
    expect(again.probe.rows.filter((x) => x.id.startsWith('nested-container:')).length).toBeGreaterThan(3);
    expect((await states()).map((s) => s.split(' ')[0])).toEqual(['true', 'true']);
    agentPid = await pidOf(world, AGENT);
    // Its images stayed in the data volume: a nested container runs again at once.
    expect((await nested(`timeout 10 wget -q -O- http://internet.test:${world.ports.internet}/`)).out).toContain('internet-page');
  });

  it("a probe container hermit cannot vouch for leaves the run unproven, not breached (the agent's image under hermit's name)", async () => {
    const probeImage = (await agentDocker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'])).stdout.split('\n').find((i) => i.startsWith('hermit-probe:'));
    expect(probeImage).toBeDefined();
    expect((await agentDocker(['tag', nestedImage, probeImage!])).exitCode).toBe(0);
    const r = await hermit(world, ['probe', file, '--json'], { timeout: 180_000 });
    expect(r.exitCode, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/isolation not proven, the probe could not run: the nested container's probe: .*hermit's probe container hermit-probe-/);
    expect(r.stderr).not.toMatch(/BREACH/);
    expect(await states()).toEqual(['false no', 'false no']);
    // Started by hand, the agent's image out of the way: hermit run imports its own again, proven.
    expect((await docker(world, ['start', AGENT, engine])).exitCode).toBe(0);
    await waitUntil('the engine to answer', 120_000, async () => ((await agentDocker(['version'])).exitCode === 0 ? true : undefined));
    expect((await agentDocker(['rmi', probeImage!])).exitCode).toBe(0);
    const run = await hermit(world, ['run', file, '--json'], { timeout: 300_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { verdict: string }).verdict).toBe('proven');
    expect((await agentDocker(['ps', '-a', '--format', '{{.Names}}'])).stdout).not.toMatch(/hermit-probe-/);
    agentPid = await pidOf(world, AGENT);
  });

  it('is shown by ps, status and logs --docker, and stopped by stop', async () => {
    const ps = await hermit(world, ['ps', '--json']);
    expect((JSON.parse(ps.stdout) as { container: string; role: string }[]).filter((c) => c.container === engine).map((c) => c.role)).toEqual(['docker']);
    const st = await hermit(world, ['status', file]);
    expect(st.stdout).toContain(engine);
    const logs = await hermit(world, ['logs', file, '--docker', '-n', '50']);
    expect(logs.exitCode, logs.stderr).toBe(0);
    expect(logs.stdout + logs.stderr).toMatch(/dockerd|rootlesskit|API listen/i);
    expect((await hermit(world, ['stop', file])).exitCode).toBe(0);
    const running = await docker(world, ['inspect', '--format', '{{.State.Running}}', engine, AGENT]);
    expect(running.stdout.trim().split('\n')).toEqual(['false', 'false']);
  });

  it('down removes the engine and its socket volume, and its data only with --volumes', async () => {
    // This host's /dev/net/tun is 0600 (or not): the engine got hermit's own node, or the host's.
    const mounts = JSON.parse((await docker(world, ['container', 'inspect', '--format', '{{json .Mounts}}', engine])).stdout) as { Source: string; Destination: string }[];
    const tun = mounts.find((m) => m.Destination === '/dev/net/tun')?.Source;
    expect(tun === undefined).toBe((statSync('/dev/net/tun').mode & 0o006) === 0o006);
    const volumes = async () => (await docker(world, ['volume', 'ls', '--quiet', '--filter', `label=hermit.profile=${NAME}`])).stdout.trim().split('\n').filter(Boolean).sort();
    expect(await volumes()).toEqual([DATA_VOLUME, SOCKET_VOLUME]);
    expect((await hermit(world, ['down', file])).exitCode).toBe(0);
    expect((await docker(world, ['container', 'inspect', engine])).exitCode).not.toBe(0);
    expect(await volumes()).toEqual([DATA_VOLUME]);
    if (tun) expect(existsSync(tun), tun).toBe(false);
    const d = await hermit(world, ['down', '--volumes', file]);
    expect(d.exitCode, d.stderr).toBe(0);
    expect(await volumes()).toEqual([]);
  });
});
