// The rows of issue 10, "fast every time": repeated launches and probes (the kernel's ICMP rate
// limit), blocked connects from inside the agent, and drift closed by a running guard at its
// defaults, with the guard's idle CPU. Each function returns its rows; nothing asserts on time.
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { ProbeReport } from '../src/probe/types.js';
import { type WorldInfo, hermit, hermitDaemon, inHost, pidOf, waitUntil } from '../test/e2e/world.js';
import { type Row, SPACED_MS, median, range, sleep, timed, timingMarks } from './measure.js';

const BENCH = fileURLToPath(new URL('.', import.meta.url));

// ---- 1 and 2: --replace and probe, spaced and back to back --------------------------------------

/**
 * `hermit run --replace` 8 s apart against back to back, and `hermit probe` right after a run
 * against 8 s after one, in one loop so that the machine's drift reaches every column alike.
 * The profile's container must be running.
 */
export async function replaceAndProbe(world: WorldInfo, profile: string, runs: number): Promise<Row[]> {
  const spaced: number[] = [];
  const backToBack: number[] = [];
  const probeAfterRun: number[] = [];
  const probeSpaced: number[] = [];
  // The probe step of a --replace (HERMIT_TIMING marks "applied" → "probed"), and probe checks slower than 500 ms.
  const probeStep = { spaced: [] as number[], backToBack: [] as number[] };
  const slow = { afterRun: 0, spaced: 0, checks: 0 };
  const replace = async (into: number[], steps: number[]) => {
    let stderr = '';
    into.push(await timed(async () => { const r = await hermit(world, ['run', profile, '--replace'], { env: { HERMIT_TIMING: '1' } }); stderr = r.stderr; return r; }));
    const m = timingMarks(stderr);
    if (m.probed !== undefined && m.applied !== undefined) steps.push(m.probed - m.applied);
  };
  const probe = async (into: number[]) => {
    let stdout = '';
    into.push(await timed(async () => { const r = await hermit(world, ['probe', profile, '--json']); stdout = r.stdout; return r; }));
    const rows = (JSON.parse(stdout) as ProbeReport).rows;
    slow.checks = rows.length;
    return rows.filter((r) => (r.ms ?? 0) > 500).length;
  };
  for (let i = 0; i < runs; i++) {
    await sleep(SPACED_MS);
    await replace(spaced, probeStep.spaced);
    await replace(backToBack, probeStep.backToBack);
    await sleep(SPACED_MS);
    await replace(spaced, probeStep.spaced);
    slow.afterRun += await probe(probeAfterRun);
    await sleep(SPACED_MS);
    slow.spaced += await probe(probeSpaced);
  }
  const step = (xs: number[]) => (xs.length ? `${Math.round(median(xs))} ms` : 'no HERMIT_TIMING marks');
  return [
    { what: 'hermit run --replace, 8 s apart (new container, probe included)', hermitMs: median(spaced),
      note: `${spaced.length} samples, ${range(spaced)}; its probe step ${step(probeStep.spaced)}`, detail: { spaced } },
    { what: 'hermit run --replace, back to back (no pause)', hermitMs: median(backToBack), baselineMs: median(spaced), baseline: 'the same, 8 s apart',
      note: `target ≤ 1.2×; ${range(backToBack)}; its probe step ${step(probeStep.backToBack)}`, detail: { backToBack } },
    { what: 'hermit probe <profile> right after hermit run --replace (no pause), whole command', hermitMs: median(probeAfterRun), baselineMs: median(probeSpaced), baseline: 'the same, 8 s after the last command',
      note: `target < 400 ms; ${range(probeAfterRun)}; ${slow.afterRun} of ${runs * slow.checks} checks over 500 ms (spaced: ${slow.spaced})`, detail: { probeAfterRun, probeSpaced } },
  ];
}

// ---- 3: blocked TCP connects in a row, from inside -----------------------------------------------

const CONNECTS = 20;
/** Per connect, long enough to tell a SYN retransmit (1 s, 3 s) from no answer at all. */
const CONNECT_TIMEOUT_MS = 5_000;

