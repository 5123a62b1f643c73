// The guard's pass and its boot restore against the recording fake runner: what it runs when the
// rules drift (the restore payload, then the probe), and how it fails closed (the stop) when the
// restore or the probe does not bring the guarantee back. The host is nftables: one table per
// profile, which the fake "applies" when the restore transaction succeeds.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GuardIo, bootRestore, guardPass } from '../../src/guard/guard.js';
import { nftTable, nftables, renderTable, wantedTable } from '../../src/firewall/nftables.js';
import type { ExistingContainer, HostFacts } from '../../src/plan/host-facts.js';
import type { ProbePlan, ProbeResponse } from '../../src/probe/types.js';
import type { LoadedProfile } from '../../src/profile/types.js';
import { recordRules, savedRules } from '../../src/state/store.js';
import { FakeRunner } from './fakes/runner.js';
import { sampleFacts, sampleProfile } from './fixtures.js';

const profile = sampleProfile();
const loaded: LoadedProfile = { profile, file: '/p/agent.yaml', locate: () => undefined };
const addresses = sampleFacts().addresses.map((a) => a.address);
const rulesets = nftables.wanted(profile, addresses, { save4: '', save6: '', nftTables: {} });
const TABLE = renderTable(wantedTable(profile.name, rulesets));

// A live pid: a probe that fails is then a failed probe, not a container that went away meanwhile.
const container: ExistingContainer = {
  id: 'c1', name: 'hermit-agent', running: true, status: 'running', pid: process.pid, image: 'sha256:i', startedAt: '2026-01-01T10:00:00.000Z',
  labels: { 'hermit.profile': 'agent' }, networks: ['hermit-agent'], restartPolicy: 'unless-stopped',
};

/** The host as the fake holds it: hermit's table, or none (flushed). */
function host(table: string | undefined): HostFacts {
  const base = sampleFacts();
  base.networks.push({ id: 'n1', name: 'hermit-agent', driver: 'bridge', subnets: ['172.30.0.0/24'], gateways: ['172.30.0.1'], bridge: 'hm-agent', ipv6: false, labels: { 'hermit.profile': 'agent' }, containers: ['hermit-agent'] });
  base.firewall = { ...base.firewall, dockerBackend: 'nftables', backend: 'nftables', nftTables: table ? { [nftTable(profile.name)]: table } : {} };
  return { ...base, container };
}

/** Every probe answered as the plan expects it: blocked targets unreachable, the rest reached. */
const asPlanned = (plan: ProbePlan): ProbeResponse => ({
  tcp: plan.tcp.map((e) => ({ id: e.probe.id, outcome: e.expect === 'blocked' ? 'unreachable' : e.expect === 'denied' ? 'denied' : 'connected', address: '203.0.113.7', ms: 1 })),
  dns: plan.dns.map((e) => ({ id: e.probe.id, outcome: e.expect === 'no answer' ? 'timeout' : 'answered', addresses: ['203.0.113.7'], ms: 1 })),
  ipv6: { disabled: true, addresses: [] },
});

/** A guard world: the fake runner applies a successful `nft -f` transaction to the table it holds. */
function world(opts: { probe?: (plan: ProbePlan, pid: number) => Promise<ProbeResponse>; restore?: 'fails'; engine?: ExistingContainer; nestedPid?: number } = {}) {
  let table: string | undefined;
  const runner = new FakeRunner();
  runner.on('nft', ['-f', '-'], opts.restore === 'fails'
    ? { exitCode: 1, stderr: 'Error: Could not process rule: Operation not permitted' }
    : (cmd) => { if (cmd.input?.includes(TABLE)) table = TABLE; return {}; });
  const probes: number[] = [];
  const io: GuardIo = {
    runner,
    shared: async () => host(table),
    own: async (_p, shared) => ({ ...host(table), ...shared, container }),
    probe: (pid, plan) => { probes.push(pid); return opts.probe ? opts.probe(plan, pid) : Promise.resolve(asPlanned(plan)); },
    inspect: async (id) => (opts.engine && (id === opts.engine.id || id === opts.engine.name) ? opts.engine : container),
    nestedPid: async (pid) => (pid === opts.engine?.pid ? opts.nestedPid : undefined),
  };
  const lines: string[] = [];
  return { runner, io, probes, lines, log: (l: string) => { lines.push(l); } };
}

