// The nested container's probe, run (apply/nested-probe.ts): the commands that load and start
// hermit's probe container in the engine, in order, through a recording fake runner; what is
// checked of its process on the host is probe-nested-container.test.ts's.
import { describe, expect, it } from 'vitest';
import { describe as describeCmd } from '../../src/apply/exec.js';
import { startNestedContainer } from '../../src/apply/nested-probe.js';
import { HermitError } from '../../src/errors.js';
import { PAUSE_IMAGE } from '../../src/probe/pause-image.js';
import { FakeRunner } from './fakes/runner.js';

describe('the nested container', () => {
  const sock = ['docker', '-H', 'unix:///run/hermit-docker/docker.sock'];

  const RUN = `docker exec e docker -H unix:///run/hermit-docker/docker.sock run -d --rm --pull never --network bridge --name hermit-probe-x --label hermit.role=probe --cap-drop ALL --read-only --log-driver none ${PAUSE_IMAGE}`;
  const PID = "docker exec e docker -H unix:///run/hermit-docker/docker.sock inspect --format '{{.State.Pid}}' hermit-probe-x";

  it('starts the container and finds its process; loads the image first only when the engine lacks it', async () => {
    let present = false;
    const r = new FakeRunner()
      .on('docker', ['exec', 'e', ...sock, 'run'], () => (present ? {} : { stderr: `docker: Error response from daemon: No such image: ${PAUSE_IMAGE}.`, exitCode: 125 }))
      .on('docker', ['exec', '-i', 'e', ...sock, 'import'], () => { present = true; return {}; })
      .on('docker', ['exec', 'e', 'uname'], { stdout: 'x86_64\n' })
      .on('docker', ['exec', 'e', ...sock, 'inspect'], { stdout: '4242\n' });
    const seen: unknown[] = [];
    const io = { runner: r, name: 'hermit-probe-x', hostPid: async (...a: unknown[]) => { seen.push(a); return 777; } };
    const c = await startNestedContainer('e', 10, 20, io);
    expect(c.pid).toBe(777);
    expect(seen).toEqual([[10, 20, 4242, 'x86_64']]);
    expect(r.calls.map(describeCmd)).toEqual([
      RUN, 'docker exec e uname -m',
      `docker exec -i e docker -H unix:///run/hermit-docker/docker.sock import --change 'ENTRYPOINT ["/hermit-pause"]' - ${PAUSE_IMAGE}`,
      RUN, PID,
    ]);
    expect(await c.remove()).toBeUndefined();
    expect(r.calls.at(-1)!.args.slice(-3)).toEqual(['rm', '--force', 'hermit-probe-x']);
    // Loaded once: the next run finds it in the engine.
    r.calls.length = 0;
    await startNestedContainer('e', 10, 20, io);
    expect(r.calls.map(describeCmd)).toEqual([RUN, PID]);
  });

  it('a run that fails for another reason says so, and loads nothing', async () => {
    const r = new FakeRunner().fail('docker', ['exec', 'e', ...sock, 'run'], 'docker: Error response from daemon: Conflict.', 125);
    await expect(startNestedContainer('e', 10, 20, { runner: r })).rejects.toThrow(/starting hermit's probe container in docker engine e failed: .*Conflict/);
    expect(r.calls).toHaveLength(1);
  });

  it('a container whose process is not found is removed, and says why (the run is unproven)', async () => {
    const r = new FakeRunner().on('docker', ['exec', 'e', ...sock, 'inspect'], { stdout: '4242' });
    const p = startNestedContainer('e', 10, 20, { runner: r, name: 'hermit-probe-x', hostPid: async () => undefined });
    await expect(p).rejects.toThrow(HermitError);
    await expect(p).rejects.toThrow(/hermit-probe-x \(pid 4242 in docker engine e\) was not found/);
    expect(r.calls.at(-1)!.args.slice(-3)).toEqual(['rm', '--force', 'hermit-probe-x']);
  });

  it('a load that fails says so', async () => {
    const r = new FakeRunner().fail('docker', ['exec', 'e', ...sock, 'run'], 'No such image').on('docker', ['exec', 'e', 'uname'], { stdout: 'x86_64' })
      .fail('docker', ['exec', '-i', 'e'], 'no space left on device');
    await expect(startNestedContainer('e', 10, 20, { runner: r })).rejects.toThrow(/loading hermit's probe image .* failed: .*no space left on device/);
    expect(r.calls.filter((x) => x.args.includes('run'))).toHaveLength(1);
  });

});
