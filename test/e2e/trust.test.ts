// The agent can write its project, and so any profile in it: hermit must apply only versions the
// user approved. Each attack below is made from inside the container, as the container's user (uid
// 1000, who owns the project as in a normal checkout), and checked from inside afterwards.
import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AGENT_UID, FIREWALL, connectEnd, type WorldInfo, connectFrom, docker, firewallDump, hermit, inHost, pidOf, project } from './world.js';

const world = inject('world') as WorldInfo;

/** A project profile: the project mounted at /workspace, nothing of the LAN or the host allowed. */
function projectYaml(name: string, subnet: string, more = ''): string {
  return `name: ${name}
image: ${world.image}
command: [sleep, "86400"]
network: { subnet: ${subnet} }
dns: [${world.addr.router}]
container:
  mounts: [".:/workspace"]
${more}probe:
  dnsName: internet.test
  mustReach: [{ host: internet.test, port: ${world.ports.internet} }]
`;
}

// What the agent appends to get the NAS's other port and a service on the host.
const WIDENING = `egress:
  allow: [{ to: ${'NAS'}, ports: [PORT] }]
hostPorts: [{ port: HOSTPORT }]
`;
const widening = () => WIDENING.replace('NAS', world.addr.nas).replace('PORT', String(world.ports.nasDisallowed)).replace('HOSTPORT', String(world.ports.hostAllService));

/** The agent writes a file of its workspace, from inside its container, as its own user. */
async function agentWrites(container: string, path: string, text: string): Promise<void> {
  const r = await docker(world, ['exec', '-i', container, 'sh', '-c', `mkdir -p "$(dirname "$1")" && cat > "$1"`, 'sh', path], { input: text });
  expect(r.exitCode, r.stderr).toBe(0);
}

/** hermit's rules on the host, whichever backend holds them (HERMIT_FIREWALL). */
const rules = async () => (await firewallDump(world)).split('\n').filter((l) => /HERMIT|hermit-/.test(l)).join('\n');

/** What the widening would open, seen from inside: both must stay rejected by hermit's rules. */
async function expectNotWidened(container: string): Promise<void> {
  const pid = await pidOf(world, container);
  const profile = container.replace(/^hermit-/, '');
  expect(await connectEnd(world, pid, profile, world.addr.nas, world.ports.nasDisallowed)).toBe('reset by hermit');
  expect(await connectEnd(world, pid, profile, world.addr.hostLan, world.ports.hostAllService)).toBe('reset by hermit');
}