// Each test its own state folder (records, the host lock).
const before = process.env.HERMIT_STATE_DIR;
beforeEach(() => { process.env.HERMIT_STATE_DIR = mkdtempSync(join(tmpdir(), 'hermit-guard-')); });
afterEach(() => {
  rmSync(process.env.HERMIT_STATE_DIR!, { recursive: true, force: true });
  if (before === undefined) delete process.env.HERMIT_STATE_DIR; else process.env.HERMIT_STATE_DIR = before;
});

// The stop, then the look for hermit's containers in its network namespace (none here).
const STOP = ['docker update --restart no c1', 'docker stop --time 5 c1', 'docker ps --quiet --no-trunc --filter label=hermit.role'];
const commandLines = (r: FakeRunner) => r.calls.map((c) => [c.file, ...c.args].join(' '));

describe('a guard pass, through the runner', () => {

  it('drift: the restore transaction is applied, then the container is probed; it keeps running', async () => {
    const w = world();
    const [r] = await guardPass([loaded], 'test', w.log, w.io);
    expect(r).toEqual({ profile: 'agent', ok: true, stopped: false });
    expect(commandLines(w.runner)).toEqual(['nft -f -']);
    expect(w.runner.calls[0]!.input).toContain(TABLE);
    expect(w.probes).toEqual([process.pid]);
    expect(w.lines.find((l) => l.includes('DRIFT'))).toContain(`create table inet ${nftTable('agent')}`);
    expect(w.lines.some((l) => /^agent: probe \(after restoring\) ok, \d+ checks/.test(l))).toBe(true);
    expect(w.lines.at(-1)).toMatch(/^agent: guarantee restored and proven/);
  });

  it('docker: an engine the agent\'s restart left in its old network namespace is restarted, once the agent is proven', async () => {
    const w = world();
    const engine: ExistingContainer = { ...container, id: 'e1', name: 'hermit-agent-docker', labels: { 'hermit.profile': 'agent', 'hermit.role': 'docker' } };
    const own = w.io.own;
    w.io.own = async (p, shared) => ({ ...await own(p, shared), engine: { container: engine, volumes: [], hostTun: true, tunNode: false, netnsStale: true } });
    const [r] = await guardPass([loaded], 'test', w.log, w.io);
    expect(r).toEqual({ profile: 'agent', ok: true, stopped: false });
    expect(commandLines(w.runner)).toEqual(['nft -f -', 'docker restart --time 5 e1']);
    expect(w.lines.some((l) => /restarted docker engine hermit-agent-docker/.test(l))).toBe(true);
  });

  it('the probe after the restore finds a breach: the container is stopped, restart policy first (fail closed)', async () => {
    const w = world({ probe: async (plan) => {
      const planned = asPlanned(plan);
      return { ...planned, tcp: planned.tcp.map((t) => ({ ...t, outcome: 'connected' as const })) };
    } });
    const [r] = await guardPass([loaded], 'test', w.log, w.io);
    expect(r).toEqual({ profile: 'agent', ok: false, stopped: true });
    expect(commandLines(w.runner)).toEqual(['nft -f -', ...STOP]);
    expect(w.lines.at(-1)).toMatch(/^STOPPED container hermit-agent \(restart policy set to "no"\): isolation probe FAILED, a BREACH/);
  });

  it('a probe that cannot run proves nothing: stopped too', async () => {
    const w = world({ probe: () => Promise.reject(new Error('nsenter: cannot open /proc/1/ns/net')) });
    const [r] = await guardPass([loaded], 'test', w.log, w.io);
    expect(r).toMatchObject({ ok: false, stopped: true });
    expect(commandLines(w.runner).slice(-3)).toEqual(STOP);
  });

  it('the restore fails every attempt: no probe, the container is stopped with the drift as the reason', async () => {
    const w = world({ restore: 'fails' });
    const [r] = await guardPass([loaded], 'test', w.log, w.io);
    expect(r).toEqual({ profile: 'agent', ok: false, stopped: true });
    const nft = commandLines(w.runner).filter((l) => l === 'nft -f -');
    expect(nft.length).toBeGreaterThanOrEqual(3);
    expect(commandLines(w.runner).slice(-3)).toEqual(STOP);
    expect(w.probes).toEqual([]);
    expect(w.lines.some((l) => l.includes('FAILED to restore nftables table'))).toBe(true);
    expect(w.lines.at(-1)).toMatch(/^STOPPED container hermit-agent .*: nftables table inet hermit-agent drifted/);
  });

  it('a stop docker refuses is said, and the pass is not ok', async () => {
    const w = world({ restore: 'fails' });
    w.runner.fail('docker', ['stop'], 'Error response from daemon: cannot stop container c1');
    const [r] = await guardPass([loaded], 'test', w.log, w.io);
    expect(r).toEqual({ profile: 'agent', ok: false, stopped: false });
    expect(w.lines.at(-1)).toMatch(/^FAILED to stop container hermit-agent: Error response from daemon: cannot stop container c1/);
  });
});

