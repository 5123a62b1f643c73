// The lifecycle against the real engine and iptables of the test world: re-run semantics, stop,
// status, ps, logs, shell, update (with an image hermit builds), and down, which must remove
// exactly what hermit made — a user's own network and DOCKER-USER rule survive it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ProfileStatus } from '../../src/plan/profile-status.js';
import type { ProbeReport } from '../../src/probe/types.js';
import type { PsRow } from '../../src/report/status-text.js';
import { FIREWALL, type WorldInfo, docker, firewallDump, hermit, inHost, nftTableOf, worldNs, writeProfile as writeProfileIn } from './world.js';

const world = inject('world') as WorldInfo;
const dir = join(world.root, 'lifecycle');

function profileYaml(name: string, subnet: string, extra: { image?: string; top?: string; container?: string } = {}): string {
  return `name: ${name}
image: ${extra.image ?? world.image}
${extra.top ?? ''}
command: [sh, -c, "echo hello from ${name}; exec sleep 86400"]
network:
  subnet: ${subnet}
dns: [${world.addr.router}]
container:
  restart: unless-stopped
${extra.container ?? ''}
probe:
  dnsName: internet.test
  timeoutMs: 3000
  mustReach:
    - { host: internet.test, port: ${world.ports.internet} }
`;
}

const writeProfile = (name: string, text: string) => writeProfileIn(world, name, text, dir);

async function ok(args: string[]): Promise<string> {
  const r = await hermit(world, args);
  expect(r.exitCode, `hermit ${args.join(' ')}\n${r.stderr}\n${r.stdout}`).toBe(0);
  return r.stdout;
}

async function inspect(name: string, format: string): Promise<string> {
  return (await docker(world, ['container', 'inspect', '--format', format, name])).stdout.trim();
}

