// What hermit costs on top of `docker run -d`, how the cost grows with the profile, and the rows
// of issue 10 (fast every time: repeated launches and probes, blocked connects from inside, drift
// closed by the guard, its idle CPU). Every figure is measured side by side in one run of this
// file. Prints a table; writes bench/results.json. Asserts nothing about time.
// BENCH_RUNS=n: samples per row (default 5). BENCH_ONLY=section,...: only those sections (names below).
// BENCH_AGENTS=n: agents in the scale section (default 10; the issue's case is 40).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { inject, it } from 'vitest';
import { engineRun } from '../src/apply/apply.js';
import { hostRunner } from '../src/apply/exec.js';
import { dockerRun } from '../src/plan/container.js';
import type { ProbeReport } from '../src/probe/types.js';
import { loadProfile } from '../src/profile/load.js';
import { type RunResult, type WorldInfo, docker, hermit, inHost, pidOf, sleeperHead, writeProfile as writeProfileIn } from '../test/e2e/world.js';
import { connectsInARow, flushAtScale, guardAtDefaults, replaceAndProbe } from './fast-every-time.js';
import { type Row, SPACED_MS, median, sample, sleep, timed, timingMarks } from './measure.js';

const world = inject('world') as WorldInfo;
const REPO = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SECTIONS = ['launch', 'noop', 'first', 'change', 'apply', 'probe', 'replace', 'inside', 'guard', 'scale', 'startup'] as const;
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
const unknown = ONLY.filter((x) => !(SECTIONS as readonly string[]).includes(x));
if (unknown.length) throw new Error(`BENCH_ONLY: unknown section(s) ${unknown.join(', ')}; sections: ${SECTIONS.join(', ')}`);
const runs = (section: typeof SECTIONS[number]) => ONLY.length === 0 || ONLY.includes(section);

function profileText(name: string, subnet: string, exceptions: string[] = [], probeExtra = ''): string {
  return `${sleeperHead(world, name, subnet)}egress:
  allow:
    - { to: ${world.addr.nas}, ports: [${world.ports.nasAllowed}], comment: NAS }
${exceptions.join('\n')}
probe:
  dnsName: internet.test
  mustReach: [{ host: internet.test, port: ${world.ports.internet} }]
${probeExtra}`;
}

const writeProfile = (name: string, text: string) => writeProfileIn(world, name, text, join(world.root, 'bench'));

/** N CIDR exceptions: one rule each, and (being ranges) not probed one by one. */
const exceptions = (n: number, port = 443) =>
  Array.from({ length: n }, (_, i) => `    - { to: 10.${(i >> 8) & 255}.${i & 255}.0/24, ports: [${port}] }`);

/** Removes everything hermit made for a profile (untimed set-up for a first run). */
async function wipe(name: string): Promise<void> {
  const r = await hermit(world, ['down', name]);
  if (r.exitCode !== 0) throw new Error(`hermit down ${name} failed:\n${r.stderr}`);
}

/** Processes a command started (successful execve calls, itself included), counted by strace. */
async function processCount(args: string[]): Promise<number> {
  const out = join(world.root, 'bench', 'strace.txt');
  const r = await inHost(world, 'strace', ['-f', '-qq', '-e', 'trace=execve', '-o', out, process.execPath, join(REPO, 'bin', 'hermit'), ...args], { cwd: REPO });
  if (r.exitCode !== 0) throw new Error(`strace hermit ${args.join(' ')} failed:\n${r.stderr}`);
  return readFileSync(out, 'utf8').split('\n').filter((l) => /execve\(.*\) = 0$/.test(l)).length;
}

