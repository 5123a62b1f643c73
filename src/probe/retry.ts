// Probing again while the result is an outage, with the bounded backoff of judgement.ts. A breach or
// a proof ends it at once: a breach is never retried away.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Judgement, outageDelayMs } from './judgement.js';

export interface Settled<T> { value: T; judgement?: Judgement; attempts: number }

/**
 * @param judgementOf undefined for a result that is not a probe report (the container stopped
 *   meanwhile): returned as is.
 * @param onRetry told about each outage that is retried, with the wait before the next attempt.
 */
export async function retryOutage<T>(
  once: () => Promise<T>, judgementOf: (value: T) => Judgement | undefined, retryForSec: number,
  onRetry: (j: Judgement, attempt: number, waitMs: number) => void, wait: (ms: number) => Promise<unknown> = sleep,
): Promise<Settled<T>> {
  const t0 = Date.now();
  for (let attempt = 1; ; attempt++) {
    const value = await once();
    const judgement = judgementOf(value);
    const delay = judgement?.kind === 'outage' ? outageDelayMs(attempt, Date.now() - t0, retryForSec) : undefined;
    if (delay === undefined) return { value, ...(judgement ? { judgement } : {}), attempts: attempt };
    onRetry(judgement!, attempt, delay);
    await wait(delay);
  }
}
