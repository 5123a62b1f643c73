// The container `hermit run` creates over the Engine API while it reads the host and plans
// (createAhead in src/apply/apply.ts): it is the container that runs, started only by the
// container step, after the rules; a run that fails or is refused after creating it leaves no
// container behind.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type WorldInfo, docker, hermit, hostSnapshot as hostSnapshotOf, writeProfile } from './world.js';

const world = inject('world') as WorldInfo;

const profileYaml = (command: string, name = 'ahead', subnet = '172.30.80.0/24') => `name: ${name}
image: ${world.image}
command: ${command}
network:
  subnet: ${subnet}
dns: [${world.addr.router}]
probe:
  dnsName: internet.test
  mustReach: [{ host: internet.test, port: ${world.ports.internet} }]
`;

const hostSnapshot = () => hostSnapshotOf(world);

describe.skipIf(!!world.skip)('a container created ahead of the plan', () => {
  const good = () => writeProfile(world, 'ahead', profileYaml('[sleep, "86400"]'));

  beforeAll(async () => {
    // The network and the rules in place, no container: the case where hermit creates ahead.
    const r = await hermit(world, ['run', good()]);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('is the container that runs, with the rules in place, and nothing else is left', async () => {
    await docker(world, ['rm', '--force', 'hermit-ahead']);
    const r = await hermit(world, ['run', good(), '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { container: string; verdict: string; changes: string[] };
    expect(out.verdict).toBe('proven');
    expect(out.changes).toEqual(['create container']);
    const all = await docker(world, ['ps', '-a', '--filter', 'name=^hermit-ahead$', '--format', '{{.ID}} {{.State}}']);
    expect(all.stdout.trim()).toBe(`${out.container.slice(0, 12)} running`);
  });

  it('is removed when it does not start (a command that does not exist), with the rest rolled back', async () => {
    await docker(world, ['rm', '--force', 'hermit-ahead']);
    const before = await hostSnapshot();
    const r = await hermit(world, ['run', writeProfile(world, 'ahead', profileYaml('[/no/such/program]'))]);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toContain('rolled back');
    expect(await hostSnapshot()).toBe(before);
  });

  it('is not made on a first run, whose network does not exist yet: Docker sees one create', async () => {
    const file = writeProfile(world, 'ahead-first', profileYaml('[sleep, "86400"]', 'ahead-first', '172.30.81.0/24'));
    const since = Math.floor(Date.now() / 1000);
    const r = await hermit(world, ['run', file]);
    expect(r.exitCode, r.stderr).toBe(0);
    const events = await docker(world, ['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1),
      '--filter', 'type=container', '--filter', 'container=hermit-ahead-first', '--format', '{{.Action}}']);
    expect(events.stdout.split('\n').filter((a) => a === 'create' || a === 'destroy')).toEqual(['create']);
    await docker(world, ['rm', '--force', 'hermit-ahead-first']); // sleep ignores the SIGTERM of a docker stop
    expect((await hermit(world, ['down', 'ahead-first'])).exitCode).toBe(0);
  });

  it('is removed when the run is refused after creating it', async () => {
    await docker(world, ['rm', '--force', 'hermit-ahead']);
    const before = await hostSnapshot();
    // Refused while the host is read (the firewall setting), when the container may already exist.
    const r = await hermit(world, ['run', good()], { env: { HERMIT_FIREWALL: 'bogus' } });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain("HERMIT_FIREWALL is 'bogus'");
    expect(await hostSnapshot()).toBe(before);
  });
});