describe('a guard pass keeps the rules boot restores', () => {
  // A write is a new file renamed over the old one: a new inode.
  const rulesInode = () => statSync(join(process.env.HERMIT_STATE_DIR!, 'agent', 'rules.json')).ino;

  it('a pass over an unchanged profile does not write rules.json again; one whose record differs does', async () => {
    const w = world();
    await guardPass([loaded], 'test', w.log, w.io);
    const written = await savedRules('agent');
    expect(written).toMatchObject({ file: '/p/agent.yaml', backend: 'nftables', rulesets });
    const ino = rulesInode();

    // Nothing drifted and the record already says what is applied: left alone, its time too.
    const [again] = await guardPass([loaded], 'test', w.log, w.io);
    expect(again).toEqual({ profile: 'agent', ok: true, stopped: false });
    expect(rulesInode()).toBe(ino);
    expect(await savedRules('agent')).toEqual(written);

    // A record of an older version of the profile: the pass writes what is applied now.
    await recordRules('agent', '/p/agent.yaml', 'nftables', []);
    const stale = rulesInode();
    await guardPass([loaded], 'test', w.log, w.io);
    expect(rulesInode()).not.toBe(stale);
    expect(await savedRules('agent')).toMatchObject({ file: '/p/agent.yaml', backend: 'nftables', rulesets });

    // The profile's file moved: recorded, so boot finds it.
    await guardPass([{ ...loaded, file: '/q/agent.yaml' }], 'test', w.log, w.io);
    expect(await savedRules('agent')).toMatchObject({ file: '/q/agent.yaml', rulesets });
  });
});

