// HERMIT_TIMING=1 prints where a command spends its time, on stderr: one line per phase, in ms
// since the process started (Node's own start-up included). The benchmarks read these lines.
// The global `performance` is read only then: touching it loads node:perf_hooks (~1 ms).

const on = !!process.env.HERMIT_TIMING;

export function mark(phase: string): void {
  if (on) process.stderr.write(`hermit: timing: ${phase} ${performance.now().toFixed(0)} ms\n`);
}
