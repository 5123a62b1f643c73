// Probe from inside the container's network namespace, classify against the expected table, judge
// it (judgement.ts), and act on the judgement: shared by hermit run, update and probe.
import { stopFailClosed, stoppedWhat } from '../apply/stop.js';
import { HermitError } from '../errors.js';
import { classify } from '../probe/classify.js';
import { retryOutage } from '../probe/retry.js';
import { probeContainer } from '../probe/run.js';
import type { EarlyWorker } from '../probe/early-worker.js';
import type { ProbePlan, ProbeReport } from '../probe/types.js';
import { type Judgement, consequence, couldNotRun, describeJudgement, judge } from '../probe/judgement.js';
import type { ProbeSettings, Profile } from '../profile/types.js';
import { container as inspectContainer } from '../host/read.js';
import { nestedPath, withNested } from '../probe/nested.js';
import { type NestedContainer, startNestedContainer } from '../apply/nested-probe.js';
import { heldKeysRow } from '../probe/held-keys.js';
import { processEnvironment, proxyHeldValues } from '../host/credentials.js';
import { proxyContainerOf } from '../plan/egress.js';
import { renderProbeTable } from '../report/probe-table.js';
import { runSteps } from './progress.js';
import { mark } from '../timing.js';

export interface Proof {
  /** Absent when the probe could not run. */
  report?: ProbeReport;
  judgement: Judgement;
  attempts: number;
  ms: number;
}

/** Probes, and probes again while the result is an outage (probe.outageRetrySec); never throws
 * for a probe that cannot run: that is a judgement too. */
export async function proveIsolation(
  plan: ProbePlan,
  pid: number,
  meta: { container: string; profile: string },
  settings: Pick<ProbeSettings, 'outageRetrySec'>,
  opts: { quiet?: boolean; early?: EarlyWorker } = {},
): Promise<Proof> {
  let proof: Proof | undefined;
  const checks = plan.tcp.length + plan.dns.length + (plan.ipv6Off ? 1 : 0);
  const title = `Probe isolation from inside ${meta.container} (${checks} checks)`;
  const t0 = Date.now();
  await runSteps(
    [{ title, run: async (retitle) => {
      const settled = await retryOutage(
        () => probeContainer(pid, plan, opts.early ? { early: opts.early } : {}).then((res) => classify(plan, res, meta), (err: unknown) => {
          if (err instanceof HermitError) return err;
          throw err;
        }),
        (v) => (v instanceof HermitError ? couldNotRun(`${v.message}${v.hint ? ` (${v.hint})` : ''}`) : judge(v)),
        settings.outageRetrySec,
        (_j, attempt, waitMs) => retitle?.(`${title}: attempt ${attempt} found an outage, probing again in ${waitMs / 1000} s`),
      );
      const report = settled.value instanceof HermitError ? undefined : settled.value;
      proof = { ...(report ? { report } : {}), judgement: settled.judgement!, attempts: settled.attempts, ms: Date.now() - t0 };
    } }],
    opts,
  );
  return proof!;
}

/**
 * `docker:`: the nested path proven too, with the same expectations, twice: from the engine's own
 * network namespace (where dockerd's pulls and `--network host` containers start) and from a
 * nested container's (hermit's probe container on the engine's bridge, started meanwhile and
 * removed after). Their rows join the agent's report, so a breach there is a breach of the run. A
 * running engine whose dockerd's namespace cannot be found, or whose probe container cannot be
 * loaded, started or found, proves nothing: unproven.
 */
