// Probe from inside the container's network namespace, then classify against the expected table.
import { classify } from '../probe/classify.js';
import { runProbeWorker } from '../probe/run.js';
import type { ProbePlan, ProbeReport } from '../probe/types.js';
import { renderProbeTable } from '../report/probe-table.js';
import { runSteps } from './progress.js';

export async function proveIsolation(
  plan: ProbePlan,
  pid: number,
  meta: { container: string; profile: string },
  opts: { quiet?: boolean } = {},
): Promise<ProbeReport> {
  let report: ProbeReport | undefined;
  const checks = plan.tcp.length + plan.dns.length + (plan.ipv6Off ? 1 : 0);
  await runSteps(
    [{ title: `Probe isolation from inside ${meta.container} (${checks} checks)`, run: async () => {
      report = classify(plan, await runProbeWorker(pid, plan.request), meta);
    } }],
    opts,
  );
  return report!;
}

export const renderProof = (report: ProbeReport, color: boolean) => renderProbeTable(report, { color });
