// A plan with the docker: engine against the recording fake runner: its volumes and tun node are
// made before the agent's container (which would make the socket volume itself), the engine starts
// after the agent and is waited for until it answers, and a failure undoes it all in reverse.
import { describe, expect, it } from 'vitest';
import { type Applied, applySteps, planCommands } from '../../src/apply/apply.js';
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
