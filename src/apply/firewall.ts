// The firewall reads and writes that are not a plan's steps: the reset rules' counters around a
// probe, and the boot restore of recorded rules. The backend (src/firewall) says what to run and
// what the answers mean; this runs it.
import { firewallFor } from '../firewall/index.js';
import type { Read } from '../firewall/backend.js';
import type { Attribution } from '../probe/types.js';
import type { RulesRecord } from '../state/store.js';
import { type Runner, hostRunner } from './exec.js';

/** Each rule's count now; undefined for a rule not found, or for all when the firewall cannot be read. */
export async function readResetCounters(att: Attribution, runner: Runner = hostRunner): Promise<(number | undefined)[]> {
  const backend = firewallFor(att.backend);
  // Around a probe: a firewall that does not answer soon only costs the attribution.
  const reads = await Promise.all(backend.counterReads(att).map((cmd) =>
    runner.run({ ...cmd, timeoutMs: 10_000 }).then((o) => (o.exitCode === 0 ? o.stdout : undefined), () => undefined)));
  return backend.resetCounters(att, reads);
}

/**
 * `hermit guard --boot`: puts one profile's recorded rules back with the backend they were applied
 * with (records from before nftables: iptables). False when they could not all be put back.
 */
export async function restoreRecordedRules(name: string, rec: RulesRecord, log: (line: string) => void, runner: Runner = hostRunner): Promise<boolean> {
  const backend = firewallFor(rec.backend ?? 'iptables');
  const reads = await Promise.all(backend.bootReads(rec.rulesets).map((cmd): Promise<Read> =>
    runner.run(cmd).catch((e: unknown) => ({ exitCode: 1, stdout: '', stderr: (e as Error).message, thrown: true }))));
  let ok = true;
  for (const step of backend.bootPlan(name, rec.rulesets, reads)) {
    if ('note' in step) { log(`${name}: ${step.note}`); ok = ok && !step.fails; continue; }
    const { fix } = step;
    if (!fix.payload) { log(`${name}: ${fix.what} already in place`); continue; }
    const r = await runner.run(backend.command(fix, fix.payload));
    if (r.exitCode === 0) log(`${name}: restored ${fix.what} from ${rec.at}: ${fix.changes.join(', ')}`);
    else { ok = false; log(`${name}: FAILED to restore ${fix.what}: ${r.stderr.trim()}`); }
  }
  return ok;
}