export async function proveNested(agent: Proof, plan: ProbePlan, profile: Profile, opts: { quiet?: boolean } = {}): Promise<Proof> {
  if (!agent.report) return agent;
  const path = await nestedPath(profile, plan, { inspect: inspectContainer });
  // No engine running: no nested path to prove (hermit run starts it, and proves it then).
  if (path.kind === 'none') return agent;
  if (path.kind === 'missing') return { ...agent, judgement: couldNotRun(path.why) };
  // Loaded and started while the engine's namespace is probed; probed after it (one probe at a
  // time: hermit's reset counters are read around each).
  const starting = startNestedContainer(path.engine, path.enginePid, path.pid).then((c) => ({ c }), (e: unknown) => {
    if (e instanceof HermitError) return { why: `${e.message}${e.hint ? ` (${e.hint})` : ''}` };
    throw e;
  });
  const meta = { profile: profile.name };
  let container: NestedContainer | undefined;
  try {
    const engineNs = await proveIsolation(path.plan, path.pid, { ...meta, container: path.container }, profile.probe, opts);
    mark('nested path probed from the engine\'s namespace');
    const started = await starting;
    mark('nested probe container started');
    if ('c' in started) container = started.c;
    if (!engineNs.report) return { ...agent, judgement: engineNs.judgement };
    const report = withNested(agent.report, engineNs.report);
    const sum = { attempts: Math.max(agent.attempts, engineNs.attempts), ms: agent.ms + engineNs.ms };
    if (!container) return { report, judgement: couldNotRun(`the nested container's probe: ${'why' in started ? started.why : ''}`), ...sum };
    const inside = await proveIsolation(path.plan, container.pid, { ...meta, container: `${path.engine}'s container ${container.name}` }, profile.probe, opts);
    mark('nested path probed from a nested container');
    if (!inside.report) return { report, judgement: inside.judgement, ...sum };
    const all = withNested(report, inside.report, 'container');
    return { report: all, judgement: judge(all), attempts: Math.max(sum.attempts, inside.attempts), ms: sum.ms + inside.ms };
  } finally {
    // A container started while a probe threw is removed too.
    container ??= await starting.then((s) => ('c' in s ? s.c : undefined), () => undefined);
    const problem = await container?.remove();
    if (problem) process.stderr.write(`hermit: WARNING: ${problem}\n`);
    mark('nested probe container removed');
  }
}

/**
 * credentials: the agent's main process (pid, on the host) holds no credential's value in its
 * environment; the row joins the report, so a key found there is a breach of the run.
 */
export async function proveNoHeldKeys(proof: Proof, pid: number, profile: Profile): Promise<Proof> {
  const creds = proxyContainerOf(profile)?.credentials ?? [];
  if (creds.length === 0 || !proof.report) return proof;
  const [env, values] = await Promise.all([
    processEnvironment(pid).then((vars) => ({ vars }), (err: NodeJS.ErrnoException) => ({ problem: `/proc/${pid}/environ: ${err.code ?? err.message}` })),
    proxyHeldValues(creds, profile.name),
  ]);
  const row = heldKeysRow(env, values, creds);
  const report = { ...proof.report, ok: proof.report.ok && row.ok, rows: [...proof.report.rows, row] };
  // An earlier "unproven" (the nested path not found) stands: this row cannot prove that.
  return { ...proof, report, judgement: proof.judgement.kind === 'unproven' ? proof.judgement : judge(report) };
}

export const renderProof = (report: ProbeReport, color: boolean) => renderProbeTable(report, { color });

const HINTS: Record<Judgement['kind'], string> = {
  proven: '',
  breach: 'Read the table above for what was reachable that should not be; fix the host or the profile, then hermit run again',
  outage: 'Nothing that must be blocked was reachable. hermit doctor <profile> says where the fault is; hermit probe proves it again once the network is back',
  unproven: 'Fix what kept the probe from running, then hermit run again',
};

/**
 * Acts on the judgement (consequence() in judgement.ts decides): stops the container, failing
 * closed, and throws the exit 5 error; or warns and sets the exit code (5, or 6 for an outage).
 */
export async function enforce(proof: Pick<Proof, 'judgement' | 'attempts' | 'ms'>, settings: Pick<ProbeSettings, 'onFailure' | 'onOutage'>, containerId: string, name: string): Promise<void> {
  const j = proof.judgement;
  if (j.kind === 'proven') return;
  const c = consequence(j, settings);
  const tries = proof.attempts > 1 ? ` (after ${proof.attempts} attempts over ${Math.round(proof.ms / 1000)} s)` : '';
  const what = `${describeJudgement(j)}${tries}`;
  if (!c.stop) {
    process.stderr.write(`hermit: WARNING: ${what}; container ${name} left running because the profile says ${c.because}\n  → ${HINTS[j.kind]}\n`);
    process.exitCode = c.exitCode;
    return;
  }
  const r = await stopFailClosed(containerId);
  const also = r.withFailed ? `; stopping ${r.with.join(', ')} (in its network namespace) FAILED: ${r.withFailed}` : '';
  if (r.failed) {
    throw new HermitError('probe', `${what}; stopping container ${name} FAILED: ${r.failed}${also}`, `Stop it yourself: docker update --restart no ${name} && docker stop ${name}`);
  }
  throw new HermitError('probe', `${what}: ${stoppedWhat(name, r)} ${r.with.length > 0 ? 'were stopped (their restart policies set to "no")' : 'was stopped (its restart policy set to "no")'}${also}${c.because ? ` because the profile says ${c.because}` : ''}`, HINTS[j.kind]);
}
