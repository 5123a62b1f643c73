// What else the agent can write besides its profile: the env file the profile names, and the files
// `hermit init` writes into (or copies from) the project. Each attack is made as the agent would
// (uid 1000, from inside its container where it has one), followed by what the user ordinarily does
// next; each must gain the agent nothing.
import { chmodSync, existsSync, lchownSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AGENT_UID, type WorldInfo, agentProject, docker, hermit } from './world.js';

const world = inject('world') as WorldInfo;

/** The agent runs a shell command in its workspace, from inside its container, as its own user. */
async function agentDoes(container: string, script: string, input?: string): Promise<void> {
  const r = await docker(world, ['exec', '-i', container, 'sh', '-c', script], input === undefined ? {} : { input });
  expect(r.exitCode, r.stderr).toBe(0);
}

/** The container's environment, as its processes see it. */
async function containerEnv(container: string): Promise<string> {
  const r = await docker(world, ['exec', container, 'env']);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout;
}

describe.skipIf(!!world.skip)('inputs: what the agent can write besides its profile', () => {
  const root = join(world.root, 'inputs');
  afterAll(async () => {
    await hermit(world, ['down', 'in-env']);
  });

  describe('the env file', () => {
    const dir = join(root, 'env');
    const container = 'hermit-in-env';
    // A file only root can read, as a user's own setup might have (/root/secret.env in the attack).
    const secret = join(world.root, 'secret.env');
    let file: string;
    beforeAll(async () => {
      writeFileSync(secret, 'SECRET=topsecret\n', { mode: 0o600 });
      chmodSync(secret, 0o600);
      file = join(agentProject(dir, {
        'hermit.yaml': `name: in-env
image: ${world.image}
command: [sleep, "86400"]
network: { subnet: 172.30.90.0/24 }
dns: [${world.addr.router}]
container:
  envFile: .env
  mounts: [".:/workspace"]
probe:
  dnsName: internet.test
  mustReach: [{ host: internet.test, port: ${world.ports.internet} }]
`,
        '.env': 'NAME=public\n',
      }), 'hermit.yaml');
      const trusted = await hermit(world, ['trust', file, '--yes']);
      expect(trusted.exitCode, trusted.stderr + trusted.stdout).toBe(0);
      expect(trusted.stdout).toContain(`${join(dir, '.env')}: NAME`);
      expect(trusted.stdout).not.toContain('public');
      const run = await hermit(world, ['run', file]);
      expect(run.exitCode, run.stderr + run.stdout).toBe(0);
      expect(await containerEnv(container)).toContain('NAME=public\n');
    });

    it('a link to a root-only file in place of .env is refused, and its values never reach the container', async () => {
      await agentDoes(container, `rm /workspace/.env && ln -s ${secret} /workspace/.env`);
      const r = await hermit(world, ['run', file, '--replace']);
      expect(r.exitCode, r.stderr + r.stdout).toBe(2);
      expect(r.stderr).toContain(`container.envFile ${join(dir, '.env')}: is a symbolic link`);
      expect(r.stderr + r.stdout).not.toContain('topsecret');
      // Not approvable either, and nothing the dry run shows holds it.
      const trust = await hermit(world, ['trust', file, '--yes']);
      expect(trust.exitCode).toBe(2);
      expect(trust.stderr).toContain('is a symbolic link');
      expect((await hermit(world, ['run', file, '--dry-run'])).exitCode).toBe(2);
      expect(await containerEnv(container)).not.toContain('topsecret');
    });

    it('a line with only a name (copy hermit\'s own variable) is refused, located', async () => {
      await agentDoes(container, 'rm /workspace/.env && printf "NAME=public\\nHOME\\n" > /workspace/.env');
      const r = await hermit(world, ['run', file, '--replace']);
      expect(r.exitCode, r.stderr + r.stdout).toBe(2);
      expect(r.stderr).toContain(`${join(dir, '.env')}:2: HOME has no value`);
      expect(r.stderr).toContain('list HOME under container.passEnv');
    });

    it('an edited value is a change to approve: run refuses until trust; then the container gets it, never on a command line', async () => {
      await agentDoes(container, 'cat > /workspace/.env', 'NAME=changed-by-agent\n');
      const refused = await hermit(world, ['run', file, '--replace']);
      expect(refused.exitCode, refused.stderr + refused.stdout).toBe(2);
      expect(refused.stderr).toContain('container.envFileValues.NAME');
      expect(refused.stderr).not.toContain('changed-by-agent');
      expect(await containerEnv(container)).toContain('NAME=public\n');

      const trusted = await hermit(world, ['trust', file, '--yes']);
      expect(trusted.exitCode, trusted.stderr).toBe(0);
      expect(trusted.stdout).not.toContain('changed-by-agent');
      // What hermit would run: the name only, no --env-file, no value.
      const dry = await hermit(world, ['run', file, '--replace', '--dry-run']);
      expect(dry.exitCode, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(/--env NAME .*# with NAME set in its environment/);
      expect(dry.stdout).not.toContain('--env-file');
      expect(dry.stdout).not.toContain('changed-by-agent');
      const run = await hermit(world, ['run', file, '--replace']);
      expect(run.exitCode, run.stderr + run.stdout).toBe(0);
      expect(await containerEnv(container)).toContain('NAME=changed-by-agent\n');
    });

    it('docker options that would let docker read the env file, or the container rewrite it, are refused', async () => {
      const envFile = await hermit(world, ['run', file, '--replace', '--', '--env-file', join(dir, '.env')]);
      expect(envFile.exitCode).toBe(2);
      expect(envFile.stderr).toContain('use container.envFile in the profile');
      const bind = await hermit(world, ['run', file, '--replace', '--', '-v', `${dir}:/again`]);
      expect(bind.exitCode).toBe(2);
      // A host bind after -- is refused outright: only container.mounts are pinned (and checked for who can write the profile).
      expect(bind.stderr).toContain(`-v ${dir}:/again: binds a host path, which docker would look up again at every start`);
      expect(await containerEnv(container)).toContain('NAME=changed-by-agent\n');
    });
  });

  describe('hermit init', () => {
    const dir = join(root, 'init');
    // The user's home, where the agent would like a shell start-up file of its choosing.
    const home = join(root, 'home');
    const aliases = join(home, '.bash_aliases');
    beforeAll(() => {
      rmSync(home, { recursive: true, force: true });
      mkdirSync(home, { recursive: true });
    });

    it('refuses hermit.yaml that is a dangling link, with or without --force: the link\'s target is not created', async () => {
      agentProject(dir, {});
      symlinkSync(aliases, join(dir, 'hermit.yaml'));
      lchownSync(join(dir, 'hermit.yaml'), AGENT_UID, AGENT_UID);
      for (const args of [['init'], ['init', '--force']]) {
        const r = await hermit(world, args, { cwd: dir });
        expect(r.exitCode, r.stderr + r.stdout).toBe(2);
        expect(r.stderr).toContain(`hermit.yaml is a symbolic link (to ${aliases}); hermit init never writes through a link`);
        expect(existsSync(aliases)).toBe(false);
      }
      // .hermit as a link to the home: init <name> refuses too.
      rmSync(join(dir, 'hermit.yaml'));
      symlinkSync(home, join(dir, '.hermit'));
      const named = await hermit(world, ['init', 'evil'], { cwd: dir });
      expect(named.exitCode, named.stderr).toBe(2);
      expect(named.stderr).toContain(`${join(dir, '.hermit')} is not a folder but a link`);
      expect(existsSync(join(home, 'evil.yaml'))).toBe(false);
    });

    it('never takes its base from the project: mount text with a line break there does not land in the new file', async () => {
      const evil = 'name: claude-agent\nimage: alpine\nnetwork: { subnet: 172.30.91.0/24 }\ndns: [1.1.1.1]\n'
        + 'container:\n  mounts: ["./x:/workspace\\necho pwned >> ~/.bashrc #"]\n';
      agentProject(dir, { '.hermit/claude-agent.yaml': evil, 'base.yaml': evil.replace('name: claude-agent', 'name: base') });
      const byPath = await hermit(world, ['init', '--from', './base.yaml'], { cwd: dir });
      expect(byPath.exitCode, byPath.stderr).toBe(2);
      expect(byPath.stderr).toContain(`${join(dir, 'base.yaml')} is not in a folder of your own, the system's or hermit's profiles`);
      expect(existsSync(join(dir, 'hermit.yaml'))).toBe(false);

      const r = await hermit(world, ['init'], { cwd: dir });
      expect(r.exitCode, r.stderr + r.stdout).toBe(0);
      const text = readFileSync(join(dir, 'hermit.yaml'), 'utf8');
      expect(text).toContain('It extends the built-in profile claude-agent');
      expect(text).not.toContain('pwned');
    });

    it('refuses a trusted base whose mounts hold a control character', async () => {
      const xdg = join(root, 'xdg');
      mkdirSync(join(xdg, 'hermit', 'profiles'), { recursive: true });
      writeFileSync(join(xdg, 'hermit', 'profiles', 'odd.yaml'), 'name: odd\nimage: alpine\nnetwork: { subnet: 172.30.91.0/24 }\ndns: [1.1.1.1]\n'
        + 'container:\n  mounts: ["./x:/workspace", "a:/b\\necho pwned"]\n');
      agentProject(dir, {});
      const r = await hermit(world, ['init', '--from', 'odd'], { cwd: dir, env: { XDG_CONFIG_HOME: xdg } });
      expect(r.exitCode, r.stderr + r.stdout).toBe(2);
      expect(r.stderr).toContain('container.mounts[1] of the base');
      expect(r.stderr).toContain('holds a control character');
      expect(existsSync(join(dir, 'hermit.yaml'))).toBe(false);
    });
  });
});
