// Where one `hermit run` spends its time (issue 21, "hermit's own share of a launch"): the three
// cases of a launch, each traced with strace (processes, files, Engine API requests) and timed
// without it (HERMIT_TIMING marks, medians of BENCH_RUNS, 8 s apart like the launch bench):
// - first: network and rules created (after hermit down);
// - launch: rules and network in place, a new container (the held-out measure's case);
// - unchanged: everything in place and running (the second run of an unchanged profile).
// Run: npm run build && npx vitest run --config bench/vitest.config.ts bench/launch-trace.bench-run.ts
// (root; HERMIT_E2E_WORLD=<id> on a shared machine). Prints the trace; keeps the straces and the
// figures (launch-trace.json) in the world's bench folder.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject, it } from 'vitest';
import { type WorldInfo, docker, hermit, inHost, sleeperYaml, writeProfile } from '../test/e2e/world.js';
import { SPACED_MS, median, sleep, timingMarks } from './measure.js';
import { type Summary, summarise } from './strace-summary.js';

const world = inject('world') as WorldInfo;
const REPO = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const NAME = 'trace';

it.skipIf(!!world.skip)('a launch, traced', async () => {
  // The world's plainest caged agent (the launch bench's profile less its one exception).
  const file = writeProfile(world, NAME, sleeperYaml(world, NAME, '172.30.24.0/24'), join(world.root, 'bench'));
  const down = async () => { await hermit(world, ['down', NAME, '--time', '0']); };
  const rmContainer = async () => { await docker(world, ['rm', '--force', `hermit-${NAME}`]); };
  const cases = { first: down, launch: rmContainer, unchanged: async () => {} } as const;

  const out: Record<string, { ms: number[]; marks: Record<string, number>; trace: Summary }> = {};
  await down();
  await hermit(world, ['run', file]); // the first whole run after a build rewrites the code cache: not measured
  for (const [what, before] of Object.entries(cases)) {
    const ms: number[] = [];
    const marks: Record<string, number[]> = {};
    for (let i = 0; i < RUNS; i++) {
      await before();
      await sleep(SPACED_MS);
      const t0 = performance.now();
      const r = await hermit(world, ['run', file], { env: { HERMIT_TIMING: '1' } });
      ms.push(performance.now() - t0);
      if (r.exitCode !== 0) throw new Error(`hermit run (${what}) failed:\n${r.stderr}`);
      for (const [k, v] of Object.entries(timingMarks(r.stderr))) (marks[k] ??= []).push(v);
    }
    await before();
    await sleep(SPACED_MS);
    const log = join(world.root, 'bench', `strace-${what}.txt`);
    const r = await inHost(world, 'strace', ['-f', '-tt', '-s', '160', '-e', 'trace=execve,openat,connect,write,writev', '-o', log,
      process.execPath, join(REPO, 'bin', 'hermit'), 'run', file], { cwd: REPO });
    if (r.exitCode !== 0) throw new Error(`strace hermit run (${what}) failed:\n${r.stderr}`);
    out[what] = { ms, marks: Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, median(v)])), trace: summarise(readFileSync(log, 'utf8')) };
  }
  await down();

  const lines: string[] = [];
  for (const [what, { ms, marks, trace }] of Object.entries(out)) {
    const steps = Object.entries(marks).map(([k, at], n, all) => `${k} +${Math.round(at - (n ? all[n - 1]![1] : 0))}`).join(', ');
    lines.push(`\n## ${what}: ${Math.round(median(ms))} ms (median of ${ms.length}; ${ms.map(Math.round).join(', ')})`, `marks (ms, steps): ${steps}`,
      `under strace: ${Math.round(trace.totalMs ?? NaN)} ms; ${trace.spawns.length} processes, ${trace.requests.length} Engine API requests, ` +
      `${trace.files.filter((f) => f.byHermit).length} files opened by hermit (${trace.openedMoreThanOnce.length} of them more than once)`);
    for (const s of trace.spawns) lines.push(`  spawn  +${s.at} ms  ${s.ms ?? '?'} ms  ${s.argv.slice(0, 160)}`);
    for (const q of trace.requests) lines.push(`  engine +${q.at} ms  ${q.request.slice(0, 120)}`);
    for (const f of trace.files.filter((x) => x.byHermit && !/^\/(proc|sys|dev)\//.test(x.path))) lines.push(`  open   +${f.at} ms  ${f.write ? 'write ' : ''}${f.path}`);
    for (const d of trace.openedMoreThanOnce) lines.push(`  twice  ${d.n}× ${d.path}`);
  }
  console.log(lines.join('\n'));
  writeFileSync(join(world.root, 'bench', 'launch-trace.json'), `${JSON.stringify(out, null, 2)}\n`);
});