/** hermit's own Engine API launch (the plan's create request, then create + start), timed alone. */
async function engineCreateStart(profileFile: string): Promise<number> {
  const create = dockerRun(loadProfile(profileFile).profile, { dockerArgs: [], command: [] }, process.env).create;
  if (!create) throw new Error('the bench profile has no Engine API create request');
  const t0 = performance.now();
  await engineRun(world.dockerHost.replace(/^unix:\/\//, ''), create, 'docker run', hostRunner);
  return performance.now() - t0;
}

/** A copy of a built hermit (this checkout's, or another's) in the world's bench folder, so that
 * its runs write their code cache there and not into the original; its bin/hermit. */
function copyOfBuild(from: string, name: string, { codeCache }: { codeCache: boolean }): string {
  const dir = join(world.root, 'bench', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of ['bin', 'dist', 'package.json', 'schema', 'profiles']) cpSync(join(from, f), join(dir, f), { recursive: true });
  if (!codeCache) rmSync(join(dir, 'dist', 'cli.cjs.cache'));
  return join(dir, 'bin', 'hermit');
}

/** This build without its V8 code cache (dist/cli.cjs.cache): what a start costs when the cache is
 * missing or V8 refuses it (another Node). */
const hermitWithoutCodeCache = () => copyOfBuild(REPO, 'no-code-cache', { codeCache: false });

/** BENCH_COMPARE=<another built checkout> (main's, say): its hermit takes the place of the
 * no-cache column of the launch section, interleaved the same way, for a before/after figure. */
const COMPARE = process.env.BENCH_COMPARE;

it.skipIf(!!world.skip)('benchmarks', async () => {
  const rows: Row[] = [];
  const hasStrace = (() => { try { execFileSync('strace', ['-V']); return true; } catch { return false; } })();
  // The machine is shared: the load during the run goes into the machine line.
  const loads: number[] = [loadavg()[0]!];
  const loadTimer = setInterval(() => loads.push(loadavg()[0]!), 10_000);

  const base = writeProfile('bench', profileText('bench', '172.30.20.0/24'));
  const baseText = readFileSync(base, 'utf8');
  await wipe('bench');
  await timed(() => hermit(world, ['run', base]));
  await docker(world, ['rm', '--force', 'hermit-bench']);
  const dry = JSON.parse((await hermit(world, ['run', base, '--dry-run', '--json'])).stdout) as { commands: { file: string; args: string[] }[] };
  const runArgv = dry.commands.find((c) => c.file === 'docker' && c.args[0] === 'run')!.args;
  const rmBench = () => docker(world, ['rm', '--force', 'hermit-bench']);
  const running = async () => { await timed(() => hermit(world, ['run', base])); };
  const noCache = hermitWithoutCodeCache();
  const hermitNoCache = (args: string[], opts: { env?: Record<string, string> } = {}) => inHost(world, process.execPath, [noCache, ...args], { cwd: REPO, ...opts });
  const compared = COMPARE ? copyOfBuild(COMPARE, 'compared-build', { codeCache: true }) : undefined;
  // With BENCH_COMPARE both builds' launches run under a shell that then prints `times` (a few ms
  // more, to both): the CPU time of hermit and the processes it waited for (getrusage, in ms, where
  // /usr/bin/time and /proc count in 10 ms ticks), which the shared machine's load moves far less
  // than wall time.
  const cpuFile = join(world.root, 'bench', 'cpu.txt');
  const timedCpu = (bin: string, env: Record<string, string> = {}) => (args: string[], opts: { env?: Record<string, string> } = {}) =>
    inHost(world, 'bash', ['-c', '"$@"; rc=$?; times > "$CPU_FILE"; exit $rc', 'bash', process.execPath, bin, ...args], { cwd: REPO, ...opts, env: { CPU_FILE: cpuFile, ...env, ...opts.env } });
  // The compared build keeps records of its own (from a copy of the set-up run's): each build's
  // launch reads what its own last launch wrote (a build that records more is not undone by the other).
  const comparedState = join(world.root, 'state-compared');
  if (compared) cpSync(join(world.root, 'state'), comparedState, { recursive: true });
  const hermitCompared = timedCpu(compared ?? '', { HERMIT_STATE_DIR: comparedState });
  const hermitHere = timedCpu(join(REPO, 'bin', 'hermit'));
  /** The children's line of `times`: "0m0.123s 0m0.045s" (user, system). */
  const cpuOf = () => [...readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1)!.matchAll(/(\d+)m([\d.]+)s/g)]
    .reduce((ms, m) => ms + (Number(m[1]) * 60 + Number(m[2])) * 1000, 0);
  const cpu = { here: [] as number[], compared: [] as number[] };
  // Its first whole run replaces a build's code cache (bin/cli-loader.js): not measured either.
  if (compared) await timed(() => hermitCompared(['run', base]));
  // `docker run -d` of the same argv: the baseline of several rows (measured with the launches).
  let dockerRun: number | undefined;
  // The set-up's run probed this container's address: let its ICMP budget refill first.
  await sleep(SPACED_MS);

  // --- launch with network and rules in place, vs docker run -d of the same argv -------------
  if (runs('launch')) {
    // Side by side, interleaved so that the shared machine's load drifts into both columns alike;
    // everything runs through the same namespace wrapper (inHost) as hermit does.
    const cliRun: number[] = [];
    const apiRun: number[] = [];
    const launches: number[] = [];
    const launchesNoCache: number[] = [];
    const floor: number[] = [];
    const phases: Record<string, number[]> = {};
    const phasesNoCache: Record<string, number[]> = {};
    const caches = new Set<string>();
    const launch = async (run: typeof hermit, into: number[], marks: Record<string, number[]>, cpuInto?: number[]) => {
      await rmBench();
      let timing = '';
      into.push(await timed(async () => { const r = await run(world, ['run', base], { env: { HERMIT_TIMING: '1' } }); timing = r.stderr; return r; }));
      if (cpuInto) cpuInto.push(cpuOf());
      for (const [k, v] of Object.entries(timingMarks(timing))) (marks[k] ??= []).push(v);
      for (const m of timing.matchAll(/^hermit: code cache: (\w+)$/gm)) caches.add(`${into === launches ? 'with' : 'without'}: ${m[1]}`);
      await sleep(SPACED_MS);
    };
    for (let i = 0; i < RUNS; i++) {
      await rmBench();
      cliRun.push(await timed(() => inHost(world, 'docker', runArgv)));
      await rmBench();
      apiRun.push(await engineCreateStart(base));
      await rmBench();
      // The least any wrapper can cost that is a Node program and proves from inside with a second
      // Node process: node start, docker run -d, node start in the container's namespace.
      const nodeStart = await timed(() => inHost(world, process.execPath, ['-e', '0']));
      const dockerPart = await timed(() => inHost(world, 'docker', runArgv));
      const pid = await pidOf(world, 'hermit-bench');
      floor.push(nodeStart + dockerPart + await timed(() => inHost(world, 'nsenter', [`--net=/proc/${pid}/ns/net`, '--', process.execPath, '-e', '0'])));
      // Alternate which of the two goes first, so neither always follows the floor's processes.
      const first: typeof hermit = (w, a, o) => (compared ? hermitHere(a, o) : hermit(w, a, o));
      const second: typeof hermit = (w, a, o) => (compared ? hermitCompared(a, o) : hermitNoCache(a, o));
      const pair = [() => launch(first, launches, phases, compared ? cpu.here : undefined), () => launch(second, launchesNoCache, phasesNoCache, compared ? cpu.compared : undefined)];
      for (const step of i % 2 ? pair.reverse() : pair) await step();
    }
    // Said in the rows rather than thrown: a later build may load differently, and the other rows still count.
    const cacheAsIntended = caches.size === 2 && caches.has('with: used') && caches.has(`without: ${compared ? 'used' : 'missing'}`);
    dockerRun = median(cliRun);
    const launchMs = median(launches);
    rows.push({ what: 'hermit run, network+rules in place (new container, probe included)', hermitMs: launchMs, baselineMs: dockerRun, baseline: 'docker run -d' });
    rows.push({ what: 'floor for any Node wrapper that probes from inside: node -e 0, docker run -d, nsenter node -e 0', hermitMs: median(floor), baselineMs: dockerRun, baseline: 'docker run -d',
      note: 'three processes back to back, no work done' });
    rows.push({ what: 'hermit run, new container (8 s apart), against the floor', hermitMs: launchMs, baselineMs: median(floor), baseline: 'the floor (row above)',
      note: `target ≤ 1.1×; hermit's own share: ${Math.round(launchMs - median(floor))} ms`, detail: { launches, floor, dockerRunCli: cliRun } });
    const paired = median(launches.map((ms, n) => ms - launchesNoCache[n]!));
    rows.push({ what: compared ? `the same with the build of ${COMPARE} (BENCH_COMPARE), interleaved` : 'the same without the V8 code cache (dist/cli.cjs.cache removed)',
      hermitMs: median(launchesNoCache), baselineMs: median(floor), baseline: 'the floor',
      note: !cacheAsIntended ? `NOT a comparison: the code cache was not used as intended (${[...caches].join(', ') || 'no HERMIT_TIMING line'})`
        : compared ? `this build − that one, median of the ${launches.length} paired launches: ${Math.round(paired)} ms; that build's own share: ${Math.round(median(launchesNoCache) - median(floor))} ms; `
          + `CPU of hermit and its children (median): this build ${Math.round(median(cpu.here))} ms, that one ${Math.round(median(cpu.compared))} ms, paired ${Math.round(median(cpu.here.map((c, n) => c - cpu.compared[n]!)))} ms`
        : `with the cache: ${Math.round(median(launchesNoCache) - launchMs)} ms faster`,
      detail: { launches: launchesNoCache, ...(compared ? { cpu } : {}) } });
    rows.push({ what: 'docker run -d through the Engine API (create + start over the socket)', hermitMs: median(apiRun), baselineMs: dockerRun, baseline: 'docker run -d (CLI)' });
    // Where the launch's time goes: HERMIT_TIMING marks, medians, as steps between marks.
    const steps = (byMark: Record<string, number[]>, total: number) => {
      const marks = Object.entries(byMark).map(([k, v]) => [k, median(v)] as const);
      return `${marks.map(([k, at], n) => `${k} +${Math.round(at - (n > 0 ? marks[n - 1]![1] : 0))} ms`).join(', ')}; process exit +${Math.round(total - (marks.at(-1)?.[1] ?? 0))} ms`;
    };
    rows.push({ what: 'hermit run, new container: time between its HERMIT_TIMING marks', note: steps(phases, launchMs) });
    rows.push({ what: compared ? 'the same, the compared build' : 'the same without the code cache', note: steps(phasesNoCache, median(launchesNoCache)) });
  } else {
    dockerRun = await sample(RUNS, rmBench, () => inHost(world, 'docker', runArgv));
  }

  // --- issue 10: --replace and probe, 8 s apart and back to back ------------------------------
  if (runs('replace')) {
    await running();
    rows.push(...await replaceAndProbe(world, base, RUNS));
  }

  // --- already running and unchanged: the shell-alias case ------------------------------------
  if (runs('noop')) {
    await running();
    await sleep(SPACED_MS);
    const noop = await sample(RUNS, async () => undefined, () => hermit(world, ['run', base]), SPACED_MS);
    rows.push({ what: 'hermit run, everything in place and running (no change, probe included)', hermitMs: noop, baselineMs: dockerRun, baseline: 'docker run -d' });
  }

  // --- first run: network and rules created -----------------------------------------------------
  if (runs('first')) {
    const netCreate = await sample(RUNS, () => docker(world, ['network', 'rm', 'hermit-bench-plain']), () => docker(world, ['network', 'create', '--subnet', '172.30.21.0/24', 'hermit-bench-plain']));
    await docker(world, ['network', 'rm', 'hermit-bench-plain']);
    const first = await sample(RUNS, () => wipe('bench'), () => hermit(world, ['run', base]), SPACED_MS);
    rows.push({ what: 'hermit run, first run (network and rules created)', hermitMs: first, baselineMs: dockerRun + netCreate, baseline: 'docker network create + docker run -d' });
  }

  // --- profile change: rules replaced, container kept -----------------------------------------
  if (runs('change')) {
    await running();
    const changeA = writeProfile('bench', profileText('bench', '172.30.20.0/24', exceptions(2, 8443)));
    const changeB = profileText('bench', '172.30.20.0/24', exceptions(3, 8443));
    const textA = readFileSync(changeA, 'utf8');
    let flip = false;
    const change = await sample(RUNS, async () => { flip = !flip; writeFileSync(changeA, flip ? changeB : textA); }, () => hermit(world, ['run', changeA]), SPACED_MS);
    rows.push({ what: 'hermit run, profile changed (rules replaced atomically)', hermitMs: change, baselineMs: dockerRun, baseline: 'docker run -d' });
    writeFileSync(base, baseText); // the later sections use the plain profile
    await running();
  }

  // --- firewall apply as exceptions grow ---------------------------------------------------------
  if (runs('apply')) {
    for (const n of [1, 10, 100, 1000]) {
      const file = writeProfile(`bench-x${n}`, profileText(`bench-x${n}`, '172.30.22.0/24', exceptions(n)));
      await wipe(`bench-x${n}`);
      const ms = await sample(Math.min(RUNS, 3), () => wipe(`bench-x${n}`), () => hermit(world, ['run', file]), SPACED_MS);
      const save = (await inHost(world, 'iptables-save', ['-t', 'filter'])).stdout;
      const ruleCount = save.split('\n').filter((l) => l.startsWith(`-A HERMIT-bench-x${n} `)).length;
      // The apply alone: the same payload again, through one iptables-restore (after removing the rules).
      const payload = ['*filter', `:HERMIT-bench-x${n} - [0:0]`, ...save.split('\n').filter((l) => l.startsWith(`-A HERMIT-bench-x${n} `)), 'COMMIT', ''].join('\n');
      const restore = await sample(RUNS, async () => undefined, () => inHost(world, 'iptables-restore', ['--noflush', '--wait', '10'], { input: payload }));
      await wipe(`bench-x${n}`);
      const procs = hasStrace ? await processCount(['run', file]) : undefined;
      await wipe(`bench-x${n}`);
      rows.push({ what: `first run with ${n} exception${n > 1 ? 's' : ''} (${ruleCount} rules): whole run / one iptables-restore`, hermitMs: ms, baselineMs: restore, baseline: 'iptables-restore alone', note: procs === undefined ? 'strace missing' : `${procs} processes` });
    }
  }

  // --- the probe ---------------------------------------------------------------------------------
  if (runs('probe')) {
    await running();
    await sleep(SPACED_MS);
    const probeRuns: number[] = [];
    const workerMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const r = await hermit(world, ['probe', base, '--json']);
      probeRuns.push(performance.now() - t0);
      const report = JSON.parse(r.stdout) as ProbeReport;
      workerMs.push(Math.max(...report.rows.map((row) => row.ms ?? 0)));
      await sleep(SPACED_MS);
    }
    rows.push({ what: 'hermit probe, default targets, 8 s apart (whole command / slowest check)', hermitMs: median(probeRuns), baselineMs: median(workerMs), baseline: 'slowest check inside the worker' });

    const many = writeProfile('bench-many', profileText('bench-many', '172.30.23.0/24', [],
      `  mustBlock:\n${Array.from({ length: 100 }, (_, i) => `    - { host: 192.168.50.${100 + (i % 100)}, port: ${1000 + i} }`).join('\n')}\n`));
    await wipe('bench-many');
    await hermit(world, ['run', many]);
    await sleep(SPACED_MS);
    const t0 = performance.now();
    const manyReport = JSON.parse((await hermit(world, ['probe', many, '--json'])).stdout) as ProbeReport;
    const manyMs = performance.now() - t0;
    const blockedRows = manyReport.rows.filter((r) => r.expected === 'blocked');
    const fast = blockedRows.filter((r) => r.observed.startsWith('rejected') && (r.ms ?? 0) < 1000).length;
    rows.push({ what: `hermit probe, ${manyReport.rows.length} checks (${blockedRows.length} blocked targets)`, hermitMs: manyMs, note: `${fast} of ${blockedRows.length} blocked targets rejected in < 1 s` });
    await wipe('bench-many');
  }

  // --- issue 10: blocked connects in a row from inside the agent ---------------------------------
  if (runs('inside')) {
    await running();
    rows.push(...await connectsInARow(world, 'hermit-bench', Math.min(RUNS, 2)));
  }

  // --- issue 10: the guard at its defaults: idle CPU, drift closed; --interval 2 ------------------
  if (runs('guard')) rows.push(...await guardAtDefaults(world, base, 'bench', RUNS));

  // --- issue 21: drift at scale; BENCH_AGENTS=n agents (default 10), subnets 172.30.100+i.0/24 ----
  if (runs('scale')) {
    const agents = Array.from({ length: Number(process.env.BENCH_AGENTS ?? 10) }, (_, i) => {
      const name = `bench-s${i + 1}`;
      return { name, file: writeProfile(name, profileText(name, `172.30.${100 + i}.0/24`)) };
    });
    // Only the agents' rules in DOCKER-USER: the flush takes every jump, and the guard restores only the agents'.
    await wipe('bench');
    for (const a of agents) await wipe(a.name);
    rows.push(...await flushAtScale(world, agents, Math.min(RUNS, 3)));
    for (const a of agents) await wipe(a.name);
  }

  // --- start-up ----------------------------------------------------------------------------------
  if (runs('startup')) {
    const local = (args: string[]) => async (): Promise<RunResult> => {
      execFileSync(process.execPath, args, { cwd: REPO, stdio: 'ignore' });
      return { stdout: '', stderr: '', exitCode: 0, timedOut: false };
    };
    // Interleaved, like the launches: node alone, then hermit with and without the code cache.
    const startups: Record<string, string[]> = {
      bare: ['-e', '0'], version: ['bin/hermit', '--version'], versionNoCache: [noCache, '--version'],
      validate: ['bin/hermit', 'validate', base], validateNoCache: [noCache, 'validate', base],
    };
    const startMs: Record<string, number[]> = {};
    for (let i = 0; i < RUNS * 4; i++) for (const [k, args] of Object.entries(startups)) (startMs[k] ??= []).push(await timed(local(args)));
    const [bare, version, validate] = [median(startMs.bare!), median(startMs.version!), median(startMs.validate!)];
    rows.push({ what: 'hermit --version', hermitMs: version, baselineMs: bare, baseline: 'node -e 0' });
    rows.push({ what: 'hermit --version without the code cache', hermitMs: median(startMs.versionNoCache!), baselineMs: bare, baseline: 'node -e 0' });
    rows.push({ what: 'hermit validate <profile>', hermitMs: validate, baselineMs: bare, baseline: 'node -e 0' });
    rows.push({ what: 'hermit validate <profile> without the code cache', hermitMs: median(startMs.validateNoCache!), baselineMs: bare, baseline: 'node -e 0' });
  }
  await wipe('bench');
  clearInterval(loadTimer);
  loads.push(loadavg()[0]!);

  // --- print --------------------------------------------------------------------------------------
  const fmt = (ms?: number) => (ms === undefined ? '' : `${Math.round(ms)} ms`);
  const table = [
    '| measurement | hermit | baseline | ratio | baseline is | note |',
    '| --- | ---: | ---: | ---: | --- | --- |',
    ...rows.map((r) => `| ${r.what} | ${fmt(r.hermitMs)} | ${fmt(r.baselineMs)} | ${r.hermitMs && r.baselineMs ? `${(r.hermitMs / r.baselineMs).toFixed(2)}×` : ''} | ${r.baseline ?? ''} | ${r.note ?? ''} |`),
  ].join('\n');
  const dockerVersion = (await docker(world, ['version', '--format', '{{.Server.Version}}'])).stdout.trim();
  const load = `load average (1 min) during the run ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}, median ${median(loads).toFixed(2)}`;
  // Node loads these certificates at every start (~50 ms here): the floor's two Node starts pay it, hermit's probe worker does not.
  const caCerts = `NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'unset'}`;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Linux ${release()}, Node ${process.version}, dockerd ${dockerVersion}; median of ${RUNS} runs (start-up rows: ${RUNS * 4}); ${load}; ${caCerts}`
    + `${ONLY.length ? `; sections: ${ONLY.join(', ')}` : ''}`;
  console.log(`\n${machine}\n\n${table}\n`);
  writeFileSync(join(REPO, 'bench', 'results.json'), `${JSON.stringify({ date: new Date().toISOString(), machine, sections: ONLY.length ? ONLY : SECTIONS, rows }, null, 2)}\n`);
});