interface Connect { host: string; port: number; ms: number; outcome: string }

/**
 * 20 TCP connects one after another from inside the running container of `container` to LAN
 * addresses of the test world the profile blocks (the router's admin page, the NAS's ssh, the
 * host's LAN service), in `sequences` rounds, each after an 8 s pause.
 */
export async function connectsInARow(world: WorldInfo, container: string, sequences: number): Promise<Row[]> {
  const targets: [string, number][] = [
    [world.addr.router, world.ports.routerAdmin], [world.addr.nas, world.ports.nasDisallowed], [world.addr.hostLan, world.ports.hostLanService]];
  const input = JSON.stringify({ timeoutMs: CONNECT_TIMEOUT_MS, targets: Array.from({ length: CONNECTS }, (_, i) => targets[i % targets.length]) });
  const pid = await pidOf(world, container);
  const rounds: Connect[][] = [];
  for (let i = 0; i < sequences; i++) {
    await sleep(SPACED_MS);
    const r = await inHost(world, 'nsenter', [`--net=/proc/${pid}/ns/net`, '--', process.execPath, join(BENCH, 'connect-sequence.mjs')], { input });
    if (r.exitCode !== 0) throw new Error(`connects from inside failed (exit ${r.exitCode}): ${r.stderr}`);
    rounds.push(JSON.parse(r.stdout) as Connect[]);
  }
  const all = rounds.flat();
  const ms = all.map((c) => c.ms);
  const classes = new Map<string, number>();
  for (const c of all) classes.set(c.outcome, (classes.get(c.outcome) ?? 0) + 1);
  const over = (xs: Connect[]) => xs.filter((c) => c.ms > 50).length;
  return [{
    what: `${CONNECTS} blocked TCP connects in a row from inside the agent (LAN: router:80, NAS:22, host:8081), slowest`,
    hermitMs: Math.max(...ms),
    note: `target: each < 50 ms; ${rounds.length} round${rounds.length > 1 ? 's' : ''}: over 50 ms ${rounds.map(over).join(', ')} of ${CONNECTS}; `
      + `median ${median(ms).toFixed(1)} ms; ${[...classes].map(([k, n]) => `${k} ×${n}`).join(', ')}; `
      + `first round, ms: ${rounds[0]!.map((c) => Math.round(c.ms)).join(' ')}`,
    detail: rounds,
  }];
}

// ---- 4 and 5: the guard at its defaults: drift closed, idle CPU ---------------------------------

const IDLE_S = 60;
const IDLE_S_SHORT_INTERVAL = 20;
/** Past the default interval (30 s), so that a host without rule-change events still gets a figure. */
const DRIFT_DEADLINE_MS = 45_000;
const POLL_MS = 20;
const MARK = 'hermit-bench-drift';

const CLK_TCK = (() => { try { return Number(execFileSync('getconf', ['CLK_TCK']).toString()); } catch { return 100; } })();

/**
 * CPU time (user + system) of a process and everything it started: the live ones' own and that of
 * their waited-for children (cutime, cstime), so a child that ends in between still counts.
 */
export function treeCpuMs(root: number): number {
  const procs = new Map<number, { ppid: number; ticks: number }>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    let stat: string;
    try { stat = readFileSync(`/proc/${e}/stat`, 'utf8'); } catch { continue; }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
    procs.set(Number(e), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
  }
  let ticks = 0;
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = procs.get(p)?.ppid ?? 0, hops++) if (p === root) return true;
    return false;
  };
  for (const [pid, p] of procs) if (inTree(pid)) ticks += p.ticks;
  return (ticks * 1000) / CLK_TCK;
}

