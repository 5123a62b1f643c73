// The agent's own Docker engine (`docker:`): the profile key, the engine container's arguments and
// what the agent's container gets. Isolation itself is proven in test/e2e/engine.test.ts.
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { type ContainerAction, dockerRun } from '../../src/plan/container.js';
import { ENGINE_SECCOMP, engineRun, planEngine } from '../../src/plan/engine.js';
import type { EngineFacts, ExistingContainer } from '../../src/plan/host-facts.js';
import { DEFAULT_ENGINE_IMAGE, ENGINE_RECIPE_DIR } from '../../src/profile/engine.js';
import { parseProfile } from '../../src/profile/load.js';
import { VERSION } from '../../src/version.js';
import { sampleFacts, sampleProfile } from './fixtures.js';
import { planProbe } from '../../src/plan/targets.js';
import { localAddresses, nestedProbePlan, withNested } from '../../src/probe/nested.js';
import { classify } from '../../src/probe/classify.js';

const TEXT = `name: dev
image: example/agent:1
network:
  subnet: 172.30.9.0/24
dns: [192.168.50.1]
container:
  mounts: [/srv/work:/workspace, cache:/home/agent/.cache]
`;
const load = (extra: string) => parseProfile('/p/dev.yaml', TEXT + extra, { HOME: '/root' }).profile;
const problems = (extra: string) => { try { load(extra); return ''; } catch (e) { return (e as Error).message; } };

describe('profile key docker:', () => {
  it('is off by default and with false', () => {
    expect(load('').docker).toBeUndefined();
    expect(load('docker: false\n').docker).toBeUndefined();
  });

  it('true: hermit\'s engine image, built from profiles/engine, named after the profile', () => {
    expect(DEFAULT_ENGINE_IMAGE).toBe(`localhost/hermit/engine:${VERSION}`);
    expect(load('docker: true\n').docker).toEqual({
      image: DEFAULT_ENGINE_IMAGE,
      build: { context: ENGINE_RECIPE_DIR, dockerfile: `${ENGINE_RECIPE_DIR}/Dockerfile` },
      container: 'hermit-dev-docker', dataVolume: 'hermit-dev-docker', socketVolume: 'hermit-dev-docker-sock',
    });
  });

  it('a map names another image, which hermit does not build', () => {
    expect(load('docker: { image: registry.example.org/engine:2 }\n').docker).toEqual({
      image: 'registry.example.org/engine:2', container: 'hermit-dev-docker', dataVolume: 'hermit-dev-docker', socketVolume: 'hermit-dev-docker-sock',
    });
  });

  it('refuses unknown keys and other types', () => {
    expect(problems('docker: { image: x, privileged: true }\n')).toMatch(/docker/);
    expect(problems('docker: yes please\n')).toMatch(/docker/);
    expect(problems('docker: { image: "" }\n')).toMatch(/docker/);
  });
});