const statusOf = async (file: string) => JSON.parse(await ok(['status', file, '--json'])) as ProfileStatus;
/** The IPv4 filter table without iptables-save's timestamp comments. */
const save4 = async () => (await inHost(world, 'iptables-save', ['-t', 'filter'])).stdout.replace(/^#.*(\n|$)/gm, '');

describe.skipIf(!!world.skip)('hermit lifecycle (end to end)', () => {
  let file: string;
  let id: string;

  beforeAll(() => {
    file = writeProfile('life', profileYaml('life', '172.30.10.0/24'));
  });

  it('run creates the container; status and ps report it running, rules intact, probe passed', async () => {
    const r = JSON.parse(await ok(['run', file, '--json'])) as { changed: boolean; container: string; probe: ProbeReport };
    expect(r.probe.ok).toBe(true);
    id = r.container;
    const s = await statusOf(file);
    expect(s).toMatchObject({ profile: 'life', ok: true, container: { name: 'hermit-life', state: 'running', image: 'current' }, network: { present: true } });
    expect(s.rules).toEqual([{ family: 4, state: 'intact' }, { family: 6, state: 'intact' }]);
    expect(s.lastProbe).toMatchObject({ ok: true, ofThisContainer: true });
    const ps = JSON.parse(await ok(['ps', '--json'])) as PsRow[];
    expect(ps.find((p) => p.container === 'hermit-life')).toMatchObject({ profile: 'life', state: 'running', lastProbe: { ok: true } });
    expect(await ok(['status'])).toMatch(/profile life \(.*life\.yaml\)[\s\S]*isolation   proven/);
  });

  it('logs prints the container output; shell runs as the profile user', async () => {
    expect(await ok(['logs', file])).toContain('hello from life');
    expect((await ok(['shell', file, '--', 'id', '-u'])).trim()).toBe('1000');
    const r = await hermit(world, ['shell', file, '--', 'sh', '-c', 'exit 7']);
    expect(r.exitCode).toBe(7);
  });

  it('stop stops it and keeps the rules; run starts the same container again, with its restart policy back', async () => {
    const stopped = JSON.parse(await ok(['stop', file, '--time', '0', '--json'])) as { stopped: boolean };
    expect(stopped.stopped).toBe(true);
    expect(await ok(['stop', file])).toContain('Nothing to stop');
    const s = await statusOf(file);
    expect(s).toMatchObject({ ok: false, container: { running: false, state: 'exited' } });
    expect(s.rules.map((x) => x.state)).toEqual(['intact', 'intact']);
    // What a failed probe leaves behind: restart policy "no".
    await docker(world, ['update', '--restart', 'no', 'hermit-life']);
    const out = await ok(['run', file]);
    expect(out).toContain('start stopped container hermit-life');
    expect(out).toMatch(/all as expected/);
    expect(await inspect('hermit-life', '{{.Id}} {{.State.Running}} {{.HostConfig.RestartPolicy.Name}}')).toBe(`${id} true unless-stopped`);
  });

  it('a running unchanged container is left alone; a changed profile recreates it and says so; --replace forces', async () => {
    expect(await ok(['run', file])).toContain('Nothing changed');
    expect(await inspect('hermit-life', '{{.Id}}')).toBe(id);

    writeProfile('life', profileYaml('life', '172.30.10.0/24', { container: '  env: { MODE: changed }\n' }));
    const changed = await ok(['run', file]);
    expect(changed).toContain('profile changed since hermit-life was created: recreate container');
    const id2 = await inspect('hermit-life', '{{.Id}}');
    expect(id2).not.toBe(id);

    expect(await ok(['run', file, '--replace'])).toContain('replace container (--replace)');
    id = await inspect('hermit-life', '{{.Id}}');
    expect(id).not.toBe(id2);
  });

  it.runIf(FIREWALL === 'nftables')('status sees a jump that was removed from its table behind its back; run puts it back', async () => {
    const listed = (await inHost(world, 'nft', ['-a', 'list', 'chain', 'inet', 'hermit-life', 'forward'])).stdout;
    const handle = /meta nfproto ipv4 jump HERMIT-life .*# handle (\d+)/.exec(listed)?.[1];
    expect(handle, listed).toBeDefined();
    expect((await inHost(world, 'nft', ['delete', 'rule', 'inet', 'hermit-life', 'forward', 'handle', handle!])).exitCode).toBe(0);
    const s = await statusOf(file);
    expect(s.ok).toBe(false);
    expect(s.rules[0]).toMatchObject({ family: 4, state: 'differs' });
    expect(await ok(['run', file])).toContain('replace table inet hermit-life: replace chain forward (1 → 2 rules)');
    expect((await statusOf(file)).ok).toBe(true);
  });

  it.skipIf(FIREWALL === 'nftables')('status sees a jump that was removed behind its back; run puts it back', async () => {
    const jump = (await save4()).split('\n').find((l) => l.startsWith('-A DOCKER-USER') && l.endsWith('-j HERMIT-life'))!;
    expect(jump).toBeDefined();
    expect((await inHost(world, 'iptables', ['-D', ...jump.split(' ').slice(1).map((w) => w.replace(/^"|"$/g, ''))])).exitCode).toBe(0);
    const s = await statusOf(file);
    expect(s.ok).toBe(false);
    expect(s.rules[0]).toMatchObject({ family: 4, state: 'differs' });
    expect(await ok(['run', file])).toContain('IPv4: add jump DOCKER-USER -i hm-life → HERMIT-life');
    expect((await statusOf(file)).ok).toBe(true);
  });

  it('update builds a missing image, rebuilds it, and recreates the container only when the image changed', async () => {
    const ctx = join(dir, 'build');
    mkdirSync(ctx, { recursive: true });
    const dockerfile = (v: string) => writeFileSync(join(ctx, 'Dockerfile'), `FROM ${world.image}\nRUN echo ${v} > /version\n`);
    dockerfile('v1');
    const built = writeProfile('built', profileYaml('built', '172.30.11.0/24', { image: 'hermit-e2e/built:lc', top: `build: { context: ${ctx} }` }));

    const first = await ok(['run', built]);
    expect(first).toContain('build image hermit-e2e/built:lc (not on this host)');
    expect((await ok(['shell', built, '--', 'cat', '/version'])).trim()).toBe('v1');
    const id1 = await inspect('hermit-built', '{{.Id}}');

    // Same Dockerfile: the build cache gives the same image, so nothing is recreated.
    expect(await ok(['update', built, '--no-pull'])).toContain('Nothing changed');
    expect(await inspect('hermit-built', '{{.Id}}')).toBe(id1);

    dockerfile('v2');
    const dry = await ok(['update', built, '--no-pull', '--dry-run']);
    expect(dry).toContain('DOCKER_BUILDKIT=0 docker build --network hermit-built --tag hermit-e2e/built:lc --file Dockerfile -');
    expect(dry).toContain(`# its stdin: a tar hermit makes of ${ctx}`);
    const upd = await ok(['update', built, '--no-pull']);
    expect(upd).toMatch(/image hermit-e2e\/built:lc updated \(\w{12} → \w{12}\)/);
    expect(upd).toContain('image hermit-e2e/built:lc changed: recreate container');
    expect(upd).toMatch(/all as expected/);
    expect((await ok(['shell', built, '--', 'cat', '/version'])).trim()).toBe('v2');
    expect((await statusOf(built)).container.image).toBe('current');
  });

  it('update of an image that can only be pulled fails cleanly when the pull fails', async () => {
    const pulled = writeProfile('pulled', profileYaml('pulled', '172.30.12.0/24', { image: 'hermit-e2e/nowhere:1' }));
    const r = await hermit(world, ['update', pulled]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('docker pull hermit-e2e/nowhere:1 failed');
    expect((await docker(world, ['network', 'inspect', 'hermit-pulled'])).exitCode).not.toBe(0);
  });

  describe('down', () => {
    const userRule = ['-I', 'DOCKER-USER', '1', '-s', '10.99.0.0/16', '-m', 'comment', '--comment', 'users own rule', '-j', 'DROP'];

    // (A user's own DOCKER-USER rule: with hermit on nftables too, down must leave iptables alone.)
    beforeAll(async () => {
      expect((await docker(world, ['network', 'create', '--subnet', '172.30.20.0/24', 'users-own-net'])).exitCode).toBe(0);
      expect((await inHost(world, 'iptables', userRule)).exitCode).toBe(0);
    });
    afterAll(async () => {
      await docker(world, ['rm', '--force', 'users-box']);
      await docker(world, ['network', 'rm', 'users-own-net']);
      await inHost(world, 'iptables', ['-D', ...userRule.slice(1).filter((_, i) => i !== 1)]);
    });

    it('refuses, changing nothing, while a container hermit did not start uses the network', async () => {
      expect((await docker(world, ['run', '--detach', '--name', 'users-box', '--network', 'hermit-life', world.image, 'sleep', '600'])).exitCode).toBe(0);
      const before = await firewallDump(world);
      const r = await hermit(world, ['down', file]);
      const [after, running] = [await firewallDump(world), await inspect('hermit-life', '{{.State.Running}}')];
      await docker(world, ['rm', '--force', 'users-box']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('network hermit-life is still used by container users-box');
      expect(after).toBe(before);
      expect(running).toBe('true');
    });

    it('removes exactly what hermit made for the profile: container, rules, network', async () => {
      const nft = FIREWALL === 'nftables';
      const dry = await ok(['down', file, '--dry-run', '--time', '0']);
      expect(dry).toContain(nft ? 'delete table inet hermit-life' : '-X HERMIT-life');
      expect(dry).toContain(`docker rm --force ${id}`);

      const before = await save4();
      expect(await nftTableOf(world, 'life')).toEqual(nft ? expect.stringContaining('chain HERMIT-life') : '');
      const nets = (await docker(world, ['network', 'ls', '--format', '{{.Name}}'])).stdout.split('\n');
      const out = JSON.parse(await ok(['down', file, '--time', '0', '--json'])) as { removed: string[] };
      expect(out.removed).toEqual(nft ? ['container hermit-life', 'table inet hermit-life (33 rules)', 'network hermit-life'] : [
        'container hermit-life',
        'IPv4: jump INPUT → HERMIT-IN-life', 'IPv4: jump DOCKER-USER → HERMIT-life', 'IPv4: chain HERMIT-life (24 rules)', 'IPv4: chain HERMIT-IN-life (4 rules)',
        // Docker 28 keeps a DOCKER-USER in ip6tables too: hermit's IPv6 jump goes there.
        'IPv6: jump INPUT → HERMIT-life', `IPv6: jump ${world.engine >= 28 ? 'DOCKER-USER' : 'FORWARD'} → HERMIT-life`, 'IPv6: chain HERMIT-life (1 rule)',
        'network hermit-life',
      ]);

      // The dump lost exactly hermit's lines for the profile, and Docker's own for its bridge; no table is left.
      const ours = (l: string) => /HERMIT-(IN-)?life\b|\bhm-life\b/.test(l);
      expect((await save4()).split('\n')).toEqual(before.split('\n').filter((l) => !ours(l)));
      expect(await nftTableOf(world, 'life')).toBe('');
      expect(await firewallDump(world)).not.toMatch(/HERMIT-(IN-)?life\b|hermit-life \{/);
      expect(await save4()).toContain('--comment "users own rule" -j DROP');
      if (nft) expect(await nftTableOf(world, 'built')).toContain('jump HERMIT-built'); // another profile's rules stay
      else expect(await save4()).toContain('-j HERMIT-built');
      expect((await inHost(world, 'ip6tables-save', ['-t', 'filter'])).stdout).not.toMatch(/HERMIT-(IN-)?life\b/);
      const after = (await docker(world, ['network', 'ls', '--format', '{{.Name}}'])).stdout.split('\n');
      expect(after).toEqual(nets.filter((n) => n !== 'hermit-life'));
      expect(after).toContain('users-own-net');
      expect((await docker(world, ['container', 'inspect', 'hermit-life'])).exitCode).not.toBe(0);

      const s = await statusOf(file);
      expect(s).toMatchObject({ ok: false, container: { state: 'missing' }, network: { present: false } });
      expect(s.lastProbe).toBeUndefined();
      expect(s.rules.map((x) => x.state)).toEqual(['missing', 'missing']);
      expect(await ok(['down', file])).toContain("Nothing of profile 'life' to remove.");
    });

    it('works by name for a profile run by path (the file hermit recorded), and leaves a same-named foreign container alone', async () => {
      expect((await docker(world, ['run', '--detach', '--name', 'hermit-life', '--network', 'none', world.image, 'sleep', '600'])).exitCode).toBe(0);
      const r = await hermit(world, ['down', file, '--time', '0']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain("Left alone: container hermit-life (not started by hermit for profile 'life')");
      expect(await inspect('hermit-life', '{{.State.Running}}')).toBe('true');
      await docker(world, ['rm', '--force', 'hermit-life']);

      const byName = await hermit(world, ['down', 'built', '--time', '0'], { cwd: world.root });
      expect(byName.exitCode, byName.stderr).toBe(0);
      // Not in the lookup order from world.root: the name means the file hermit last ran it from.
      expect(byName.stderr).toContain(`hermit: profile 'built' is not in the lookup order; using ${join(dir, 'built.yaml')}, the file hermit last ran it from`);
      expect(byName.stdout).toContain('container hermit-built');
      expect(await firewallDump(world)).not.toContain('HERMIT-built');
    });
  });
});

describe.skipIf(!!world.skip)('down payload round-trips through real iptables', () => {
  const NS = worldNs('lctear');
  const inNs = (file: string, args: string[], input?: string) =>
    execFileSync('nsenter', [`--net=/var/run/netns/${NS}`, '--', file, ...args], { input, encoding: 'utf8' });
  beforeAll(() => { execFileSync('ip', ['netns', 'add', NS]); });
  afterAll(() => { execFileSync('ip', ['netns', 'del', NS]); });

  it('removes one profile, and its revert puts the table back exactly', async () => {
    const { buildRuleset } = await import('../../src/plan/ruleset.js');
    const { planFirewall } = await import('../../src/firewall/iptables.js');
    const { teardownFirewall } = await import('../../src/firewall/iptables.js');
    const { FRESH_SAVE4, sampleProfile } = await import('../unit/fixtures.js');
    const other = sampleProfile({ name: 'other' });
    other.network = { ...other.network, bridge: 'hm-other' };
    inNs('iptables-restore', [], FRESH_SAVE4.replace(/^#.*\n/gm, '').replace('COMMIT', '-A DOCKER-USER -s 10.9.9.9/32 -j DROP\nCOMMIT'));
    for (const p of [sampleProfile(), other]) {
      inNs('iptables-restore', ['--noflush'], planFirewall(buildRuleset(p, 4, ['192.168.50.10']), inNs('iptables-save', ['-t', 'filter'])).payload!);
    }
    const full = inNs('iptables-save', ['-t', 'filter']).replace(/^#.*\n/gm, '');
    const td = teardownFirewall('agent', 4, full);
    inNs('iptables-restore', ['--noflush'], td.payload!);
    const after = inNs('iptables-save', ['-t', 'filter']).replace(/^#.*\n/gm, '');
    expect(after.split('\n')).toEqual(full.split('\n').filter((l) => !/HERMIT-(IN-)?agent\b/.test(l)));
    inNs('iptables-restore', ['--noflush'], td.revert!);
    expect(inNs('iptables-save', ['-t', 'filter']).replace(/^#.*\n/gm, '')).toBe(full);
  });
});

describe.skipIf(!!world.skip)('nftables payloads round-trip through real nft', () => {
  const NS = worldNs('lcnft');
  const inNs = (file: string, args: string[], input?: string) =>
    execFileSync('nsenter', [`--net=/var/run/netns/${NS}`, '--', file, ...args], { input, encoding: 'utf8' });
  beforeAll(() => { execFileSync('ip', ['netns', 'add', NS]); });
  afterAll(() => { execFileSync('ip', ['netns', 'del', NS]); });

  it('what nft prints back is what hermit planned (no change), down removes one table, and its revert puts it back', async () => {
    const { buildRuleset } = await import('../../src/plan/ruleset.js');
    const { hermitTables, planNft, teardownNft } = await import('../../src/firewall/nftables.js');
    const { sampleProfile } = await import('../unit/fixtures.js');
    const other = sampleProfile({ name: 'other' });
    other.network = { ...other.network, bridge: 'hm-other', ipv6: true, subnet6: 'fd00:30::/64' };
    const tables = () => hermitTables(inNs('nft', ['list', 'ruleset']));
    // A table that is not hermit's, as Docker 29 keeps its own.
    inNs('nft', ['-f', '-'], 'table ip docker-bridges {\n chain filter-FORWARD {\n type filter hook forward priority filter; policy accept;\n }\n}\n');
    for (const p of [sampleProfile(), other]) {
      const rulesets = ([4, 6] as const).map((f) => buildRuleset(p, f, ['192.168.50.10']));
      const first = planNft(p.name, rulesets, tables().get(`hermit-${p.name}`));
      expect(first.changes[0]).toMatch(/^create table inet hermit-/);
      inNs('nft', ['-f', '-'], first.payload!);
      expect(planNft(p.name, rulesets, tables().get(`hermit-${p.name}`))).toMatchObject({ payload: null, changes: [] });
      inNs('nft', ['-f', '-'], first.payload!); // applying again replaces the table whole: still one of each
      expect(planNft(p.name, rulesets, tables().get(`hermit-${p.name}`)).payload).toBeNull();
    }
    const full = inNs('nft', ['list', 'ruleset']);
    const td = teardownNft('agent', tables().get('hermit-agent'));
    inNs('nft', ['-f', '-'], td.payload!);
    expect([...tables().keys()]).toEqual(['hermit-other']);
    expect(inNs('nft', ['list', 'ruleset'])).toContain('table ip docker-bridges');
    inNs('nft', ['-f', '-'], td.revert!);
    expect(new Set(inNs('nft', ['list', 'ruleset']).split('\n'))).toEqual(new Set(full.split('\n')));
  });
});

describe.skipIf(!!world.skip)('a stopped container whose network was removed (issue 11)', () => {
  let file: string;
  afterAll(async () => { await hermit(world, ['down', file, '--time', '0']); });

  it('run recreates the container on the new network, says why, and proves it', async () => {
    file = writeProfile('netgone', profileYaml('netgone', '172.30.13.0/24'));
    const first = JSON.parse(await ok(['run', file, '--json'])) as { container: string };
    await ok(['stop', file, '--time', '0']);
    // What `docker network prune` or an engine upgrade does to a stopped container's network.
    const rm = await docker(world, ['network', 'rm', 'hermit-netgone']);
    expect(rm.exitCode, rm.stderr).toBe(0);

    const r = await hermit(world, ['run', file]);
    expect(r.exitCode, `${r.stderr}\n${r.stdout}`).toBe(0);
    expect(r.stdout).toMatch(/network hermit-netgone was removed \(id \w{12}\) since hermit-netgone was created: recreate container/);
    expect(r.stdout).toMatch(/all as expected/);
    const now = await inspect('hermit-netgone', '{{.Id}} {{.State.Running}}');
    expect(now).toMatch(/ true$/);
    expect(now).not.toContain(first.container);
    expect(await ok(['run', file])).toContain('Nothing changed');
  });
});