/** A running `hermit guard` with its log, and the log's lines after a point. */
async function startGuard(world: WorldInfo, name: string | string[], args: string[], logName: string) {
  const log = join(world.root, 'logs', `bench-${logName}.log`);
  const text = () => { try { return readFileSync(log, 'utf8'); } catch { return ''; } };
  const from = text().length;
  const started = performance.now();
  const g = await hermitDaemon(world, ['guard', ...args], log);
  const since = () => text().slice(from);
  const first = await waitUntil(`the guard's first pass (log ${log})`, 120_000, async () => /first pass done: (.*)$/m.exec(since())?.[1]);
  if (first !== [name].flat().map((n) => `${n} ok`).join(', ')) throw new Error(`the guard's first pass: ${first}\n${since()}`);
  await waitUntil('the guard to say whether it watches rule changes', 10_000, async () => (/watching rule changes|rule changes are not watched/.test(since()) ? true : undefined));
  return { ...g, text, since, startedMs: performance.now() - started, watching: /watching rule changes/.test(since()) };
}

/** CPU of a guard's process tree over an idle window, as % of one core. */
async function idleCpu(pid: number, seconds: number): Promise<{ ms: number; percent: number }> {
  await sleep(1000); // past the first pass's tail (its follow-up pass on its own changes, if any)
  const [c0, t0] = [treeCpuMs(pid), performance.now()];
  await sleep(seconds * 1000);
  const [c1, t1] = [treeCpuMs(pid), performance.now()];
  return { ms: c1 - c0, percent: ((c1 - c0) / (t1 - t0)) * 100 };
}

/**
 * hermit's part of the filter table and FORWARD's order (Docker's jump on top), without the
 * bench's marked ACCEPT, and whether that ACCEPT is the first rule of its chain (before the jump
 * that leads to hermit's rules). A restore is complete when the first is as before and the second false.
 */
