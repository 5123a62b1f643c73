// Who refused a blocked TCP connect: hermit's reset rule, or the host at that address? Both look
// like "connection refused" to the client. The connect counts as blocked only if the reset rule
// that covers its address counted at least as many packets during the probe as the probe had
// connects refused there. Pure.
import { resetRuleFor } from '../plan/attribution.js';
import type { ProbePlan, ProbeResponse, ResetRule } from './types.js';

export type Refusal = { by: 'hermit'; rule: ResetRule } | { by: 'unknown'; why: string };

const ruleName = (r: ResetRule) => `hermit's reset rule for ${r.dst ?? (r.path === 'input' ? 'the host' : 'the rest')}`;

/** The blocked TCP probes that were refused, by id, with who refused them. */
export function attributeRefusals(plan: ProbePlan, response: ProbeResponse): Map<string, Refusal> {
  const out = new Map<string, Refusal>();
  const att = plan.attribution;
  const byRule = new Map<number, string[]>();
  for (const e of plan.tcp) {
    if (e.expect !== 'blocked' || e.probe.proxy) continue;
    const r = response.tcp.find((t) => t.id === e.probe.id);
    if (r?.outcome !== 'refused') continue;
    const address = r.address ?? e.probe.host;
    const i = att && resetRuleFor(att, address);
    if (!att) out.set(e.probe.id, { by: 'unknown', why: 'no rule counters to tell hermit\'s reset from the host\'s' });
    else if (i === undefined) out.set(e.probe.id, { by: 'unknown', why: `no reset rule of hermit's covers ${address}` });
    else byRule.set(i, [...(byRule.get(i) ?? []), e.probe.id]);
  }
  for (const [i, ids] of byRule) {
    const rule = att!.rules[i]!;
    const n = response.resets?.[i];
    const refusal: Refusal = n === undefined
      ? { by: 'unknown', why: `${ruleName(rule)} could not be read` }
      : n >= ids.length
        ? { by: 'hermit', rule }
        : { by: 'unknown', why: `${ruleName(rule)} counted ${n} of the ${ids.length} refused` };
    for (const id of ids) out.set(id, refusal);
  }
  return out;
}

/** True when a refused blocked connect needs the counters read after the probe. */
export const needsAttribution = (plan: ProbePlan, response: ProbeResponse): boolean =>
  plan.tcp.some((e) => e.expect === 'blocked' && !e.probe.proxy && response.tcp.find((t) => t.id === e.probe.id)?.outcome === 'refused');

export const describeRefusal = (r: Refusal): string => (r.by === 'hermit' ? ruleName(r.rule) : r.why);