describe('engineRun', () => {
  const profile = sampleProfile({ docker: { image: 'localhost/hermit/engine:test', container: 'hermit-agent-docker', dataVolume: 'hermit-agent-docker', socketVolume: 'hermit-agent-docker-sock' } });
  // The seccomp profile's path depends on where hermit is installed.
  const shown = (args: string[]) => `${args.join('\n').replaceAll(PACKAGE_ROOT, '<hermit>')}\n`;

  it('creates the engine in the agent\'s network namespace with the least privilege that works (golden)', async () => {
    const run = engineRun(profile, {}, '/var/lib/hermit');
    await expect(shown(run.create)).toMatchFileSnapshot('golden/engine-create.argv');
    expect(run.create).toEqual(expect.arrayContaining(['--network', 'container:hermit-agent']));
    expect(run.create).not.toContain('--privileged');
    expect(run.create).toContain(`seccomp=${ENGINE_SECCOMP}`);
  });

  it('gives the agent the socket volume, DOCKER_HOST and testcontainers\' host', () => {
    expect(engineRun(profile, {}, '/var/lib/hermit').agent).toEqual({
      env: { DOCKER_HOST: 'unix:///run/hermit-docker/docker.sock', TESTCONTAINERS_HOST_OVERRIDE: 'localhost' },
      mounts: ['hermit-agent-docker-sock:/run/hermit-docker'],
    });
  });

  it('mounts the agent\'s folders at the same paths, through the same pinned binds', () => {
    const run = engineRun(profile, {}, '/var/lib/hermit');
    expect(run.create).toEqual(expect.arrayContaining(['--volume', '/var/lib/hermit/.binds/agent/0:/workspace']));
  });

  it('binds hermit\'s own tun node when the host\'s is not usable by the engine\'s uid', () => {
    const run = engineRun(profile, { tunNode: '/var/lib/hermit/.engine/agent/tun' }, '/var/lib/hermit');
    expect(run.create).toEqual(expect.arrayContaining(['--volume', '/var/lib/hermit/.engine/agent/tun:/dev/net/tun']));
    expect(run.create).not.toContain('--device');
    expect(run.configHash).not.toBe(engineRun(profile, {}, '/var/lib/hermit').configHash);
  });

  const proxy = {
    domains: [], image: 'x', container: 'hermit-agent-proxy', network: { name: 'n', subnet: '172.30.0.128/25', gateway: '172.30.0.129', bridge: 'b' },
    address: '172.30.0.130', bridgeAddress: '172.30.0.2', port: 3128,
    credentials: [{ host: 'api.example.com', port: 443, header: 'x-api-key', value: '${K}', baseUrlEnv: 'EXAMPLE_BASE_URL' }],
  };
  const strict = { ...profile, proxy };

  it('in allowlist mode pulls through the proxy, resolves nothing (a resolver that refuses at once), and writes the agent\'s CLI configuration (golden)', async () => {
    const run = engineRun(strict, {}, '/var/lib/hermit');
    await expect(shown(run.create)).toMatchFileSnapshot('golden/engine-create-allowlist.argv');
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) expect(run.create).toContain(`${name}=http://172.30.0.130:3128`);
    expect(run.create).toContain('NO_PROXY=localhost,127.0.0.1,::1,172.30.0.130,hermit-agent-proxy');
    expect(run.create).toContain('HERMIT_DOCKER_CONFIG=/run/hermit-docker/config');
    // None of the declared resolvers: the engine resolves no name (the proxy does).
    expect(run.create.filter((a) => a.startsWith('HERMIT_ENGINE_DNS='))).toEqual(['HERMIT_ENGINE_DNS=127.0.0.1']);
    // The credentials' base URLs are the agent's, not the engine's.
    expect(run.create.some((a) => a.startsWith('EXAMPLE_BASE_URL='))).toBe(false);
    expect(run.configHash).not.toBe(engineRun(profile, {}, '/var/lib/hermit').configHash);
  });

  it('in allowlist mode points the agent\'s docker CLI at that configuration (DOCKER_CONFIG, on the command line), and only then', () => {
    expect(engineRun(strict, {}, '/var/lib/hermit').agent.env).toEqual({
      DOCKER_HOST: 'unix:///run/hermit-docker/docker.sock', TESTCONTAINERS_HOST_OVERRIDE: 'localhost', DOCKER_CONFIG: '/run/hermit-docker/config',
    });
    const r = dockerRun(strict, { dockerArgs: [], command: [] }, { API_KEY: 'k' });
    expect(r.args).toEqual(expect.arrayContaining(['--env', 'DOCKER_CONFIG=/run/hermit-docker/config']));
    expect(r.env.DOCKER_CONFIG).toBeUndefined();
    expect(r.create?.body).toMatchObject({ Env: expect.arrayContaining(['DOCKER_CONFIG=/run/hermit-docker/config']) });
    expect(engineRun(profile, {}, '/var/lib/hermit').agent.env.DOCKER_CONFIG).toBeUndefined();
    expect(engineRun(profile, {}, '/var/lib/hermit').create.join(' ')).not.toMatch(/PROXY|HERMIT_DOCKER_CONFIG/);
  });

  it('refuses a profile without an engine', () => {
    expect(() => engineRun(sampleProfile(), {}, '/var/lib/hermit')).toThrow(/no docker/);
  });
});

