import { describe, expect, it } from 'vitest';
import { dockerRun, durationNs, planContainer } from '../../src/plan/container.js';
import { planNetwork } from '../../src/plan/network.js';
import { planProbe } from '../../src/plan/targets.js';
import { sampleFacts, sampleProfile } from './fixtures.js';

const ENV = { API_KEY: 'sk-secret-value' };
const noExtras = { dockerArgs: [], command: [] };

describe('network plan', () => {
  it('creates a labelled bridge with the profile\'s subnet, gateway and interface name', () => {
    expect(planNetwork(sampleProfile(), sampleFacts())).toEqual({
      kind: 'create',
      args: ['network', 'create', '--driver', 'bridge', '--subnet', '172.30.0.0/24', '--gateway', '172.30.0.1',
        '--opt', 'com.docker.network.bridge.name=hm-agent', '--label', 'hermit.profile=agent', 'hermit-agent'],
    });
  });

  it('keeps a matching network it created', () => {
    const facts = sampleFacts();
    facts.networks.push({ id: 'n1', name: 'hermit-agent', driver: 'bridge', subnets: ['172.30.0.0/24'], gateways: ['172.30.0.1'], bridge: 'hm-agent', ipv6: false, labels: { 'hermit.profile': 'agent' }, containers: [] });
    expect(planNetwork(sampleProfile(), facts)).toEqual({ kind: 'keep', id: 'n1' });
  });

  it.each([
    ['a host route', { routes: [{ family: 4 as const, dst: '172.30.0.0/16', dev: 'tun0' }] }, /overlaps the host route 172.30.0.0\/16 on tun0/],
    ['another Docker network', { networks: [{ id: 'x', name: 'compose_default', driver: 'bridge', subnets: ['172.30.0.128/25'], gateways: [], ipv6: false, labels: {}, containers: [] }] }, /overlaps Docker network 'compose_default'/],
  ])('refuses a subnet that overlaps %s', (_what, facts, message) => {
    expect(() => planNetwork(sampleProfile(), sampleFacts(facts))).toThrow(message);
  });

  it('refuses a same-named network it did not create, and one that differs from the profile', () => {
    const net = { id: 'n1', name: 'hermit-agent', driver: 'bridge', subnets: ['172.31.0.0/24'], gateways: ['172.31.0.1'], bridge: 'hm-agent', ipv6: false, labels: {}, containers: [] };
    expect(() => planNetwork(sampleProfile(), sampleFacts({ networks: [net] }))).toThrow(/not created by hermit/);
    expect(() => planNetwork(sampleProfile(), sampleFacts({ networks: [{ ...net, labels: { 'hermit.profile': 'agent' } }] }))).toThrow(/subnet is 172.31.0.0\/24, profile wants 172.30.0.0\/24/);
  });
});

