// A plan with the proxy (allowlist mode) against the recording fake runner: what --dry-run lists
// is what apply runs, and a failure after the proxy is up undoes everything in reverse, files too.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Applied, applySteps, planCommands } from '../../src/apply/apply.js';
import type { ExistingContainer } from '../../src/plan/host-facts.js';
import { type Plan, makePlan } from '../../src/plan/plan.js';
import { squidConf } from '../../src/plan/proxy.js';
import { parseProfile } from '../../src/profile/load.js';
import { FakeRunner, runAll, shown } from './fakes/runner.js';
import { sampleFacts } from './fixtures.js';

const PROFILE = `name: strict
image: example/agent:1
network:
  subnet: 172.30.5.0/24
dns: [192.168.50.1]
egress:
  domains: [api.anthropic.com, .npm.example.org]
  proxyImage: localhost/test/squid:1
`;
const AGENT = 'c0ffee000000aaaa';
const PROXY = 'beef00000000bbbb';
const INSPECT = JSON.stringify([{ Id: AGENT, Name: '/hermit-strict', State: { Running: true, Pid: 4242 }, Image: 'sha256:1', Config: { Labels: {} }, NetworkSettings: { Networks: {} }, HostConfig: {} }]);
const LISTENING = 'Accepting HTTP Socket connections at conn1 local=0.0.0.0:3128\n';

let dir: string;
let server: Server;
beforeEach(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'hermit-proxy-')));
  // What the readiness wait connects to, in place of Squid.
  server = createServer((s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise((resolve) => server.close(resolve));
});

const profile = () => parseProfile('/p/strict.yaml', PROFILE, { HOME: '/root' }).profile;

/** The plan on a fresh host (or with the proxy `running`), its files in `dir`, its readiness a local listener. */
function proxyPlan(running?: ExistingContainer, config?: string): Plan {
  const plan = makePlan(profile(), sampleFacts({ proxy: { dir, imageId: 'sha256:squid', ...(running ? { container: running } : {}), ...(config ? { config } : {}) } }),
    { extras: { dockerArgs: [], command: [] }, environment: {}, replace: false });
  const sc = plan.proxy!.sidecar;
  // Unprivileged tests cannot chown to Squid's user.
  sc.dirs = sc.dirs.map(({ owner: _, ...d }) => d);
  sc.ready = { ...sc.ready!, tcp: { host: '127.0.0.1', port: (server.address() as AddressInfo).port }, timeoutMs: 5000 };
  return plan;
}

/** Docker as the host would answer; Squid says it listens once started or signalled. */
function host(plan: Plan): FakeRunner {
  const log = plan.proxy!.sidecar.ready!.log;
  const listens = () => { appendFileSync(log, LISTENING); return {}; };
  return new FakeRunner()
    .on('docker', ['create'], { stdout: `${PROXY}\n` })
    .on('docker', ['start', 'hermit-strict-proxy'], listens)
    .on('docker', ['kill', '--signal', 'HUP'], listens)
    .on('docker', ['run'], { stdout: `${AGENT}\n` })
    .on('docker', ['container', 'inspect'], { stdout: INSPECT });
}

const applied = (): Applied => ({ containerId: '', pid: 0, changes: [] });
const opts = (fake: FakeRunner) => ({ runner: fake, engineSocket: null });

