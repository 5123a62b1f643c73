// What every benchmark section shares: medians, timed commands, the rows it prints.
import { performance } from 'node:perf_hooks';
import type { RunResult } from '../test/e2e/world.js';

export interface Row { what: string; hermitMs?: number; baselineMs?: number; baseline?: string; note?: string; detail?: unknown }

/** The kernel refills the ICMP-error budget for one destination at one a second (burst ~6): rows
 * "spaced" or "8 s apart" wait this long between commands that probe the same container. */
export const SPACED_MS = 8_000;

export const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wall time of a command that must succeed. */
export async function timed(fn: () => Promise<RunResult>): Promise<number> {
  const t0 = performance.now();
  const r = await fn();
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`benchmark step failed (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  return ms;
}

/** Median of n timed runs, each after `before` (untimed), with a pause after each. */
export async function sample(n: number, before: () => Promise<unknown>, fn: () => Promise<RunResult>, pauseMs = 0): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    await before();
    xs.push(await timed(fn));
    if (pauseMs) await sleep(pauseMs);
  }
  return median(xs);
}

/** HERMIT_TIMING=1's marks in a command's stderr: phase → ms since its process started. */
export function timingMarks(stderr: string): Record<string, number> {
  const marks: Record<string, number> = {};
  for (const m of stderr.matchAll(/^hermit: timing: (.*) (\d+) ms$/gm)) marks[m[1]!] = Number(m[2]);
  return marks;
}

/** "a–b ms" or "a ms" for a range of figures. */
export const range = (xs: number[]) => {
  const [lo, hi] = [Math.round(Math.min(...xs)), Math.round(Math.max(...xs))];
  return lo === hi ? `${lo} ms` : `${lo}–${hi} ms`;
};