describe('a guard pass, docker: engine beside the agent', () => {
  const docker = { image: 'localhost/hermit/engine:1', container: 'hermit-agent-docker', dataVolume: 'hermit-agent-docker', socketVolume: 'hermit-agent-docker-sock' };
  const withDocker: LoadedProfile = { ...loaded, profile: { ...profile, docker } };
  // The engine's own process, and its dockerd's namespace (rootlesskit's child): distinct pids.
  const engine: ExistingContainer = { ...container, id: 'e1', name: 'hermit-agent-docker', pid: 4242, labels: { 'hermit.profile': 'agent', 'hermit.role': 'docker' } };
  const NESTED_PID = 4343;
  /** Docker as the fake holds it: the engine runs in the agent's network namespace (by name). */
  const sharing = (w: ReturnType<typeof world>) => {
    w.runner.on('docker', ['ps', '--quiet', '--no-trunc', '--filter', 'label=hermit.role'], { stdout: 'p1\ne1\n' });
    w.runner.on('docker', ['inspect'], { stdout: 'c1 /hermit-agent default\np1 /hermit-agent-proxy default\ne1 /hermit-agent-docker container:hermit-agent\n' });
  };

  it('the proof after restoring includes the nested path, probed from the engine\'s dockerd namespace', async () => {
    const plans: ProbePlan[] = [];
    const w = world({ engine, nestedPid: NESTED_PID, probe: async (plan) => { plans.push(plan); return asPlanned(plan); } });
    const [r] = await guardPass([withDocker], 'test', w.log, w.io);
    expect(r).toEqual({ profile: 'agent', ok: true, stopped: false });
    expect(w.probes).toEqual([process.pid, NESTED_PID]);
    // Seen from the engine's namespace: no Docker embedded DNS, no IPv6 check.
    expect(plans[1]!.ipv6Off).toBe(false);
    expect(plans[1]!.dns.some((d) => d.probe.server === '127.0.0.11')).toBe(false);
    const nestedChecks = plans[1]!.tcp.length + plans[1]!.dns.length;
    expect(w.lines.find((l) => l.includes('probe (after restoring) ok'))).toMatch(new RegExp(`ok, \\d+ checks \\(${nestedChecks} of them on the docker engine's nested path\\)`));
    expect(commandLines(w.runner)).toEqual(['nft -f -']);
  });

  it('a breach on the nested path stops the agent, then the engine in its namespace, restart policies first', async () => {
    const w = world({ engine, nestedPid: NESTED_PID, probe: async (plan, pid) => {
      const planned = asPlanned(plan);
      return pid === NESTED_PID ? { ...planned, tcp: planned.tcp.map((t) => ({ ...t, outcome: 'connected' as const })) } : planned;
    } });
    sharing(w);
    const [r] = await guardPass([withDocker], 'test', w.log, w.io);
    expect(r).toEqual({ profile: 'agent', ok: false, stopped: true });
    expect(commandLines(w.runner)).toEqual([
      'nft -f -', ...STOP,
      'docker inspect --format {{.Id}} {{.Name}} {{.HostConfig.NetworkMode}} c1 p1 e1',
      'docker update --restart no e1', 'docker stop --time 5 e1',
    ]);
    expect(w.lines.at(-1)).toMatch(/^STOPPED container hermit-agent and hermit-agent-docker \(which shares its network namespace\) \(restart policies set to "no"\): isolation probe FAILED, a BREACH .*\[from the docker engine\]/);
  });

  it('an engine running for long whose dockerd\'s namespace is not found proves nothing: both stopped', async () => {
    const w = world({ engine });
    sharing(w);
    const [r] = await guardPass([withDocker], 'test', w.log, w.io);
    expect(r).toEqual({ profile: 'agent', ok: false, stopped: true });
    expect(w.lines.at(-1)).toMatch(/^STOPPED container hermit-agent and hermit-agent-docker .*the network namespace of docker engine hermit-agent-docker's dockerd was not found/);
  });

  it('an engine that has just started gets time to make its dockerd\'s namespace', async () => {
    const w = world({ engine: { ...engine, startedAt: new Date().toISOString() } });
    let asked = 0;
    w.io.nestedPid = async () => (++asked > 1 ? NESTED_PID : undefined);
    const [r] = await guardPass([withDocker], 'test', w.log, w.io);
    expect(r).toEqual({ profile: 'agent', ok: true, stopped: false });
    expect(w.probes).toEqual([process.pid, NESTED_PID]);
  });

  it('an engine that is not running has no nested path: the agent alone is probed', async () => {
    const w = world({ engine: { ...engine, running: false, status: 'exited' }, nestedPid: NESTED_PID });
    const [r] = await guardPass([withDocker], 'test', w.log, w.io);
    expect(r).toEqual({ profile: 'agent', ok: true, stopped: false });
    expect(w.probes).toEqual([process.pid]);
  });

  it('an engine left in the agent\'s old namespace is not probed there: restarted, and proven when it starts', async () => {
    const w = world({ engine, nestedPid: NESTED_PID });
    const own = w.io.own;
    w.io.own = async (p, shared) => ({ ...await own(p, shared), engine: { container: engine, volumes: [], hostTun: true, tunNode: false, netnsStale: true } });
    const [r] = await guardPass([withDocker], 'test', w.log, w.io);
    expect(r).toEqual({ profile: 'agent', ok: true, stopped: false });
    expect(w.probes).toEqual([process.pid]);
    expect(commandLines(w.runner)).toEqual(['nft -f -', 'docker restart --time 5 e1']);
    expect(w.lines.some((l) => /nested path is not probed while docker engine hermit-agent-docker is in the agent's old network namespace/.test(l))).toBe(true);
  });
});

describe('guard --boot, through the runner', () => {

  it('puts the recorded table back from a read of the ruleset, in one transaction', async () => {
    await recordRules('agent', '/p/agent.yaml', 'nftables', rulesets);
    const runner = new FakeRunner().on('nft', ['list', 'ruleset'], { stdout: '' });
    const lines: string[] = [];
    expect(await bootRestore((l) => lines.push(l), runner)).toBe(true);
    expect(commandLines(runner)).toEqual(['nft list ruleset', 'nft -f -']);
    expect(runner.calls[1]!.input).toContain(TABLE);
    expect(lines).toEqual([expect.stringMatching(/^agent: restored nftables table inet hermit-agent from .*: create table inet hermit-agent/)]);
  });

  it('a ruleset it cannot read: nothing is written, and boot restore says it failed', async () => {
    await recordRules('agent', '/p/agent.yaml', 'nftables', rulesets);
    const runner = new FakeRunner().fail('nft', ['list', 'ruleset'], 'Error: Operation not permitted');
    const lines: string[] = [];
    expect(await bootRestore((l) => lines.push(l), runner)).toBe(false);
    expect(commandLines(runner)).toEqual(['nft list ruleset']);
    expect(lines).toEqual(['agent: cannot read the nftables ruleset: Error: Operation not permitted']);
  });
});
