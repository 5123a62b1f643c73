// The one planner for containers hermit runs (the agent's, the proxy, and a sidecar sharing the
// agent's network namespace, as a rootless engine would), and where apply puts each.
import { describe, expect, it } from 'vitest';
import { planCommands } from '../../src/apply/apply.js';
import { describe as describeCommand } from '../../src/apply/exec.js';
import type { ExistingContainer } from '../../src/plan/host-facts.js';
import { makePlan } from '../../src/plan/plan.js';
import { type Sidecar, planSidecar } from '../../src/plan/sidecar.js';
import { sampleFacts, sampleProfile } from './fixtures.js';

/** A sidecar in the agent's network namespace, its data in a named volume. */
const engine = (): Sidecar => ({
  role: 'engine', noun: 'engine', name: 'hermit-agent-engine', profile: 'agent', configHash: 'h1',
  create: { args: ['run', '--detach', '--name', 'hermit-agent-engine', '--label', 'hermit.profile=agent', '--label', 'hermit.role=engine', '--label', 'hermit.config=h1',
    '--network', 'container:hermit-agent', '--volume', 'hermit-agent-engine:/var/lib/docker', 'example/engine:1'] },
  joins: [], netns: 'hermit-agent', dirs: [], files: [],
});

const existing = (labels: Record<string, string>, running = true): ExistingContainer => ({
  id: 'e1', name: 'hermit-agent-engine', running, status: running ? 'running' : 'exited', pid: running ? 5 : 0, image: 'sha256:e', startedAt: '', restartPolicy: 'no', networks: [], labels,
});
const OWN = { 'hermit.profile': 'agent', 'hermit.role': 'engine', 'hermit.config': 'h1' };

describe('planSidecar', () => {
  it('creates, keeps, starts, recreates on a changed hash or --replace, and refuses what it did not start', () => {
    expect(planSidecar(engine(), undefined, { replace: false })).toEqual({ kind: 'run', reason: 'create engine' });
    expect(planSidecar(engine(), existing(OWN), { replace: false })).toEqual({ kind: 'keep', id: 'e1', reload: false, reason: 'engine running with this profile' });
    expect(planSidecar(engine(), existing(OWN, false), { replace: false })).toEqual({ kind: 'start', id: 'e1', reason: 'start stopped engine hermit-agent-engine' });
    expect(planSidecar(engine(), existing({ ...OWN, 'hermit.config': 'h0' }), { replace: false }))
      .toEqual({ kind: 'run', remove: 'e1', reason: 'profile changed since hermit-agent-engine was created: recreate engine' });
    expect(planSidecar(engine(), existing(OWN), { replace: true })).toMatchObject({ kind: 'run', remove: 'e1', reason: 'replace engine (--replace)' });
    expect(() => planSidecar(engine(), existing({ ...OWN, 'hermit.role': 'proxy' }), { replace: false }))
      .toThrow("a container named 'hermit-agent-engine' exists and was not started by hermit as the engine of profile 'agent'");
  });

  it('recreates one sharing a network namespace whenever its owner is recreated', () => {
    expect(planSidecar(engine(), existing(OWN), { replace: false, recreated: ['hermit-agent'] }))
      .toEqual({ kind: 'run', remove: 'e1', reason: 'hermit-agent is recreated, and hermit-agent-engine shares its network: recreate engine' });
    expect(planSidecar(engine(), existing(OWN), { replace: false, recreated: ['other'] }).kind).toBe('keep');
  });

  it('reloads a running one whose files changed, when it can', () => {
    const sc = { ...engine(), files: [{ path: '/x/a.conf', text: 'a', mode: 0o644, changed: true }] };
    expect(planSidecar(sc, existing(OWN), { replace: false })).toMatchObject({ kind: 'keep', reload: false });
    expect(planSidecar({ ...sc, reload: { args: ['kill', '--signal', 'HUP', sc.name], reason: 'a.conf changed: reload' } }, existing(OWN), { replace: false }))
      .toEqual({ kind: 'keep', id: 'e1', reload: true, reason: 'a.conf changed: reload' });
  });

  it('starts one sharing the agent\'s network namespace after the agent', () => {
    const profile = sampleProfile();
    profile.container.mounts = [];
    const plan = makePlan(profile, sampleFacts(), { extras: { dockerArgs: [], command: [] }, environment: { API_KEY: 'k' }, replace: false });
    plan.sidecars.push({ sidecar: engine(), image: { kind: 'present', id: 'sha256:e' }, container: { kind: 'run', reason: 'create engine' } });
    const runs = planCommands(plan).map(describeCommand).filter((c) => c.startsWith('docker run'));
    expect(runs.map((c) => c.split(' ')[4])).toEqual(['hermit-agent', 'hermit-agent-engine']);
  });
});