describe.skipIf(!!world.skip)('trust: the agent cannot rewrite its own cage', () => {
  const root = join(world.root, 'trust');
  afterAll(async () => {
    for (const n of ['tr-edit', 'tr-guard', 'tr-shadow', 'tr-mount', 'tr-mask', 'tr-names']) await hermit(world, ['down', n]);
  });

  describe('1. the agent edits the project profile, then the user starts it again', () => {
    const dir = join(root, 'edit');
    let file: string;
    beforeAll(() => {
      file = join(project(dir, { 'hermit.yaml': projectYaml('tr-edit', '172.30.60.0/24') }), 'hermit.yaml');
    });

    it('a profile the agent can write is not run before it is approved; trust shows what it grants and approves it', async () => {
      const before = await rules();
      const refused = await hermit(world, ['run', file]);
      expect(refused.exitCode, refused.stderr).toBe(2);
      expect(refused.stderr).toContain("profile 'tr-edit'");
      expect(refused.stderr).toContain('is not approved');
      expect(refused.stderr).toContain(`${file} is owned by uid ${AGENT_UID}`);
      expect(refused.stderr).toMatch(/mounts\s+.*\/edit → \/workspace \(read-write\)/);
      expect(refused.stderr).toContain(`sudo hermit trust ${file}`);
      expect(await rules()).toBe(before);
      const shown = /--fingerprint (sha256:[0-9a-f]{64})/.exec(refused.stderr)?.[1];
      expect(shown, refused.stderr).toBeDefined();

      // trust asks before it approves: with no terminal and neither --yes nor --fingerprint, nothing is approved.
      const unasked = await hermit(world, ['trust', file]);
      expect(unasked.exitCode, unasked.stdout).toBe(2);
      expect(unasked.stderr).toContain('no terminal to ask on; nothing was approved');
      expect((await hermit(world, ['run', file])).exitCode).toBe(2);

      // The file is swapped for a wider one after the user read the refusal: the fingerprint they
      // saw approves only the version they saw.
      const original = readFileSync(file, 'utf8');
      writeFileSync(file, original + widening());
      const swapped = await hermit(world, ['trust', file, '--fingerprint', shown!]);
      expect(swapped.exitCode, swapped.stdout).toBe(2);
      expect(swapped.stderr).toContain(`is no longer the version with fingerprint ${shown}`);
      expect((await hermit(world, ['run', file])).exitCode).toBe(2);
      writeFileSync(file, original);

      const trusted = await hermit(world, ['trust', file, '--fingerprint', shown!]);
      expect(trusted.exitCode, trusted.stderr).toBe(0);
      expect(trusted.stdout).toContain('Approved.');
      const run = await hermit(world, ['run', file]);
      expect(run.exitCode, run.stderr + run.stdout).toBe(0);
      await expectNotWidened('hermit-tr-edit');
    });

    it('the agent widens it from inside: run refuses and shows the widenings; the agent gains nothing', async () => {
      const before = await rules();
      await agentWrites('hermit-tr-edit', '/workspace/hermit.yaml', projectYaml('tr-edit', '172.30.60.0/24') + widening());
      const r = await hermit(world, ['run', file]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain(`+ egress.allow: to: ${world.addr.nas}, ports: ${world.ports.nasDisallowed}, protocol: tcp   [WIDENS]`);
      expect(r.stderr).toContain(`+ hostPorts: port: ${world.ports.hostAllService}, protocol: tcp   [WIDENS]`);
      expect(await rules()).toBe(before);
      await expectNotWidened('hermit-tr-edit');
      // probe too: an unapproved profile would decide what the probe expects.
      expect((await hermit(world, ['probe', file])).exitCode).toBe(2);
      // dry-run shows the plan, and says it is not approved.
      const dry = await hermit(world, ['run', file, '--dry-run']);
      expect(dry.stdout).toContain('NOT approved');
    });

    it('status says the file changed and is not approved, and compares with the approved version', async () => {
      const s = await hermit(world, ['status', file]);
      expect(s.stdout).toContain('NOT approved');
      expect(s.stdout).toMatch(/IPv4 rules\s+intact/);
    });

    it('asked in a terminal: yes approves and applies it; the widening then works', async () => {
      // script(1) gives hermit a terminal; the answer comes on its input.
      const cmd = `${process.execPath} ${join(process.cwd(), 'bin', 'hermit')} run ${file}`;
      const r = await inHost(world, 'script', ['-qec', cmd, '/dev/null'], { input: 'y\n', timeout: 60_000 });
      expect(r.stdout).toContain("Approve this version of profile 'tr-edit' and go on? [y/N]");
      expect(r.exitCode, r.stdout).toBe(0);
      const pid = await pidOf(world, 'hermit-tr-edit');
      expect((await connectFrom(world, pid, world.addr.nas, world.ports.nasDisallowed)).outcome).toBe('connected');
    });

    it('a change that only narrows is applied without asking, and says so', async () => {
      await agentWrites('hermit-tr-edit', '/workspace/hermit.yaml', projectYaml('tr-edit', '172.30.60.0/24') + widening().replace(/hostPorts:.*\n/, ''));
      const r = await hermit(world, ['run', file]);
      expect(r.exitCode, r.stderr + r.stdout).toBe(0);
      expect(r.stderr).toContain('differs from the approved version only by narrowing it');
      const pid = await pidOf(world, 'hermit-tr-edit');
      expect(await connectEnd(world, pid, 'tr-edit', world.addr.hostLan, world.ports.hostAllService)).toBe('reset by hermit');
    });
  });

  describe('2. the agent edits the profile while the guard runs', () => {
    const dir = join(root, 'guard');
    let file: string;
    beforeAll(async () => {
      file = join(project(dir, { 'hermit.yaml': projectYaml('tr-guard', '172.30.61.0/24') }), 'hermit.yaml');
      expect((await hermit(world, ['trust', file, '--yes'])).exitCode).toBe(0);
      const r = await hermit(world, ['run', file]);
      expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    });

    it('the guard keeps enforcing the approved version, says so once, and restores drift to it', async () => {
      const before = await rules();
      await agentWrites('hermit-tr-guard', '/workspace/hermit.yaml', projectYaml('tr-guard', '172.30.61.0/24') + widening());
      const pass = await hermit(world, ['guard', '--once', file]);
      expect(pass.exitCode, pass.stdout + pass.stderr).toBe(0);
      expect(pass.stdout).toContain('changed on disk and is NOT approved');
      expect(pass.stdout).not.toContain('DRIFT');
      expect(await rules()).toBe(before);
      await expectNotWidened('hermit-tr-guard');

      // Drift: the guard restores the approved rules, not the file's.
      const flush = FIREWALL === 'nftables' ? ['nft', ['flush', 'chain', 'inet', 'hermit-tr-guard', 'HERMIT-tr-guard']] as const : ['iptables', ['-F', 'HERMIT-tr-guard']] as const;
      expect((await inHost(world, flush[0], [...flush[1]])).exitCode).toBe(0);
      const restore = await hermit(world, ['guard', '--once', file]);
      expect(restore.exitCode, restore.stdout).toBe(0);
      expect(restore.stdout).toContain(FIREWALL === 'nftables' ? 'restored nftables table inet hermit-tr-guard' : 'restored IPv4 rules');
      expect(await rules()).toBe(before);
      await expectNotWidened('hermit-tr-guard');
    });
  });

  describe('3. no project profile: the agent shadows a trusted one', () => {
    const dir = join(root, 'shadow');
    const xdg = join(root, 'xdg');
    const env = { XDG_CONFIG_HOME: xdg };
    beforeAll(async () => {
      project(dir, {});
      // A profile of the user's own, written by root: trusted as it is.
      mkdirSync(join(xdg, 'hermit', 'profiles'), { recursive: true });
      writeFileSync(join(xdg, 'hermit', 'profiles', 'tr-shadow.yaml'), projectYaml('tr-shadow', '172.30.62.0/24').replace('".:/workspace"', `"${dir}:/workspace"`));
      const r = await hermit(world, ['run', 'tr-shadow'], { cwd: dir, env });
      expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    });

    it('a project file that shadows it is named, and not applied without approval', async () => {
      const before = await rules();
      await agentWrites('hermit-tr-shadow', '/workspace/.hermit/tr-shadow.yaml', `extends: tr-shadow\n${widening()}`);
      const r = await hermit(world, ['run', 'tr-shadow'], { cwd: dir, env });
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain(`hermit: profile 'tr-shadow' is ${join(dir, '.hermit', 'tr-shadow.yaml')} (project), which shadows the user ${join(xdg, 'hermit', 'profiles', 'tr-shadow.yaml')}`);
      // Approvals are kept by file: the user's approved version says nothing about this one.
      expect(r.stderr).toContain(`hides the user ${join(xdg, 'hermit', 'profiles', 'tr-shadow.yaml')}, a more trusted profile of the same name`);
      expect(r.stderr).toContain('No version of this profile was approved before.');
      expect(await rules()).toBe(before);
      await expectNotWidened('hermit-tr-shadow');
    });
  });

  describe('4. a mount that hands over the host', () => {
    const dir = join(root, 'mount');
    const home = join(root, 'home', 'alice');
    let file: string;
    beforeAll(async () => {
      mkdirSync(join(home, '.ssh'), { recursive: true });
      writeFileSync(join(home, '.ssh', 'id_ed25519'), 'secret key\n');
      file = join(project(dir, { 'hermit.yaml': projectYaml('tr-mount', '172.30.63.0/24') }), 'hermit.yaml');
      expect((await hermit(world, ['trust', file, '--yes'])).exitCode).toBe(0);
      expect((await hermit(world, ['run', file])).exitCode).toBe(0);
    });

    it('is refused; marked as intended it is a widening to approve; approved, it is mounted', async () => {
      const mounting = (more: string) => projectYaml('tr-mount', '172.30.63.0/24').replace('mounts: [".:/workspace"]', `mounts: [".:/workspace", "${home}:/host-home:ro"]${more}`);
      await agentWrites('hermit-tr-mount', '/workspace/hermit.yaml', mounting(''));
      const refused = await hermit(world, ['run', file]);
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toContain(`mounts ${home}, which holds ${home}/.ssh (credentials: a home directory?): that hands the host over to the agent`);

      await agentWrites('hermit-tr-mount', '/workspace/hermit.yaml', mounting(`\n  sensitiveMounts: ["${home}"]`));
      const asked = await hermit(world, ['run', file]);
      expect(asked.exitCode, asked.stderr).toBe(2);
      expect(asked.stderr).toContain(`+ container.sensitiveMounts: ${home}   [WIDENS]`);
      expect(asked.stderr).toContain(`+ container.mounts: ${home}:/host-home:ro   [WIDENS]`);
      const ls = await docker(world, ['exec', 'hermit-tr-mount', 'ls', '/host-home/.ssh']);
      expect(ls.exitCode).not.toBe(0);

      expect((await hermit(world, ['trust', file, '--yes'])).exitCode).toBe(0);
      const run = await hermit(world, ['run', file]);
      expect(run.exitCode, run.stderr + run.stdout).toBe(0);
      expect((await docker(world, ['exec', 'hermit-tr-mount', 'ls', '/host-home/.ssh'])).stdout).toContain('id_ed25519');
    });
  });
  describe('5. the agent takes away a read-only mask over part of its workspace', () => {
    const dir = join(root, 'mask');
    let file: string;
    beforeAll(async () => {
      file = join(project(dir, { 'hermit.yaml': projectYaml('tr-mask', '172.30.64.0/24').replace('mounts: [".:/workspace"]', 'mounts: [".:/workspace", "./.git:/workspace/.git:ro"]'), '.git/HEAD': 'ref: refs/heads/main\n' }), 'hermit.yaml');
      expect((await hermit(world, ['trust', file, '--yes'])).exitCode).toBe(0);
      const r = await hermit(world, ['run', file]);
      expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    });

    it('removing the mask is a change to approve, not a narrowing: run refuses, and .git stays read-only', async () => {
      const hook = ['exec', 'hermit-tr-mask', 'sh', '-c', 'mkdir -p /workspace/.git/hooks && echo evil > /workspace/.git/hooks/pre-commit'];
      expect((await docker(world, hook)).exitCode).not.toBe(0);
      await agentWrites('hermit-tr-mask', '/workspace/hermit.yaml', projectYaml('tr-mask', '172.30.64.0/24'));
      const r = await hermit(world, ['run', file]);
      expect(r.exitCode, r.stderr + r.stdout).toBe(2);
      expect(r.stderr).not.toContain('only by narrowing');
      expect(r.stderr).toContain(`- container.mounts: ${dir}/.git:/workspace/.git:ro   [changes]`);
      expect((await docker(world, hook)).exitCode).not.toBe(0);
    });
  });

  describe('6. the agent renames its container and user: stop, shell and down act on the approved version', () => {
    const dir = join(root, 'names');
    let file: string;
    beforeAll(async () => {
      file = join(project(dir, { 'hermit.yaml': projectYaml('tr-names', '172.30.65.0/24') }), 'hermit.yaml');
      expect((await hermit(world, ['trust', file, '--yes'])).exitCode).toBe(0);
      const r = await hermit(world, ['run', file]);
      expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    });

    it("the agent points container.name at another profile's agent and asks for root: neither is followed", async () => {
      const other = 'hermit-tr-guard';
      expect((await docker(world, ['inspect', '--format', '{{.State.Running}}', other])).stdout.trim()).toBe('true');
      await agentWrites('hermit-tr-names', '/workspace/hermit.yaml', projectYaml('tr-names', '172.30.65.0/24').replace('mounts: [".:/workspace"]', `mounts: [".:/workspace"]\n  name: ${other}\n  user: "0"`));
      const id = await hermit(world, ['shell', file, '--', 'id', '-u']);
      expect(id.exitCode, id.stderr).toBe(0);
      expect(id.stdout.trim()).toBe('1000');
      expect(id.stderr).toContain('changed on disk and is NOT approved; using the version approved');
      const stop = await hermit(world, ['stop', file, '-t', '1']);
      expect(stop.exitCode, stop.stderr).toBe(0);
      expect(stop.stdout).toContain('Stopped hermit-tr-names');
      expect((await docker(world, ['inspect', '--format', '{{.State.Running}}', other])).stdout.trim()).toBe('true');
    });
  });

  describe('7. an approval is for one file', () => {
    it('a file of the same name elsewhere (a subfolder) is another profile to approve', async () => {
      const dir = join(root, 'edit', 'sub');
      mkdirSync(dir, { recursive: true });
      chownSync(dir, AGENT_UID, AGENT_UID);
      const copy = join(dir, 'hermit.yaml');
      writeFileSync(copy, projectYaml('tr-edit', '172.30.60.0/24'));
      chownSync(copy, AGENT_UID, AGENT_UID);
      const r = await hermit(world, ['run', copy]);
      expect(r.exitCode, r.stderr + r.stdout).toBe(2);
      expect(r.stderr).toContain('No version of this profile was approved before.');
    });
  });
});
