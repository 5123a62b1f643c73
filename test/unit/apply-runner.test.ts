// apply, rollback and teardown against a recording fake runner: the commands they run, in order,
// and what a failure puts back. The fs side of the binds stays real (in a temporary folder); the
// end-to-end tests still prove the same against a real host.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, realpathSync, rmSync, rmdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Applied, applySteps, planCommands } from '../../src/apply/apply.js';
import { teardownCommands, teardownSteps } from '../../src/apply/teardown.js';
import type { Command } from '../../src/apply/exec.js';
import type { Inventory } from '../../src/plan/host-facts.js';
import { dockerRun } from '../../src/plan/container.js';
import { makePlan } from '../../src/plan/plan.js';
import { planTeardown } from '../../src/plan/teardown.js';
import { FakeRunner, runAll, shown } from './fakes/runner.js';
import { FRESH_SAVE4, FRESH_SAVE6, sampleFacts, sampleProfile } from './fixtures.js';

const ID = 'c0ffee000000aaaa';
const INSPECT = JSON.stringify([{ Id: ID, Name: '/hermit-agent', State: { Running: true, Pid: 4242 }, Image: 'sha256:1', Config: { Labels: {} }, NetworkSettings: { Networks: {} }, HostConfig: {} }]);

let dir: string;
beforeEach(() => { dir = realpathSync(mkdtempSync(join(tmpdir(), 'hermit-runner-'))); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The sample profile on a fresh host, its workspace a real folder (hermit binds it) and its state in `dir`. */
function freshRun() {
  const source = join(dir, 'work');
  mkdirSync(source);
  const profile = sampleProfile();
  profile.container.mounts = [`${source}:/workspace`];
  const plan = makePlan(profile, sampleFacts(), { extras: { dockerArgs: [], command: [] }, environment: { API_KEY: 'k', HERMIT_STATE_DIR: join(dir, 'state') }, replace: false });
  const target = (plan.binds[0] as { pin: { target: string } }).pin.target;
  return { plan, target };
}

/** Docker and the firewall tools all succeed; `mount` leaves at the target what a bind would show
 * to stat (the source itself: a link, since a test does not mount), `docker run` prints the id. */
function host(): FakeRunner {
  return new FakeRunner()
    .on('mount', [], (cmd: Command) => {
      const target = cmd.args.at(-1)!;
      rmdirSync(target);
      symlinkSync(cmd.fd3!.path, target);
      return {};
    })
    .on('docker', ['run'], { stdout: `${ID}\n` })
    .on('docker', ['container', 'inspect'], { stdout: INSPECT });
}

const applied = (): Applied => ({ containerId: '', pid: 0, changes: [] });

describe('apply through the runner', () => {
  it('runs the commands --dry-run lists, in its order, then reads the container back', async () => {
    const { plan, target } = freshRun();
    const fake = host();
    const result = applied();
    const { steps } = applySteps(plan, result, { runner: fake, engineSocket: null });
    expect(await runAll(steps)).toBeUndefined();

    expect(fake.calls.map((c) => c.file)).toEqual(['docker', 'iptables-restore', 'ip6tables-restore', 'mount', 'docker', 'docker']);
    expect(fake.lines()).toEqual([...planCommands(plan).map(shown), `docker container inspect ${ID}`]);
    expect(result).toMatchObject({ containerId: ID, pid: 4242 });
    expect(result.changes).toContain('created network hermit-agent');
    expect(lstatSync(target).isSymbolicLink()).toBe(true);
  });

  it('when the container does not start, rolls back in reverse: unbind, the rules as they were, the network', async () => {
    const { plan, target } = freshRun();
    const [v4, v6] = plan.firewall;
    let boundAtRevert: boolean | undefined;
    const fake = host()
      .fail('docker', ['run'], 'docker: Error response from daemon: OCI runtime create failed.', 125)
      .on('ip6tables-restore', [], () => { boundAtRevert ??= existsSync(target); return {}; });
    const { steps, rollback } = applySteps(plan, applied(), { runner: fake, engineSocket: null });
    const err = await runAll(steps);
    expect(err?.message).toMatch(/^docker run .* failed: docker: Error response from daemon: OCI runtime create failed\./);

    const failedAt = fake.lines().findIndex((l) => l.startsWith('docker run '));
    expect(await rollback()).toEqual([]);
    expect(fake.lines().slice(failedAt + 1)).toEqual([
      // docker run may have created the container before failing: it goes first, by name.
      'docker rm --force hermit-agent',
      `ip6tables-restore --noflush --wait 10\n${v6!.revert}`,
      `iptables-restore --noflush --wait 10\n${v4!.revert}`,
      'docker network rm hermit-agent',
    ]);
    // The unbind ran before the rules went back (it is a file operation here: nothing was mounted).
    expect(boundAtRevert).toBe(false);
    expect(existsSync(target)).toBe(false);
  });

  it('starts a stopped container of the profile (its restart policy put back first), and stops it on rollback', async () => {
    const profile = sampleProfile();
    profile.container.mounts = [];
    const opts = { extras: { dockerArgs: [], command: [] }, environment: { API_KEY: 'k' }, replace: false };
    const net = { id: 'n1', name: 'hermit-agent', driver: 'bridge', subnets: ['172.30.0.0/24'], gateways: ['172.30.0.1'], bridge: 'hm-agent', ipv6: false, labels: { 'hermit.profile': 'agent' }, containers: [] };
    const stopped = { id: ID, name: 'hermit-agent', running: false, status: 'exited', pid: 0, image: 'sha256:1', startedAt: '', networks: ['hermit-agent'], networkIds: { 'hermit-agent': 'n1' },
      restartPolicy: 'no', labels: { 'hermit.profile': 'agent', 'hermit.config': dockerRun(profile, opts.extras, opts.environment).configHash } };
    const plan = makePlan(profile, sampleFacts({ container: stopped, networks: [...sampleFacts().networks, net] }), opts);
    expect(plan.container).toMatchObject({ kind: 'start', restart: 'unless-stopped' });

    const fake = host();
    const { steps, rollback } = applySteps(plan, applied(), { runner: fake, engineSocket: null });
    expect(await runAll(steps)).toBeUndefined();
    expect(fake.lines()).toEqual([...planCommands(plan).map(shown), `docker container inspect ${ID}`]);
    expect(fake.lines().filter((l) => l.startsWith('docker'))).toEqual([`docker update --restart unless-stopped ${ID}`, `docker start ${ID}`, `docker container inspect ${ID}`]);

    const before = fake.calls.length;
    expect(await rollback()).toEqual([]);
    expect(fake.lines().slice(before).map((l) => l.split('\n')[0])).toEqual([`docker stop ${ID}`, 'ip6tables-restore --noflush --wait 10', 'iptables-restore --noflush --wait 10']);
  });

  it('reports an undo that fails, and still runs the others', async () => {
    const { plan } = freshRun();
    const revert4 = plan.firewall[0]!.revert;
    const fake = host()
      .fail('docker', ['run'], 'boom')
      .on('iptables-restore', [], (cmd) => (cmd.input === revert4 ? { stderr: 'iptables-restore: line 3 failed', exitCode: 2 } : {}));
    const { steps, rollback } = applySteps(plan, applied(), { runner: fake, engineSocket: null });
    expect((await runAll(steps))?.message).toMatch(/failed: boom$/);
    const before = fake.calls.length;
    const failed = await rollback();
    expect(failed).toEqual(['restore previous IPv4 rules: iptables-restore --noflush --wait 10 failed: iptables-restore: line 3 failed']);
    expect(fake.calls.slice(before).map((c) => c.file)).toEqual(['ip6tables-restore', 'iptables-restore', 'docker']);
    expect(await rollback()).toEqual([]); // the undo stack is spent
  });
});

/** A save with the profile's chain and the jump to it (as a run leaves them). */
const withRules = (save: string) => save.replace('COMMIT', [
  ':HERMIT-agent - [0:0]',
  '-A DOCKER-USER -i hm-agent -m comment --comment "hermit:agent" -j HERMIT-agent',
  '-A HERMIT-agent -j DROP',
  'COMMIT',
].join('\n'));

function inventory(): Inventory {
  return {
    containers: [{ id: 'c1', name: 'hermit-agent', running: true, status: 'running', pid: 7, image: 'sha256:1', startedAt: '', labels: { 'hermit.profile': 'agent' }, networks: ['hermit-agent'], restartPolicy: 'no' }],
    networks: [{ id: 'n1', name: 'hermit-agent', driver: 'bridge', subnets: [], gateways: [], ipv6: false, labels: { 'hermit.profile': 'agent' }, containers: ['hermit-agent'] }],
    save4: withRules(FRESH_SAVE4), save6: withRules(FRESH_SAVE6), nftTables: {},
  };
}

describe('teardown through the runner', () => {
  it('removes the container, the rules, then the network, as --dry-run lists them', async () => {
    const td = planTeardown('agent', inventory());
    const fake = new FakeRunner();
    const removed: string[] = [];
    expect(await runAll(teardownSteps(td, 10, removed, fake).steps)).toBeUndefined();
    expect(fake.calls.map((c) => `${c.file} ${c.args[0]}`)).toEqual(['docker stop', 'docker rm', 'iptables-restore --noflush', 'ip6tables-restore --noflush', 'docker network']);
    expect(fake.lines()).toEqual(teardownCommands(td, 10).map(shown));
    expect(removed).toEqual(['container hermit-agent', 'IPv4: jump DOCKER-USER → HERMIT-agent', 'IPv4: chain HERMIT-agent (1 rule)',
      'IPv6: jump DOCKER-USER → HERMIT-agent', 'IPv6: chain HERMIT-agent (1 rule)', 'network hermit-agent']);
  });

  it("removes an nftables table with one transaction, and the profile's pinned folders once the container is gone", async () => {
    const target = join(dir, 'state', '.binds', 'agent', '0');
    mkdirSync(target, { recursive: true });
    const listing = 'table inet hermit-agent {\n}\n';
    const td = planTeardown('agent', { ...inventory(), save4: FRESH_SAVE4, save6: '', nftTables: { 'hermit-agent': listing }, binds: [target] });
    const fake = new FakeRunner();
    let boundAtNft: boolean | undefined;
    fake.on('nft', [], () => { boundAtNft = existsSync(target); return {}; });
    const removed: string[] = [];
    expect(await runAll(teardownSteps(td, 10, removed, fake).steps)).toBeUndefined();
    // Nothing is mounted at the target here, so the unbind runs no umount: it only removes the folder.
    expect(fake.lines().map((l) => l.split('\n')[0])).toEqual(['docker stop --time 10 c1', 'docker rm --force c1', 'nft -f -', 'docker network rm n1']);
    expect(fake.calls[2]!.input).toBe(td.firewall[0]!.payload);
    expect(boundAtNft).toBe(false);
    expect(removed).toEqual(['container hermit-agent', `bind ${target}`, 'table inet hermit-agent (0 rules)', 'network hermit-agent']);
  });

  it('puts the rules back when the network cannot be removed', async () => {
    const td = planTeardown('agent', inventory());
    const [v4, v6] = td.firewall;
    const fake = new FakeRunner().fail('docker', ['network', 'rm'], 'Error response from daemon: error while removing network: network hermit-agent has active endpoints');
    const { steps, rollback } = teardownSteps(td, 10, [], fake);
    const err = await runAll(steps);
    expect(err?.message).toBe('docker network rm n1 failed: Error response from daemon: error while removing network: network hermit-agent has active endpoints');
    const before = fake.calls.length;
    expect(await rollback()).toEqual([]);
    expect(fake.lines().slice(before)).toEqual([
      `ip6tables-restore --noflush --wait 10\n${v6!.revert}`,
      `iptables-restore --noflush --wait 10\n${v4!.revert}`,
    ]);
  });
});