describe('docker run plan', () => {
  it('hardens the container and keeps secrets out of argv', async () => {
    const run = dockerRun(sampleProfile(), noExtras, ENV);
    await expect(run.args.join('\n')).toMatchFileSnapshot('golden/docker-run.argv');
    expect(run.args.join(' ')).not.toContain('sk-secret-value');
    expect(run.env).toEqual({ TZ: 'UTC', API_KEY: 'sk-secret-value' });
  });

  it('describes the same container as an Engine API create request, and leaves the rest to the CLI', async () => {
    const run = dockerRun(sampleProfile(), noExtras, ENV);
    await expect(`${JSON.stringify(run.create, null, 2)}\n`).toMatchFileSnapshot('golden/docker-run.create.json');
    // Options only the docker CLI parses: no create request, the CLI runs.
    expect(dockerRun(sampleProfile(), { dockerArgs: ['--memory', '2g'], command: [] }, ENV).create).toBeUndefined();
    const profile = sampleProfile();
    profile.container.envFile = '/srv/agent.env';
    expect(dockerRun(profile, noExtras, ENV).create).toBeUndefined();
    const ranges = sampleProfile();
    ranges.container.publish = ['127.0.0.1:8000-8001:8000-8001'];
    expect(dockerRun(ranges, noExtras, ENV).create).toBeUndefined();
    // A command after `--` replaces the profile's, as with the CLI.
    expect(dockerRun(sampleProfile(), { dockerArgs: [], command: ['sh'] }, ENV).create?.body.Cmd).toEqual(['sh']);
  });

  it('converts Go durations to the nanoseconds the Engine API takes', () => {
    expect(durationNs('30s')).toBe(30e9);
    expect(durationNs('1m30s')).toBe(90e9);
    expect(durationNs('1.5h')).toBe(5400e9);
    expect(durationNs('500ms')).toBe(5e8);
    expect(durationNs('10us')).toBe(1e4);
  });

  it('refuses to start without a passEnv variable', () => {
    expect(() => dockerRun(sampleProfile(), noExtras, {})).toThrow(/passEnv names API_KEY, but it is not set/);
  });

  it('keeps a running unchanged container, starts a stopped one, recreates a changed one', () => {
    const run = dockerRun(sampleProfile(), noExtras, ENV);
    const existing = { id: 'c1', name: 'hermit-agent', running: true, status: 'running', pid: 42, image: 'sha256:old', startedAt: '', networks: ['hermit-agent'], restartPolicy: 'unless-stopped', labels: { 'hermit.profile': 'agent', 'hermit.config': run.configHash } };
    const plan = (c: typeof existing, opts = { replace: false }, facts = {}) => planContainer(sampleProfile(), run, sampleFacts({ container: c, ...facts }), opts);
    expect(plan(existing).kind).toBe('keep');
    const changed = dockerRun(sampleProfile(), { dockerArgs: ['--memory', '2g'], command: [] }, ENV);
    expect(planContainer(sampleProfile(), changed, sampleFacts({ container: existing }), { replace: false }))
      .toMatchObject({ kind: 'run', remove: 'c1', reason: 'profile changed since hermit-agent was created: recreate container' });
    expect(plan({ ...existing, running: false, status: 'exited' })).toEqual({ kind: 'start', id: 'c1', reason: 'start stopped container hermit-agent' });
    // A failed probe set the restart policy to "no": starting puts the profile's back.
    expect(plan({ ...existing, running: false, restartPolicy: 'no' })).toMatchObject({ kind: 'start', restart: 'unless-stopped' });
    expect(plan(existing, { replace: true })).toMatchObject({ kind: 'run', remove: 'c1', reason: 'replace container (--replace)' });
    expect(() => plan({ ...existing, labels: {} })).toThrow(/not started by hermit/);
  });

  it('recreates a container attached to a network id that is no longer its network\'s (network removed or recreated)', () => {
    const run = dockerRun(sampleProfile(), noExtras, ENV);
    const existing = { id: 'c1', name: 'hermit-agent', running: false, status: 'exited', pid: 0, image: 'sha256:old', startedAt: '', networks: ['hermit-agent'], networkIds: { 'hermit-agent': 'aaaaaaaaaaaa1111' }, restartPolicy: 'unless-stopped', labels: { 'hermit.profile': 'agent', 'hermit.config': run.configHash } };
    const net = { id: 'aaaaaaaaaaaa1111', name: 'hermit-agent', driver: 'bridge', subnets: ['172.30.0.0/24'], gateways: ['172.30.0.1'], bridge: 'hm-agent', ipv6: false, labels: { 'hermit.profile': 'agent' }, containers: [] };
    const plan = (networks: typeof net[]) => planContainer(sampleProfile(), run, sampleFacts({ container: existing, networks }), { replace: false });
    expect(plan([net])).toMatchObject({ kind: 'start', id: 'c1' });
    expect(plan([])).toEqual({ kind: 'run', run, remove: 'c1', reason: 'network hermit-agent was removed (id aaaaaaaaaaaa) since hermit-agent was created: recreate container' });
    expect(plan([{ ...net, id: 'bbbbbbbbbbbb2222' }])).toMatchObject({ kind: 'run', remove: 'c1', reason: 'network hermit-agent was removed and created again (id aaaaaaaaaaaa → bbbbbbbbbbbb) since hermit-agent was created: recreate container' });
    // Docker did not say which id: nothing to compare, as before.
    expect(planContainer(sampleProfile(), run, sampleFacts({ container: { ...existing, networkIds: {} }, networks: [] }), { replace: false }).kind).toBe('start');
  });

  it('recreates for a changed image only under hermit update', () => {
    const run = dockerRun(sampleProfile(), noExtras, ENV);
    const existing = { id: 'c1', name: 'hermit-agent', running: true, status: 'running', pid: 42, image: 'sha256:old', startedAt: '', networks: [], restartPolicy: 'unless-stopped', labels: { 'hermit.profile': 'agent', 'hermit.config': run.configHash } };
    const facts = sampleFacts({ container: existing, imageId: 'sha256:new' });
    expect(planContainer(sampleProfile(), run, facts, { replace: false }).kind).toBe('keep');
    expect(planContainer(sampleProfile(), run, facts, { replace: false, followImage: true }))
      .toMatchObject({ kind: 'run', remove: 'c1', reason: 'image example/agent:1 changed: recreate container' });
    expect(planContainer(sampleProfile(), run, sampleFacts({ container: existing, imageId: 'sha256:old' }), { replace: false, followImage: true }).kind).toBe('keep');
  });
});