describe('apply with the proxy', () => {
  it('runs exactly the commands --dry-run lists, in its order, with squid.conf written before the proxy starts', async () => {
    const plan = proxyPlan();
    const fake = host(plan);
    let written: string | undefined;
    fake.on('docker', ['start', 'hermit-strict-proxy'], () => {
      written = readFileSync(plan.proxy!.config.file, 'utf8');
      appendFileSync(plan.proxy!.sidecar.ready!.log, LISTENING);
      return {};
    });
    const result = applied();
    expect(await runAll(applySteps(plan, result, opts(fake)).steps)).toBeUndefined();

    expect(fake.lines()).toEqual([...planCommands(plan).map(shown), `docker container inspect ${AGENT}`]);
    expect(fake.lines().map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      'docker network create', 'docker network create', 'iptables-restore --noflush --wait', 'ip6tables-restore --noflush --wait',
      'docker create --name', 'docker network connect', 'docker start hermit-strict-proxy', 'docker run --detach', `docker container inspect`,
    ]);
    expect(written).toBe(squidConf(profile()));
    expect(result).toMatchObject({ containerId: AGENT, pid: 4242 });
    expect(result.changes).toEqual(expect.arrayContaining(['created internal network hermit-strict-internal', `wrote ${plan.proxy!.config.file}`, 'create proxy', 'create container']));
  });

  it('when the agent does not start, undoes in reverse: the proxy, its squid.conf, the rules, both networks', async () => {
    const plan = proxyPlan();
    const [v4, v6] = plan.firewall;
    const fake = host(plan).fail('docker', ['run'], 'docker: Error response from daemon: OCI runtime create failed.', 125);
    let confAtRevert: boolean | undefined;
    fake.on('ip6tables-restore', [], () => { confAtRevert ??= existsSync(plan.proxy!.config.file); return {}; });
    const { steps, rollback } = applySteps(plan, applied(), opts(fake));
    expect((await runAll(steps))?.message).toMatch(/^docker run .* failed: docker: Error response from daemon/);

    const failedAt = fake.lines().findIndex((l) => l.startsWith('docker run '));
    expect(await rollback()).toEqual([]);
    expect(fake.lines().slice(failedAt + 1)).toEqual([
      'docker rm --force hermit-strict',
      `docker rm --force ${PROXY}`,
      `ip6tables-restore --noflush --wait 10\n${v6!.revert}`,
      `iptables-restore --noflush --wait 10\n${v4!.revert}`,
      'docker network rm hermit-strict-internal',
      'docker network rm hermit-strict',
    ]);
    // squid.conf went before the rules did (a file, not a command).
    expect(confAtRevert).toBe(false);
  });

  it('reloads a running proxy for a changed list; on a later failure puts the old squid.conf back, then reloads it', async () => {
    const first = proxyPlan();
    const running: ExistingContainer = { id: PROXY, name: 'hermit-strict-proxy', running: true, status: 'running', pid: 9, image: 'sha256:squid', startedAt: '', restartPolicy: 'unless-stopped', networks: [],
      labels: { 'hermit.profile': 'strict', 'hermit.role': 'proxy', 'hermit.config': first.proxy!.sidecar.configHash } };
    const plan = proxyPlan(running, 'old list\n');
    expect(plan.proxy!.container).toMatchObject({ kind: 'keep', reload: true });
    const file = plan.proxy!.config.file;
    mkdirSync(join(dir, 'conf'), { recursive: true });
    writeFileSync(file, 'old list\n');
    let confAtHup: string | undefined;
    const fake = host(plan).fail('docker', ['run'], 'boom');
    const { steps, rollback } = applySteps(plan, applied(), opts(fake));
    expect((await runAll(steps))?.message).toMatch(/failed: boom$/);
    expect(fake.lines().filter((l) => l.startsWith('docker kill'))).toEqual(['docker kill --signal HUP hermit-strict-proxy']);
    expect(fake.lines().slice(0, planCommands(plan).length - 1)).toEqual(planCommands(plan).slice(0, -1).map(shown));

    const before = fake.calls.length;
    fake.on('docker', ['kill', '--signal', 'HUP'], () => { confAtHup = readFileSync(file, 'utf8'); return {}; });
    expect(await rollback()).toEqual([]);
    expect(fake.lines().slice(before).map((l) => l.split('\n')[0])).toEqual([
      'docker kill --signal HUP hermit-strict-proxy', 'ip6tables-restore --noflush --wait 10', 'iptables-restore --noflush --wait 10',
      'docker network rm hermit-strict-internal', 'docker network rm hermit-strict',
    ]);
    expect(confAtHup).toBe('old list\n');
  });
});
