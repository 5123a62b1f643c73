// Probe from inside the container's network namespace, classify against the expected table, judge
// it (judgement.ts), and act on the judgement: shared by hermit run, update and probe.
import { stopFailClosed, stoppedWhat } from '../apply/stop.js';
import { HermitError } from '../errors.js';
import { classify } from '../probe/classify.js';
import { retryOutage } from '../probe/retry.js';
import { probeContainer } from '../probe/run.js';
import type { ProbePlan, ProbeReport } from '../probe/types.js';
import { type Judgement, consequence, couldNotRun, describeJudgement, judge } from '../probe/judgement.js';
import type { ProbeSettings, Profile } from '../profile/types.js';
import { container as inspectContainer } from '../host/read.js';
import { nestedPath, withNested } from '../probe/nested.js';
import { heldKeysRow } from '../probe/held-keys.js';
import { processEnvironment, proxyHeldValues } from '../host/credentials.js';
import { proxyContainerOf } from '../plan/egress.js';
import { renderProbeTable } from '../report/probe-table.js';
import { runSteps } from './progress.js';

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
  opts: { quiet?: boolean } = {},
): Promise<Proof> {
  let proof: Proof | undefined;
  const checks = plan.tcp.length + plan.dns.length + (plan.ipv6Off ? 1 : 0);
  const title = `Probe isolation from inside ${meta.container} (${checks} checks)`;
  const t0 = Date.now();
  await runSteps(
    [{ title, run: async (retitle) => {
      const settled = await retryOutage(
        () => probeContainer(pid, plan).then((res) => classify(plan, res, meta), (err: unknown) => {
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
 * `docker:`: the nested path proven too, from the engine's own network namespace, with the same
 * expectations; its rows join the agent's report, so a breach there is a breach of the run. A
 * running engine whose dockerd's namespace cannot be found proves nothing: unproven.
 */
export async function proveNested(agent: Proof, plan: ProbePlan, profile: Profile, opts: { quiet?: boolean } = {}): Promise<Proof> {
  if (!agent.report) return agent;
  const path = await nestedPath(profile, plan, { inspect: inspectContainer });
  // No engine running: no nested path to prove (hermit run starts it, and proves it then).
  if (path.kind === 'none') return agent;
  if (path.kind === 'missing') return { ...agent, judgement: couldNotRun(path.why) };
  const nested = await proveIsolation(path.plan, path.pid, { container: path.container, profile: profile.name }, profile.probe, opts);
  if (!nested.report) return { ...agent, judgement: nested.judgement };
  const report = withNested(agent.report, nested.report);
  return { report, judgement: judge(report), attempts: Math.max(agent.attempts, nested.attempts), ms: agent.ms + nested.ms };
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
