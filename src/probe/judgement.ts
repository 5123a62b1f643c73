// What a probe's result means, and what follows from it: pure, shared by run, probe and the guard.
// A BREACH is something that must be blocked (or off) that was not: the cage is open, so the
// container is stopped at once. An OUTAGE is only something that must connect or resolve that did
// not (a resolver restarting, a router rebooting, the internet down): the cage holds, so it is
// retried, reported, and stops the container only when the profile asks (probe.onOutage: stop).
import { EXIT } from '../errors.js';
import type { ProbeSettings } from '../profile/types.js';
import type { ProbeReport, ProbeRow } from './types.js';

export type Judgement =
  | { kind: 'proven' }
  | { kind: 'breach'; why: string }
  | { kind: 'outage'; why: string }
  /** The probe could not run (no report): nothing is proven, so it counts like a breach. */
  | { kind: 'unproven'; why: string };

/** How a failed row counts. Rows recorded before rows carried it count as a breach. */
export const failureOf = (row: ProbeRow): 'breach' | 'outage' => row.failure ?? 'breach';

const listed = (rows: ProbeRow[]) => rows.map((r) => `${r.target}: expected ${r.expected}, observed ${r.observed}`).join('; ');

export function judge(report: ProbeReport): Judgement {
  if (report.rows.length === 0) return { kind: 'unproven', why: 'the probe ran no checks' };
  const failed = report.rows.filter((r) => !r.ok);
  if (failed.length === 0) return { kind: 'proven' };
  const breaches = failed.filter((r) => failureOf(r) === 'breach');
  if (breaches.length > 0) return { kind: 'breach', why: listed(breaches) };
  return { kind: 'outage', why: listed(failed) };
}

export const couldNotRun = (why: string): Judgement => ({ kind: 'unproven', why: `the probe could not run: ${why}` });

/** One line for logs and messages. */
export function describeJudgement(j: Judgement): string {
  switch (j.kind) {
    case 'proven': return 'isolation proven';
    case 'breach': return `isolation probe FAILED, a BREACH (something that must be blocked was reachable): ${j.why}`;
    case 'outage': return `an OUTAGE (nothing that must be blocked was reachable, but something that must answer did not): ${j.why}`;
    case 'unproven': return `isolation not proven, ${j.why}`;
  }
}

export interface Consequence {
  /** Stop the container (fail closed). */
  stop: boolean;
  exitCode: number;
  /** Which profile setting decided, for the message. */
  because?: string;
}

/** What happens to the container, and the exit code: the one decision run, probe and the guard share. */
export function consequence(j: Judgement, settings: Pick<ProbeSettings, 'onFailure' | 'onOutage'>): Consequence {
  switch (j.kind) {
    case 'proven':
      return { stop: false, exitCode: EXIT.ok };
    case 'outage':
      return settings.onOutage === 'stop'
        ? { stop: true, exitCode: EXIT.probe, because: 'probe.onOutage: stop' }
        : { stop: false, exitCode: EXIT.outage, because: `probe.onOutage: ${settings.onOutage}` };
    case 'breach':
    case 'unproven':
      return settings.onFailure === 'warn'
        ? { stop: false, exitCode: EXIT.probe, because: 'probe.onFailure: warn' }
        : { stop: true, exitCode: EXIT.probe };
  }
}

/**
 * The wait before probing again after an outage: 1, 2, 4, then 8 s between attempts, for as long
 * as the next attempt starts within retryForSec of the first; undefined when it is time to stop.
 */
export function outageDelayMs(attempt: number, elapsedMs: number, retryForSec: number): number | undefined {
  const delay = Math.min(8000, 1000 * 2 ** (attempt - 1));
  return elapsedMs + delay <= retryForSec * 1000 ? delay : undefined;
}
