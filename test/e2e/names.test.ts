// A profile run by path is then known by its name (issue: "a profile run by path cannot then be
// named"): the name resolves to the file hermit last ran it from; with the file gone, the commands
// that need only the name still work from what hermit made under it.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type WorldInfo, hermit } from './world.js';

const world = inject('world') as WorldInfo;
const dir = join(world.root, 'names', 'agents');
const NAME = 'lab-agent';

const yaml = `name: ${NAME}
image: ${world.image}
command: [sh, -c, "echo hello from the lab; exec sleep 86400"]
network: { subnet: 172.30.70.0/24 }
dns: [${world.addr.router}]
probe:
  dnsName: internet.test
  mustReach: [{ host: internet.test, port: ${world.ports.internet} }]
`;

/** hermit run from another directory than the profile's, by name: as a new user types it. */
const byName = (args: string[]) => hermit(world, args, { cwd: join(world.root, 'names') });
const RESOLVED = `hermit: profile '${NAME}' is not in the lookup order; using ${join(dir, 'lab.yaml')}, the file hermit last ran it from`;

describe.skipIf(!!world.skip)('a profile run by path, then named', () => {
  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'lab.yaml'), yaml);
    const r = await hermit(world, ['run', './agents/lab.yaml'], { cwd: join(world.root, 'names') });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
  });
  afterAll(async () => { await hermit(world, ['down', NAME]); });

  it('status, probe, logs, shell, trust, stop and run find it by name, saying which file', async () => {
    for (const args of [['status', NAME], ['probe', NAME], ['logs', NAME], ['shell', NAME, '--', 'echo', 'inside'], ['trust', NAME, '--show'], ['stop', NAME, '-t', '1'], ['run', NAME]]) {
      const r = await byName(args);
      expect(r.exitCode, `hermit ${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr, args.join(' ')).toContain(RESOLVED);
    }
    expect((await byName(['logs', NAME])).stdout).toContain('hello from the lab');
    expect((await byName(['shell', NAME, '--', 'echo', 'inside'])).stdout).toBe('inside');
  });

  it('with the file gone, stop, logs, shell and status still work by name; down removes it', async () => {
    rmSync(join(dir, 'lab.yaml'));
    const run = await byName(['run', NAME]);
    expect(run.exitCode).toBe(2); // nothing to run without the profile
    for (const args of [['status', NAME], ['logs', NAME], ['shell', NAME, '--', 'echo', 'inside'], ['stop', NAME, '-t', '1']]) {
      const r = await byName(args);
      expect(r.exitCode, `hermit ${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toContain(`hermit: profile '${NAME}' could not be read`);
    }
    const status = JSON.parse((await byName(['status', NAME, '--json'])).stdout) as { container: { state: string } };
    expect(status.container.state).toBe('exited');
    const down = await byName(['down', NAME]);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stdout).toContain(`Removed what hermit made for profile '${NAME}'`);
  });

  it('shell completion offers names hermit ran from a file', async () => {
    writeFileSync(join(dir, 'lab.yaml'), yaml);
    expect((await hermit(world, ['run', './agents/lab.yaml'], { cwd: join(world.root, 'names') })).exitCode).toBe(0);
    const r = await byName(['--get-yargs-completions', 'status', 'lab']);
    expect(r.stdout.split('\n')).toContain(NAME);
    expect((await byName(['--get-yargs-completions', 'ru'])).stdout.split('\n')).toContain('run');
  });
});
