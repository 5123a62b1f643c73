// Failing closed through the recording fake: the container's restart policy goes to "no" and it
// stops; then hermit's containers that share its network namespace (`--network container:<it>`,
// the docker: engine) stop the same way, and nothing else does.
import { describe, expect, it } from 'vitest';
import { netnsSharers, stopFailClosed, stoppedWhat } from '../../src/apply/stop.js';
import { FakeRunner } from './fakes/runner.js';

const PS = ['ps', '--quiet', '--no-trunc', '--filter', 'label=hermit.role'];
const lines = (r: FakeRunner) => r.calls.map((c) => [c.file, ...c.args].join(' '));

/** Docker holding the agent c1, its proxy p1 (a network of its own), its engine e1, and x1: another profile's engine. */
function host(engineMode: string): FakeRunner {
  return new FakeRunner()
    .on('docker', PS, { stdout: 'p1\ne1\nx1\n' })
    .on('docker', ['inspect'], { stdout: `c1 /hermit-agent hermit-agent\np1 /hermit-agent-proxy hermit-agent\ne1 /hermit-agent-docker ${engineMode}\nx1 /hermit-other-docker container:hermit-other\n` });
}

describe('stopFailClosed', () => {
  it('stops the container first, then the engine in its network namespace (named by the create command)', async () => {
    const runner = host('container:hermit-agent');
    const r = await stopFailClosed('c1', runner);
    expect(r).toEqual({ with: ['hermit-agent-docker'] });
    expect(lines(runner)).toEqual([
      'docker update --restart no c1', 'docker stop --time 5 c1',
      `docker ${PS.join(' ')}`, 'docker inspect --format {{.Id}} {{.Name}} {{.HostConfig.NetworkMode}} c1 p1 e1 x1',
      'docker update --restart no e1', 'docker stop --time 5 e1',
    ]);
    expect(stoppedWhat('hermit-agent', r)).toBe('container hermit-agent and hermit-agent-docker (which shares its network namespace)');
  });

  it('finds a sharer Docker recorded by the container\'s id too', async () => {
    expect(await netnsSharers('c1', host('container:c1'))).toEqual([{ id: 'e1', name: 'hermit-agent-docker' }]);
  });

  it('nothing in its namespace: only the container is stopped', async () => {
    const runner = host('default');
    const r = await stopFailClosed('c1', runner);
    expect(r).toEqual({ with: [] });
    expect(lines(runner).filter((l) => /update|stop/.test(l))).toEqual(['docker update --restart no c1', 'docker stop --time 5 c1']);
    expect(stoppedWhat('hermit-agent', r)).toBe('container hermit-agent');
  });

  it('a stop docker refuses is returned; the engine still stops, and one it refuses is said too', async () => {
    const runner = host('container:hermit-agent')
      .fail('docker', ['stop', '--time', '5', 'c1'], 'Error response from daemon: cannot stop container c1')
      .fail('docker', ['stop', '--time', '5', 'e1'], 'Error response from daemon: cannot stop container e1');
    expect(await stopFailClosed('c1', runner)).toEqual({
      failed: 'Error response from daemon: cannot stop container c1', with: ['hermit-agent-docker'], withFailed: 'Error response from daemon: cannot stop container e1',
    });
  });

  it('a look for sharers that fails does not keep the container from stopping', async () => {
    const runner = new FakeRunner().fail('docker', PS, 'Cannot connect to the Docker daemon');
    expect(await stopFailClosed('c1', runner)).toEqual({ with: [] });
    expect(lines(runner).slice(0, 2)).toEqual(['docker update --restart no c1', 'docker stop --time 5 c1']);
  });
});