describe('planEngine (hermit run with docker:)', () => {
  const engine = { image: 'localhost/hermit/engine:test', container: 'hermit-agent-docker', dataVolume: 'hermit-agent-docker', socketVolume: 'hermit-agent-docker-sock' };
  const profile = sampleProfile({ docker: engine });
  const running = (name: string, labels: Record<string, string>): ExistingContainer => ({
    id: `id-${name}`, name, running: true, status: 'running', pid: 42, image: 'sha256:e', startedAt: '', labels, networks: [], restartPolicy: 'no',
  });
  const fresh: EngineFacts = { volumes: [], hostTun: false, tunNode: false, imageId: 'sha256:e' };
  const run: ContainerAction = { kind: 'keep', id: 'a', run: dockerRun(profile, { dockerArgs: [], command: [] }, { API_KEY: 'k' }), reason: '' };
  const plan = (ef: EngineFacts, agent: ContainerAction = run) => planEngine(profile, sampleFacts({ engine: ef }), { replace: false, stateDir: '/var/lib/hermit', agent })!;

  it('creates its labelled volumes and, the host\'s tun being closed to uid 1000, a tun node of its own', () => {
    const p = plan(fresh);
    expect(p.container.kind).toBe('run');
    expect(p.sidecar.netns).toBe('hermit-agent');
    expect(p.sidecar.needs!.map((n) => [n.cmd.file, ...n.cmd.args].join(' '))).toEqual([
      'docker volume create --label hermit.profile=agent --label hermit.role=docker hermit-agent-docker',
      'docker volume create --label hermit.profile=agent --label hermit.role=docker-socket hermit-agent-docker-sock',
      'mkdir -p -m 700 /var/lib/hermit/agent/engine',
      'mknod --mode=600 /var/lib/hermit/agent/engine/tun c 10 200',
      'chown 1000:1000 /var/lib/hermit/agent/engine/tun',
    ]);
    expect(p.sidecar.create.args).toEqual(expect.arrayContaining(['--volume', '/var/lib/hermit/agent/engine/tun:/dev/net/tun']));
    expect(p.sidecar.ready).toMatchObject({ command: { file: 'docker', args: ['exec', 'hermit-agent-docker', 'docker', '-H', 'unix:///run/hermit-docker/docker.sock', 'version', '--format', '{{.Server.Version}}'] } });
  });

  it('uses the host\'s tun when it is open to all, and makes only what is missing', () => {
    const p = plan({ ...fresh, hostTun: true, volumes: ['hermit-agent-docker', 'hermit-agent-docker-sock'] });
    expect(p.sidecar.needs).toEqual([]);
    expect(p.sidecar.create.args).toEqual(expect.arrayContaining(['--device', '/dev/net/tun']));
  });

  it('is kept while it runs in the agent\'s namespace, and recreated when the agent is recreated, started or restarted', () => {
    const sc = plan(fresh).sidecar;
    const existing = running(engine.container, { 'hermit.profile': 'agent', 'hermit.role': 'docker', 'hermit.config': sc.configHash });
    const ef = { ...fresh, tunNode: true, volumes: [engine.dataVolume, engine.socketVolume], container: existing };
    expect(plan(ef).container.kind).toBe('keep');
    expect(plan(ef, { kind: 'run', run: run.run, reason: 'x' }).container).toMatchObject({ kind: 'run', remove: existing.id, reason: expect.stringMatching(/shares its network/) });
    expect(plan(ef, { kind: 'start', id: 'a', reason: 'x' }).container).toMatchObject({ kind: 'run', reason: expect.stringMatching(/new network namespace/) });
    expect(plan({ ...ef, netnsStale: true }).container).toMatchObject({ kind: 'run', reason: expect.stringMatching(/old network namespace/) });
  });

  it('refuses an engine image that is neither here nor buildable', () => {
    expect(() => plan({ ...fresh, imageId: undefined } as EngineFacts)).toThrow(/not on this host/);
  });

  it('gives the agent the socket volume and DOCKER_HOST on the docker command line (the CLI reads DOCKER_HOST itself)', () => {
    const r = dockerRun(profile, { dockerArgs: [], command: [] }, { API_KEY: 'k' });
    expect(r.args).toEqual(expect.arrayContaining(['--env', 'DOCKER_HOST=unix:///run/hermit-docker/docker.sock', '--volume', 'hermit-agent-docker-sock:/run/hermit-docker']));
    expect(r.env.DOCKER_HOST).toBeUndefined();
    expect(r.configHash).not.toBe(dockerRun(sampleProfile(), { dockerArgs: [], command: [] }, { API_KEY: 'k' }).configHash);
  });

  it('refuses an agent whose uid cannot use the socket', () => {
    expect(() => parseProfile('/p/dev.yaml', `${TEXT.replace('container:\n', 'container:\n  user: "0:0"\n')}docker: true\n`, { HOME: '/root' })).toThrow(/container\.user.*uid 1000/s);
  });
});