describe('probe plan', () => {
  it('picks one live address per blocked range and path, then exceptions, must-reach targets and resolvers', () => {
    const plan = planProbe(sampleProfile(), sampleFacts());
    const rows = plan.tcp.map((t) => `${t.expect.padEnd(9)} ${t.probe.host}:${t.probe.port}  ${t.target} | ${t.reason}`);
    expect(rows).toEqual([
      "blocked   192.168.50.1:80  host's default gateway 192.168.50.1:80 | blocked range 192.168.0.0/16",
      'blocked   172.30.0.1:80  bridge gateway (the host) 172.30.0.1:80 | the host itself (INPUT)',
      'blocked   192.168.50.10:80  host address 192.168.50.10:80 (uplink) | the host itself (INPUT)',
      'blocked   169.254.169.254:80  cloud metadata 169.254.169.254:80 | blocked range 169.254.0.0/16',
      'blocked   192.168.50.20:22  192.168.50.20:22 | NAS ssh',
      'reachable 192.168.50.20:8080  192.168.50.20:8080 | exception: NAS git',
      'reachable internet.test:80  internet.test:80 | profile: must be reachable',
    ]);
    expect(plan.dns.map((d) => `${d.probe.name}@${d.probe.server}`)).toEqual(['internet.test@127.0.0.11', 'internet.test@192.168.50.1', 'internet.test@1.1.1.1']);
    expect(plan.ipv6Off).toBe(true);
  });

  it('IPv6 on: the host\'s IPv6 addresses, its IPv6 gateway and a route into a blocked IPv6 range, no link-local', () => {
    const p = sampleProfile();
    p.network = { ...p.network, ipv6: true, subnet6: 'fd00:30::/64' };
    const facts = sampleFacts();
    facts.addresses.push({ ifname: 'uplink', family: 6, address: '2001:db8:50::10', prefixlen: 64 }, { ifname: 'uplink', family: 6, address: 'fe80::1', prefixlen: 64 });
    facts.routes.push({ family: 6, dst: 'default', gateway: 'fe80::ff', dev: 'uplink' }, { family: 6, dst: 'fd77::/48', gateway: 'fe80::ff', dev: 'uplink' }, { family: 6, dst: 'fd00:30::/64', dev: 'hm-agent' });
    const rows = planProbe(p, facts).tcp.filter((t) => t.probe.host.includes(':')).map((t) => `${t.probe.host}:${t.probe.port} ${t.target} | ${t.reason}`);
    expect(rows).toEqual([
      'fd00:30::1:80 bridge IPv6 gateway (the host) [fd00:30::1]:80 | the host itself (INPUT)',
      '2001:db8:50::10:80 host address [2001:db8:50::10]:80 (uplink) | the host itself (INPUT)',
      'fd77::1:80 IPv6 route fd77::/48 (uplink): [fd77::1]:80 | blocked range fc00::/7',
    ]);
  });
});
