// A second mount inside the workspace, pointed at the user's home by the agent (issue 17, attack 2):
// Docker keeps a bind source as a path and follows links at every start, so hermit hands Docker a
// folder of its own, bound from the checked source. The agent (uid 1000, owner of the project)
// replaces ./data by a link to a home and exits; Docker restarts the container; then the user runs
// hermit again. Neither start may mount the link's target.
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type WorldInfo, docker, hermit, hostSnapshot, inHost, restartDockerd, waitUntil, writeProfile } from './world.js';

const world = inject('world') as WorldInfo;
const AGENT_UID = 1000;
const NAME = 'mt-data';
const CONTAINER = `hermit-${NAME}`;

// The agent's process exits when it finds /workspace/.exit (as an agent that crashes or quits),
// and Docker's restart policy starts it again.
const PROFILE = `name: ${NAME}
image: ${world.image}
command: [sh, -c, "rm -f /workspace/.exit; while [ ! -e /workspace/.exit ]; do sleep 0.2; done"]
network: { subnet: 172.30.90.0/24 }
dns: [${world.addr.router}]
container:
  mounts: [".:/workspace", "./data:/data"]
  restart: unless-stopped
probe:
  dnsName: internet.test
  mustReach: [{ host: internet.test, port: ${world.ports.internet} }]
`;

/** A command inside the container, as its user (uid 1000). */
const inside = (script: string) => docker(world, ['exec', CONTAINER, 'sh', '-c', script]);

const mountinfo = async () => (await inHost(world, 'cat', ['/proc/self/mountinfo'])).stdout;
const restarts = async () => (await docker(world, ['inspect', '--format', '{{.RestartCount}} {{.State.Running}}', CONTAINER])).stdout.trim();