describe('the nested path\'s probe', () => {
  const profile = sampleProfile({ probe: { ...sampleProfile().probe, mustReach: [{ host: 'example.org', port: 443 }] } });
  const plan = planProbe(profile, sampleFacts());

  it('resolves through the declared resolver (no embedded DNS there), probes the declared ones, leaves IPv6 to the agent\'s rows', () => {
    const nested = nestedProbePlan(plan, profile);
    expect(nested.tcp.find((t) => t.probe.host === 'example.org')!.probe.resolver).toBe(profile.dns[0]);
    expect(nested.dns.map((d) => d.probe.server)).toEqual(profile.dns);
    expect(nested.request.dns).toEqual(nested.dns.map((d) => d.probe));
    expect(nested.ipv6Off).toBe(false);
    const blocked = (p: typeof plan) => p.tcp.filter((t) => t.expect === 'blocked').map((t) => `${t.probe.host}:${t.probe.port}`);
    expect(blocked(nested)).toEqual(blocked(plan));
  });

  it('does not probe a blocked address that is the engine namespace\'s own (its docker0 = the host\'s), and says why', () => {
    const blocked = plan.tcp.find((t) => t.expect === 'blocked' && /^\d/.test(t.probe.host))!;
    const nested = nestedProbePlan(plan, profile, [blocked.probe.host, '10.0.2.100']);
    const entry = nested.tcp.find((t) => t.probe.id === blocked.probe.id)!;
    expect(entry.shadowed).toMatch(/engine's own address/);
    expect(nested.request.tcp.map((t) => t.id)).not.toContain(blocked.probe.id);
    expect(nested.request.tcp).toHaveLength(plan.request.tcp.length - plan.tcp.filter((t) => t.expect === 'blocked' && t.probe.host === blocked.probe.host).length);
    const report = classify(nested, { tcp: [], dns: [], ipv6: { disabled: true, addresses: [] } }, { container: 'c', profile: 'p' });
    const row = report.rows.find((r) => r.id === blocked.probe.id)!;
    expect(row).toMatchObject({ ok: true, expected: 'blocked' });
    expect(row.failure).toBeUndefined();
  });

  it('reads a namespace\'s own IPv4 addresses from fib_trie', () => {
    const trie = ['Main:', '  +-- 0.0.0.0/0 3 0 5', '     |-- 0.0.0.0', '        /0 universe UNICAST',
      '     +-- 127.0.0.0/8 2 0 2', '           |-- 127.0.0.0', '              /8 host LOCAL', '           |-- 127.0.0.1', '              /32 host LOCAL',
      '        |-- 127.255.255.255', '           /32 link BROADCAST', '     |-- 172.17.0.0', '        /16 link UNICAST', '     |-- 172.17.0.1',
      '        /32 host LOCAL', '     |-- 10.0.2.100', '        /24 link UNICAST', '        /32 host LOCAL', 'Local:', '     |-- 172.17.0.1', '        /32 host LOCAL'].join('\n');
    expect(localAddresses(trie).sort()).toEqual(['10.0.2.100', '127.0.0.1', '172.17.0.1']);
  });

  it('joins the agent\'s report: a breach there fails the whole', () => {
    const row = { id: 't1', kind: 'tcp' as const, target: '192.168.1.1:80', reason: 'r', expected: 'blocked' as const, observed: 'rejected', ok: true };
    const agent = { container: 'a', profile: 'agent', ok: true, rows: [row] };
    const merged = withNested(agent, { ...agent, ok: false, rows: [{ ...row, ok: false, failure: 'breach' as const }] });
    expect(merged.ok).toBe(false);
    expect(merged.rows.map((r) => r.id)).toEqual(['t1', 'nested:t1']);
    expect(merged.rows[1]!.target).toBe('192.168.1.1:80 [from the docker engine]');
  });
});
