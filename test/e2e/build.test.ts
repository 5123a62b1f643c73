// The agent can write its image's build context (it lies in the project): a build must neither run
// its steps outside the cage nor use a Dockerfile the user did not approve. The agent edits the
// Dockerfile from inside its container, as uid 1000; the user then runs the ordinary command.
import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AGENT_UID, type WorldInfo, docker, hermit, hostSnapshot, agentProject as project, writeProfile } from './world.js';

const world = inject('world') as WorldInfo;

const profileYaml = (name: string, subnet: string, image: string, context: string, workspace = '.') => `name: ${name}
image: ${image}
build: { context: ${context} }
command: [sleep, "86400"]
network: { subnet: ${subnet} }
dns: [${world.addr.router}]
container:
  mounts: ["${workspace}:/workspace"]
probe:
  dnsName: internet.test
  mustReach: [{ host: internet.test, port: ${world.ports.internet} }]
`;

async function agentAppends(container: string, path: string, text: string): Promise<void> {
  const r = await docker(world, ['exec', '-i', container, 'sh', '-c', 'cat >> "$1"', 'sh', path], { input: text });
  expect(r.exitCode, r.stderr).toBe(0);
}

const imageId = async (image: string) => (await docker(world, ['image', 'inspect', '--format', '{{.Id}}', image])).stdout.trim();
const fileIn = async (image: string, file: string) => {
  const r = await docker(world, ['run', '--rm', '--network', 'none', '--entrypoint', 'cat', image, file]);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout;
};
/** Connections the world's web services have logged so far. */
const served = () => ['nas-allowed', 'router-admin', 'host-lan-service', 'host-all-service'].map((n) => readFileSync(world.logs[n]!, 'utf8')).join('');

const FIRST = `FROM ${world.image}\nRUN echo v1 > /version\n`;
// What the agent appends: every LAN and host service it would like to read, and (the control) the
// internet page, by name: the build resolves through the resolvers the profile allows.
const get = (host: string, port: number, out: string) => `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} ${port} >> ${out} 2>/dev/null`;
const LEAK = `RUN touch /leak; ${[
  get(world.addr.nas, world.ports.nasAllowed, '/leak'), get(world.addr.router, world.ports.routerAdmin, '/leak'),
  get(world.addr.hostLan, world.ports.hostLanService, '/leak'), get(world.addr.hostLan, world.ports.hostAllService, '/leak'),
].join('; ')}; true
RUN ${get('internet.test', world.ports.internet, '/internet')}; true
`;

