// A plan with the docker: engine against the recording fake runner: its volumes and tun node are
// made before the agent's container (which would make the socket volume itself), the engine starts
// after the agent and is waited for until it answers, and a failure undoes it all in reverse.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Applied, applySteps, planCommands } from '../../src/apply/apply.js';
import type { ExistingContainer } from '../../src/plan/host-facts.js';
import { type Plan, makePlan } from '../../src/plan/plan.js';
import { parseProfile } from '../../src/profile/load.js';
import { FakeRunner, runAll, shown } from './fakes/runner.js';
import { sampleFacts } from './fixtures.js';

const PROFILE = `name: dev
image: example/agent:1
network:
  subnet: 172.30.9.0/24
dns: [192.168.50.1]
docker: { image: localhost/test/engine:1 }
`;
const AGENT = 'c0ffee000000aaaa';
const INSPECT = JSON.stringify([{ Id: AGENT, Name: '/hermit-dev', State: { Running: true, Pid: 4242 }, Image: 'sha256:1', Config: { Labels: {} }, NetworkSettings: { Networks: {} }, HostConfig: {} }]);
const ENV = { HERMIT_STATE_DIR: '/var/lib/hermit-test' };

function enginePlan(): Plan {
  const profile = parseProfile('/p/dev.yaml', PROFILE, { HOME: '/root' }).profile;
  const plan = makePlan(profile, sampleFacts({ engine: { imageId: 'sha256:e', volumes: [], hostTun: false, tunNode: false } }),
    { extras: { dockerArgs: [], command: [] }, environment: ENV, replace: false });
  const ready = plan.sidecars[0]!.sidecar.ready!;
  plan.sidecars[0]!.sidecar.ready = { ...ready, timeoutMs: 5000 };
  return plan;
}

const host = () => new FakeRunner()
  .on('docker', ['volume', 'create'], {})
  .on('docker', ['run'], { stdout: `${AGENT}\n` })
  .on('docker', ['container', 'inspect'], { stdout: INSPECT })
  .on('docker', ['create'], { stdout: 'e0000000\n' })
  .on('docker', ['start', 'hermit-dev-docker'], {})
  .on('docker', ['exec', 'hermit-dev-docker'], { stdout: '20.10.24\n' })
  .on('mkdir', [], {}).on('mknod', [], {}).on('chown', [], {}).on('rm', [], {});

const applied = (): Applied => ({ containerId: '', pid: 0, changes: [] });
const opts = (fake: FakeRunner) => ({ runner: fake, engineSocket: null });
const head = (l: string) => l.split(' ').slice(0, 3).join(' ');

describe('apply with the docker engine', () => {
  it('volumes and the tun node before the agent, the engine after it, ready when it answers', async () => {
    const plan = enginePlan();
    const fake = host();
    expect(await runAll(applySteps(plan, applied(), opts(fake)).steps)).toBeUndefined();
    const lines = fake.lines();
    // What --dry-run lists, in its order (the reads and the readiness polls besides).
    const reads = (l: string) => !l.startsWith('docker exec') && !l.startsWith('docker container inspect');
    expect(lines.filter(reads)).toEqual(planCommands(plan).map(shown).filter(reads));
    expect(lines.map(head).filter((l) => !l.startsWith('ip'))).toEqual([
      'docker network create', 'docker volume create', 'docker volume create', 'mkdir -p -m', 'mknod --mode=600 /var/lib/hermit-test/dev/engine/tun', 'chown 1000:1000 /var/lib/hermit-test/dev/engine/tun',
      'docker run --detach', 'docker container inspect', 'docker create --name', 'docker start hermit-dev-docker', 'docker exec hermit-dev-docker',
    ]);
  });

  it('an engine that never answers fails the run, and everything is undone in reverse', async () => {
    const plan = enginePlan();
    const fake = host().fail('docker', ['exec', 'hermit-dev-docker'], 'Error response from daemon: Container e0000000 is not running', 1);
    const { steps, rollback } = applySteps(plan, applied(), opts(fake));
    const err = await runAll(steps);
    expect(String(err)).toMatch(/docker engine hermit-dev-docker did not answer/);
    const before = fake.lines().length;
    expect(await rollback()).toEqual([]);
    const undone = fake.lines().slice(before).map(head);
    expect(undone.slice(0, 4)).toEqual(['docker rm --force', 'docker rm --force', 'rm -f /var/lib/hermit-test/dev/engine/tun', 'docker volume rm']);
  });
});

describe('hermit update with the docker engine', () => {
  it('when the rebuilt image replaces the agent, the engine kept in the first plan is recreated beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermit-engine-'));
    try {
      writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
      const text = PROFILE.replace('image: example/agent:1', `image: localhost/agent:1\nbuild: { context: ${dir} }`);
      const profile = parseProfile('/p/dev.yaml', text, { HOME: '/root' }).profile;
      const planOpts = { extras: { dockerArgs: [], command: [] }, environment: ENV, replace: false, followImage: true };
      const running = (name: string, image: string, labels: Record<string, string>): ExistingContainer => ({
        id: `id-${name}`, name, running: true, status: 'running', pid: 7, image, startedAt: '', labels, networks: [], restartPolicy: 'no',
      });
      const probe = makePlan(profile, sampleFacts({ engine: { imageId: 'sha256:e', volumes: [], hostTun: true, tunNode: false } }), planOpts);
      const agent = running('hermit-dev', 'sha256:old', { 'hermit.profile': 'dev', 'hermit.config': probe.agent.configHash });
      const engine = running('hermit-dev-docker', 'sha256:e', { 'hermit.profile': 'dev', 'hermit.role': 'docker', 'hermit.config': probe.sidecars[0]!.sidecar.configHash });
      const facts = (imageId?: string) => sampleFacts({
        container: agent, ...(imageId ? { imageId } : {}),
        engine: { container: engine, imageId: 'sha256:e', volumes: ['hermit-dev-docker', 'hermit-dev-docker-sock'], hostTun: true, tunNode: false },
      });
      const before = makePlan(profile, facts(), { ...planOpts, rebuild: { pull: false } });
      expect([before.image.kind, before.container.kind, before.sidecars[0]!.container.kind]).toEqual(['build', 'keep', 'keep']);
      const after = makePlan(profile, facts('sha256:new'), planOpts);
      const fake = host().on('docker', ['build'], {});
      const err = await runAll(applySteps(before, applied(), { ...opts(fake), buildContext: Buffer.from(''), afterBuild: async () => after }).steps);
      expect(err).toBeUndefined();
      expect(fake.lines().map(head).filter((l) => !l.startsWith('ip'))).toEqual([
        'docker network create', 'docker build --network', 'docker rm --force', 'docker run --detach', 'docker container inspect',
        'docker rm --force', 'docker create --name', 'docker start hermit-dev-docker', 'docker exec hermit-dev-docker',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