async function guardedRules(world: WorldInfo): Promise<{ rules: string; acceptOnTop: boolean }> {
  const r = await inHost(world, 'iptables-save', ['-t', 'filter']);
  if (r.exitCode !== 0) throw new Error(`iptables-save failed: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  const firstOf = (chain: string) => lines.find((l) => l.startsWith(`-A ${chain} `));
  const marked = lines.find((l) => l.includes(MARK));
  return {
    rules: lines.filter((l) => !l.includes(MARK) && (l.startsWith('-A FORWARD ') || /hermit|HERMIT/.test(l)))
      .map((l) => l.replace(/ \[\d+:\d+\]$/, '')).join('\n'),
    acceptOnTop: !!marked && firstOf(marked.split(' ')[1]!) === marked,
  };
}
const intact = (now: { rules: string; acceptOnTop: boolean }, baseline: string) => now.rules === baseline && !now.acceptOnTop;

interface DriftCase { what: string; drift: string[]; undo?: string[] }

/**
 * A `hermit guard <profile>` at its defaults (no --interval): its idle CPU over IDLE_S seconds
 * after its first pass, then each drift case `runs` times: the time from the drift command to
 * hermit's rules being back (polled every ~20 ms), and to the guard's log saying the guarantee
 * is restored and proven. Then a guard at --interval 2 for the idle CPU it costs.
 */
export async function guardAtDefaults(world: WorldInfo, profile: string, name: string, runs: number): Promise<Row[]> {
  const rows: Row[] = [];
  const version = (await inHost(world, 'iptables', ['--version'])).stdout.trim();
  const nft = /nf_tables/.test(version);
  const host = `${nft ? 'iptables-nft' : 'iptables-legacy'} host (${version})`;
  const r = await hermit(world, ['run', profile]);
  if (r.exitCode !== 0) throw new Error(`hermit run failed:\n${r.stderr}`);

  const guard = await startGuard(world, name, [profile], 'guard-defaults');
  try {
    const startCpu = treeCpuMs(guard.pid);
    const idle = await idleCpu(guard.pid, IDLE_S);
    rows.push({ what: `hermit guard <profile> at its defaults (interval 30 s), idle ${IDLE_S} s after its first pass: CPU time`, hermitMs: idle.ms,
      note: `${idle.percent.toFixed(2)} % of one core (target < 0.5 %); the guard, nft monitor, docker events and the processes its passes ran; `
        + `start-up to first pass done: ${Math.round(guard.startedMs)} ms wall, ${Math.round(startCpu)} ms CPU; ${guard.watching ? 'watching rule changes' : 'NOT watching rule changes'}` });

    // An ACCEPT for the agent's bridge at the top of a chain, marked so the polls can leave it out.
    const accept = (chain: string) => [chain, '-i', `hm-${name}`, '-m', 'comment', '--comment', MARK, '-j', 'ACCEPT'];
    const inserted = (chain: string, what: string): DriftCase => ({ what, drift: ['-I', chain, '1', ...accept(chain).slice(1)], undo: ['-D', ...accept(chain)] });
    const cases: DriftCase[] = [
      { what: 'iptables -F DOCKER-USER', drift: ['-F', 'DOCKER-USER'] },
      { what: 'iptables -F INPUT', drift: ['-F', 'INPUT'] },
      inserted('FORWARD', "an ACCEPT inserted at the top of FORWARD (before Docker's jump)"),
      inserted('DOCKER-USER', "an ACCEPT inserted at the top of DOCKER-USER (before hermit's jump)"),
    ];
    const baseline = (await guardedRules(world)).rules;
    const pollMs: number[] = [];
    /** No guard output for 1.5 s and hermit's rules as they were: the last case is over. */
    const quiet = async () => {
      let [seen, at] = [guard.text().length, performance.now()];
      await waitUntil(`the guard to settle (log:\n${guard.since().slice(-2000)})`, 90_000, async () => {
        const now = guard.text().length;
        if (now !== seen) [seen, at] = [now, performance.now()];
        return performance.now() - at > 1500 && (await guardedRules(world)).rules === baseline ? true : undefined;
      });
    };
    for (const c of cases) {
      const back: number[] = [];
      const proven: number[] = [];
      const passStart: number[] = [];
      let [missed, early] = [0, 0];
      // Not back in time once (a drift the guard does not see): no point in waiting again.
      for (let i = 0; i < (nft ? runs : 1) && !missed; i++) {
        await quiet();
        const logFrom = guard.text().length;
        const t0 = performance.now();
        const wall0 = Date.now();
        const d = await inHost(world, 'iptables', c.drift);
        if (d.exitCode !== 0) throw new Error(`iptables ${c.drift.join(' ')} failed: ${d.stderr}`);
        let restoredAt: number | undefined;
        for (let polls = 0; performance.now() - t0 < DRIFT_DEADLINE_MS; polls++) {
          const p0 = performance.now();
          const same = intact(await guardedRules(world), baseline);
          pollMs.push(performance.now() - p0);
          if (same) { restoredAt = performance.now() - t0; early += polls === 0 ? 1 : 0; break; }
          await sleep(Math.max(0, POLL_MS - (performance.now() - p0)));
        }
        if (restoredAt !== undefined) back.push(restoredAt);
        else missed++;
        // The guard's own word: "<name>: guarantee restored and proven, N ms after the pass began".
        const said = new RegExp(`^(\\S+) ${name}: guarantee restored and proven, (\\d+) ms after the pass began$`, 'm');
        const line = await waitUntil('the guard to say the guarantee is restored', restoredAt === undefined ? 1000 : 90_000, async () =>
          said.exec(guard.text().slice(logFrom)) ?? undefined).catch(() => undefined);
        if (line) {
          proven.push(Date.parse(line[1]!) - wall0);
          passStart.push(Date.parse(line[1]!) - Number(line[2]) - wall0);
        }
        if (c.undo) {
          const u = await inHost(world, 'iptables', c.undo);
          if (u.exitCode !== 0) throw new Error(`iptables ${c.undo.join(' ')} failed: ${u.stderr}`);
        }
      }
      rows.push({ what: `drift closed by hermit guard at its defaults: ${c.what}`, hermitMs: back.length ? median(back) : undefined,
        note: `${host}; target ≤ 2 s; rules back ${back.length ? range(back) : '—'}${missed ? `, ${missed} not back within ${DRIFT_DEADLINE_MS / 1000} s` : ''}${early ? `, ${early} back at the first poll` : ''}`
          + ` (from the drift command's start); the guard's pass began ${passStart.length ? range(passStart) : '—'} after it;`
          + ` restored and proven (its log) ${proven.length ? range(proven) : '—'}`,
        detail: { back, proven, passStart } });
    }
    await quiet();
    rows.push({ what: 'drift rows above: firewall polls', hermitMs: median(pollMs), note: `one iptables-save through nsenter per poll, every ${POLL_MS} ms at most: a restore is seen up to one poll late` });
  } finally {
    await guard.stop();
  }

  const fast = await startGuard(world, name, [profile, '--interval', '2'], 'guard-interval-2');
  try {
    const idle = await idleCpu(fast.pid, IDLE_S_SHORT_INTERVAL);
    rows.push({ what: `hermit guard <profile> --interval 2, idle ${IDLE_S_SHORT_INTERVAL} s after its first pass: CPU time`, hermitMs: idle.ms,
      note: `${idle.percent.toFixed(2)} % of one core; the same processes as at the defaults` });
  } finally {
    await fast.stop();
  }
  return rows;
}

// ---- issue 21: drift at scale ------------------------------------------------------------------

/**
 * Several agents under one `hermit guard` at its defaults, DOCKER-USER flushed (every agent's jump
 * gone at once), `runs` times: the time until hermit's rules are all back (polled), and until the
 * guard's log says the last agent's guarantee is restored and proven. No other profile's rules
 * may be in DOCKER-USER (the flush takes them, and nothing puts them back).
 */
export async function flushAtScale(world: WorldInfo, agents: { name: string; file: string }[], runs: number): Promise<Row[]> {
  for (const a of agents) {
    const r = await hermit(world, ['run', a.file]);
    if (r.exitCode !== 0) throw new Error(`hermit run ${a.file} failed:\n${r.stderr}`);
  }
  const guard = await startGuard(world, agents.map((a) => a.name), agents.map((a) => a.file), `guard-scale-${agents.length}`);
  const back: number[] = [];
  const lastProven: number[] = [];
  try {
    const baseline = (await guardedRules(world)).rules;
    for (let i = 0; i < runs; i++) {
      await waitUntil('the rules to be intact before the flush', 90_000, async () => (intact(await guardedRules(world), baseline) ? true : undefined));
      await sleep(2000); // past the tail of the last pass
      const logFrom = guard.text().length;
      const [t0, wall0] = [performance.now(), Date.now()];
      const d = await inHost(world, 'iptables', ['-F', 'DOCKER-USER']);
      if (d.exitCode !== 0) throw new Error(`iptables -F DOCKER-USER failed: ${d.stderr}`);
      const at = await waitUntil('hermit\'s rules back', DRIFT_DEADLINE_MS, async () => (intact(await guardedRules(world), baseline) ? performance.now() - t0 : undefined)).catch(() => undefined);
      if (at !== undefined) back.push(at);
      const proven = await waitUntil('every agent restored and proven', 90_000, async () => {
        const text = guard.text().slice(logFrom);
        const times = agents.map((a) => new RegExp(`^(\\S+) ${a.name}: guarantee restored and proven`, 'm').exec(text)?.[1]);
        return times.every(Boolean) ? Math.max(...times.map((t) => Date.parse(t!))) - wall0 : undefined;
      }).catch(() => undefined);
      if (proven !== undefined) lastProven.push(proven);
    }
  } finally {
    await guard.stop();
  }
  return [{ what: `drift closed for ${agents.length} agents by one hermit guard at its defaults: iptables -F DOCKER-USER`, hermitMs: back.length ? median(back) : undefined,
    note: `target ≤ 2 s with 40 agents; rules back ${back.length ? range(back) : '—'}${back.length < runs ? `, ${runs - back.length} not back within ${DRIFT_DEADLINE_MS / 1000} s` : ''};`
      + ` last agent restored and proven (its log) ${lastProven.length ? range(lastProven) : '—'}`,
    detail: { back, lastProven } }];
}