describe.skipIf(!!world.skip)('builds: the agent cannot reach past the cage through its image build', () => {
  const root = join(world.root, 'build');
  afterAll(async () => {
    for (const n of ['bt-leak', 'bt-add', 'bt-out']) await hermit(world, ['down', n]);
  });

  describe('a. the agent appends RUN steps that read the LAN and the host, then the user updates', () => {
    const image = 'hermit-e2e/bt-leak:1';
    let file: string;
    beforeAll(async () => {
      const dir = project(join(root, 'leak'), { 'ctx/Dockerfile': FIRST });
      file = join(dir, 'hermit.yaml');
      writeFileSync(file, profileYaml('bt-leak', '172.30.70.0/24', image, './ctx'));
      chownSync(file, AGENT_UID, AGENT_UID);
      const trusted = await hermit(world, ['trust', file, '--yes']);
      expect(trusted.exitCode, trusted.stderr).toBe(0);
      expect(trusted.stdout).toMatch(/Build inputs: Dockerfile sha256:\w+, 1 files/);
      const run = await hermit(world, ['run', file]);
      expect(run.exitCode, run.stderr + run.stdout).toBe(0);
      expect(run.stdout).toContain(`build image ${image} (not on this host)`);
    });

    it('update refuses the changed Dockerfile without a terminal, shows the diff, and changes nothing', async () => {
      await agentAppends('hermit-bt-leak', '/workspace/ctx/Dockerfile', LEAK);
      const id = await imageId(image);
      const before = await hostSnapshot(world);
      const r = await hermit(world, ['update', file, '--no-pull']);
      expect(r.exitCode, r.stderr + r.stdout).toBe(2);
      expect(r.stderr).toContain("the build inputs of profile 'bt-leak'");
      expect(r.stderr).toMatch(/^ {4}@@ -1,2 \+1,4 @@$/m);
      expect(r.stderr).toContain(`    +RUN touch /leak; printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${world.addr.nas} ${world.ports.nasAllowed}`);
      expect(r.stderr).toContain('      ~ Dockerfile');
      expect(r.stderr).toContain(`sudo hermit trust ${file}`);
      expect(await imageId(image)).toBe(id);
      expect(await hostSnapshot(world)).toBe(before);
      // --dry-run says so too, and shows where the build runs.
      const dry = await hermit(world, ['update', file, '--no-pull', '--dry-run']);
      expect(dry.stdout).toContain('# the build inputs (the Dockerfile and the context) are NOT approved');
      expect(dry.stdout).toContain(`DOCKER_BUILDKIT=0 docker build --network hermit-bt-leak --tag ${image} --file Dockerfile -`);
    });

    it('approved, the build runs behind the profile\'s rules: the internet answers, the LAN and the host do not', async () => {
      const trusted = await hermit(world, ['trust', file, '--yes']);
      expect(trusted.exitCode, trusted.stderr).toBe(0);
      expect(trusted.stdout).toContain(`+RUN ${get('internet.test', world.ports.internet, '/internet')}; true`);
      const logged = served();
      const r = await hermit(world, ['update', file, '--no-pull']);
      expect(r.exitCode, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toContain('image hermit-e2e/bt-leak:1 changed: recreate container');
      expect(await fileIn(image, '/internet')).toContain('internet-page');
      expect(await fileIn(image, '/leak')).toBe('');
      expect(served()).toBe(logged);
      expect((await docker(world, ['exec', 'hermit-bt-leak', 'cat', '/leak'])).exitCode).toBe(0);
      // The control: on Docker's default bridge, where the build used to run, the NAS answers.
      const control = await docker(world, ['run', '--rm', world.image, 'sh', '-c', get(world.addr.nas, world.ports.nasAllowed, '/dev/stdout')]);
      expect(control.stdout).toContain('nas-allowed');
    });
  });

  describe('a Dockerfile outside the context', () => {
    it('goes into the tar under a name of hermit\'s, which COPY . leaves out; .dockerignore is honoured', async () => {
      const dir = join(root, 'outside');
      const ctx = join(dir, 'ctx');
      mkdirSync(ctx, { recursive: true });
      mkdirSync(join(dir, 'work'), { recursive: true });
      writeFileSync(join(dir, 'Other.Dockerfile'), `FROM ${world.image}\nCOPY . /ctx/\n`);
      writeFileSync(join(ctx, 'kept.txt'), 'kept\n');
      writeFileSync(join(ctx, 'left.log'), 'left\n');
      writeFileSync(join(ctx, '.dockerignore'), '*.log\n');
      const file = writeProfile(world, 'bt-out', profileYaml('bt-out', '172.30.72.0/24', 'hermit-e2e/bt-out:1', ctx, join(dir, 'work')).replace(`build: { context: ${ctx} }`, `build: { context: ${ctx}, dockerfile: ${join(dir, 'Other.Dockerfile')} }`));
      const r = await hermit(world, ['run', file]);
      expect(r.exitCode, r.stderr + r.stdout).toBe(0);
      const ls = await docker(world, ['run', '--rm', '--network', 'none', 'hermit-e2e/bt-out:1', 'ls', '-A', '/ctx']);
      expect(ls.stdout.split('\n').filter(Boolean).sort()).toEqual(['.dockerignore', 'kept.txt']);
    });
  });

  describe('b. ADD <url> in the Dockerfile', () => {
    it('is refused, with the file and line, before anything runs', async () => {
      const dir = project(join(root, 'add'), { 'ctx/Dockerfile': `FROM ${world.image}\nADD http://${world.addr.nas}:${world.ports.nasAllowed}/ /nas\n` });
      // A profile only root can write: nothing to approve but the build inputs.
      const file = writeProfile(world, 'bt-add', profileYaml('bt-add', '172.30.71.0/24', 'hermit-e2e/bt-add:1', join(dir, 'ctx'), dir));
      const logged = served();
      const before = await hostSnapshot(world);
      const r = await hermit(world, ['run', file]);
      expect(r.exitCode, r.stderr + r.stdout).toBe(2);
      expect(r.stderr).toContain(`${join(dir, 'ctx', 'Dockerfile')}:2: ADD http://${world.addr.nas}:${world.ports.nasAllowed}/: the source is a URL`);
      expect(r.stderr).toMatch(/RUN curl .*COPY it/);
      expect(await hostSnapshot(world)).toBe(before);
      expect((await docker(world, ['image', 'inspect', 'hermit-e2e/bt-add:1'])).exitCode).not.toBe(0);
      const trust = await hermit(world, ['trust', file, '--yes']);
      expect(trust.exitCode).toBe(2);
      expect(trust.stderr).toContain(':2: ADD http://');
      expect(served()).toBe(logged);
    });
  });
});