describe.skipIf(!!world.skip)('mount sources: the agent cannot redirect a bind', () => {
  const root = join(world.root, 'mounts');
  const dir = join(root, 'project');
  const home = join(root, 'home', 'alice');
  const elsewhere = join(root, 'private');
  const binds = join(world.root, 'state', '.binds', NAME);
  const file = join(dir, 'hermit.yaml');

  beforeAll(async () => {
    rmSync(root, { recursive: true, force: true });
    // The user's home: someone else's, readable and writable by everyone, so that a mount of it
    // would show the secret to the agent and take its writes.
    mkdirSync(join(home, '.ssh'), { recursive: true });
    chownSync(home, 1001, 1001);
    chmodSync(home, 0o777);
    writeFileSync(join(home, '.ssh', 'id_ed25519'), 'secret key\n', { mode: 0o644 });
    mkdirSync(elsewhere, { mode: 0o755 });
    writeFileSync(join(elsewhere, 'token.txt'), 'secret token\n', { mode: 0o644 });
    // A project the agent's uid owns, with its data folder.
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(file, PROFILE);
    writeFileSync(join(dir, 'data', 'dataset.csv'), 'a,b\n');
    for (const p of [dir, file, join(dir, 'data'), join(dir, 'data', 'dataset.csv')]) chownSync(p, AGENT_UID, AGENT_UID);

    expect((await hermit(world, ['trust', file, '--yes'])).exitCode).toBe(0);
    const r = await hermit(world, ['run', file]);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
  });
  afterAll(async () => { await hermit(world, ['down', NAME]); });

  it('Docker mounts hermit\'s pinned folders, which hold the project\'s; a second run changes nothing', async () => {
    const mounts = (await docker(world, ['inspect', '--format', '{{range .Mounts}}{{.Source}}>{{.Destination}} {{end}}', CONTAINER])).stdout.trim().split(' ').sort();
    expect(mounts).toEqual([`${binds}/0>/workspace`, `${binds}/1>/data`]);
    expect((await inside('ls /data')).stdout).toContain('dataset.csv');
    const info = await mountinfo();
    expect(info).toContain(` ${binds}/0 `);
    expect(info).toContain(` ${binds}/1 `);

    const again = await hermit(world, ['run', file]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing changed');
  });

  it('the agent links ./data to the home and exits: the restarted container does not get the home', async () => {
    const before = Number((await restarts()).split(' ')[0]);
    const attack = await inside(`mv /workspace/data /workspace/data.old && ln -s ${home} /workspace/data && touch /workspace/.exit`);
    expect(attack.exitCode, attack.stderr).toBe(0);
    const seen = await waitUntil('Docker to restart the container', 30_000, async () => {
      const [count, running] = (await restarts()).split(' ');
      if (Number(count) <= before || running !== 'true') return undefined;
      const ls = await inside('ls -a /data');
      return ls.exitCode === 0 ? ls.stdout : undefined;
    });
    expect(seen).not.toContain('.ssh');
    expect(seen).toContain('dataset.csv'); // still the folder that was approved and bound
    const read = await inside('cat /data/.ssh/id_ed25519; echo pwned > /data/pwned; true');
    expect(read.stdout).not.toContain('secret key');
    expect(existsSync(join(home, 'pwned'))).toBe(false);
  });

  it('hermit run refuses the link, saying what it is and what to do; the container keeps its bind', async () => {
    // Linked to a home, the profile's own check refuses it (it holds .ssh) ...
    const home = await hermit(world, ['run', file]);
    expect(home.exitCode, home.stderr + home.stdout).toBe(2);
    expect(home.stderr).toContain(`container.mounts[1]: mounts ${join(dir, 'data')}, which holds ${join(dir, 'data')}/.ssh`);
    // ... linked to any other folder, the bind's own check does.
    expect((await inside(`rm /workspace/data && ln -s ${elsewhere} /workspace/data`)).exitCode).toBe(0);
    const r = await hermit(world, ['run', file]);
    expect(r.exitCode, r.stderr + r.stdout).toBe(2);
    expect(r.stderr).toContain(`container.mounts[1]: ${join(dir, 'data')} cannot be mounted: ${join(dir, 'data')} is a symbolic link (→ ${elsewhere})`);
    expect(r.stderr).toContain(`${dir} is owned by uid ${AGENT_UID}`);
    expect(r.stderr).toContain(`rm ${join(dir, 'data')}`);
    const seen = await inside('ls -a /data');
    expect(seen.stdout).not.toContain('.ssh');
    expect(seen.stdout).not.toContain('token.txt');
    expect(seen.stdout).toContain('dataset.csv');
  });

  it('reboot: --boot binds again what it can check; the link\'s bind stays empty, and Docker starts the container with that', async () => {
    // What a reboot leaves: no binds (the folders stay).
    for (const n of ['0', '1']) expect((await inHost(world, 'umount', [join(binds, n)])).exitCode).toBe(0);
    expect(await mountinfo()).not.toContain(binds);
    const boot = await hermit(world, ['guard', '--boot']);
    expect(boot.stdout).toContain(`${NAME}: bound ${dir} at ${binds}/0`);
    expect(boot.stdout).toContain(`${NAME}: FAILED to bind ${join(dir, 'data')} (container.mounts[1]: ${join(dir, 'data')} cannot be mounted: ${join(dir, 'data')} is a symbolic link`);
    expect(boot.exitCode).not.toBe(0);
    const info = await mountinfo();
    expect(info).toContain(` ${binds}/0 `);
    expect(info).not.toContain(` ${binds}/1 `);

    await restartDockerd(world);
    const data = await waitUntil('Docker to start the container again (restart policy)', 60_000, async () => {
      const ls = await inside('ls -A /data; echo --; ls /workspace');
      return ls.exitCode === 0 ? ls.stdout : undefined;
    });
    expect(data).toMatch(/^--\n/); // /data is empty
    expect(data).toContain('hermit.yaml');
    expect((await inside('echo x > /data/x')).exitCode).not.toBe(0); // and root's only
  });

  it('the guard fails closed: the source can no longer be checked, so the container is stopped', async () => {
    const pass = await hermit(world, ['guard', '--once', file]);
    expect(pass.stdout).toContain(`${join(dir, 'data')} is a symbolic link`);
    expect(pass.stdout).toContain(`STOPPED container ${CONTAINER}`);
    expect((await restarts()).split(' ')[1]).toBe('false');
  });

  it('a run that fails after binding rolls its binds back', async () => {
    const src = join(root, 'rollback-src');
    mkdirSync(src, { recursive: true });
    const bad = writeProfile(world, 'mt-rollback', `name: mt-rollback
image: ${world.image}
command: [/no/such/program]
network: { subnet: 172.30.91.0/24 }
dns: [${world.addr.router}]
container: { mounts: ["${src}:/src"] }
`);
    const before = await hostSnapshot(world);
    const r = await hermit(world, ['run', bad]);
    expect(r.exitCode, r.stderr + r.stdout).toBe(4);
    expect(r.stderr).toContain('rolled back');
    expect(await hostSnapshot(world)).toBe(before);
    expect(await mountinfo()).not.toContain('.binds/mt-rollback');
    expect(existsSync(join(world.root, 'state', '.binds', 'mt-rollback'))).toBe(false);
  });

  it('down unmounts every pinned folder and removes them', async () => {
    const r = await hermit(world, ['down', NAME]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await mountinfo()).not.toContain(binds);
    expect(existsSync(binds)).toBe(false);
    // The user's data is untouched by the unmount.
    expect(existsSync(join(dir, 'data.old', 'dataset.csv'))).toBe(true);
  });
});
