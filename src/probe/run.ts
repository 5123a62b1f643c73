// Runs the probe worker inside a container's network namespace and returns its raw answer.
// nsenter only switches the network namespace: the worker and Node come from the host, so the
// probe needs nothing from the image and cannot be faked by it.
import { PROBE_WORKER } from '../paths.js';
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { readResetCounters } from '../apply/firewall.js';
import { HermitError } from '../errors.js';
import { counted } from '../plan/attribution.js';
import { needsAttribution } from './attribution.js';
import type { EarlyWorker } from './early-worker.js';
import type { DnsOutcome, ProbePlan, ProbeRequest, ProbeResponse, TcpOutcome } from './types.js';

/** Node start-up plus nsenter plus slack, on top of the request's own timeout. */
const MARGIN_MS = 5000;
const ROOT_HINT = "run as root (sudo hermit ...): entering the container's network namespace needs CAP_SYS_ADMIN";

/**
 * Probes a container as `plan` says, with hermit's reset rules counted around it: the first reading
 * runs while Node starts in the namespace, and the worker gets its request (and starts connecting)
 * only once it is done. The second is read only when a blocked connect was refused. A worker
 * started early (early-worker.ts) is used when it is in the container's namespace.
 */
export async function probeContainer(pid: number, plan: ProbePlan, opts: WorkerOptions & { early?: EarlyWorker } = {}): Promise<ProbeResponse> {
  const att = plan.attribution;
  const claimed = await opts.early?.claim(pid);
  const before = claimed ? claimed.before : att ? readResetCounters(att) : undefined;
  const ready = before ? { ready: before } : {};
  const response = claimed
    ? await answerOf(claimed.worker, plan.request, `the network namespace of pid ${pid}`, ready)
    : await runProbeWorker(pid, plan.request, { ...opts, ...ready });
  if (!att || !before || !needsAttribution(plan, response)) return response;
  return { ...response, resets: counted(await before, await readResetCounters(att)) };
}

export interface WorkerOptions {
  workerPath?: string;
  nodePath?: string;
  /** The request is written (and the worker starts) once this settles. */
  ready?: Promise<unknown>;
}

/** A worker process: Node with the probe worker, in the network namespace of `netns` (a file nsenter can enter). */
export type WorkerProcess = ReturnType<typeof startWorker>;

/** Starts the worker in `netns`; it waits for its request on stdin. */
export function startWorker(netns: string, timeoutMs: number, opts: WorkerOptions = {}) {
  const workerPath = opts.workerPath ?? PROBE_WORKER;
  if (!existsSync(workerPath)) {
    throw new HermitError('probe', `probe worker not found at ${workerPath}`, 'build hermit first (npm run build): the probe runs dist/probe/worker.js');
  }
  const worker = execa('nsenter', [`--net=${netns}`, '--', opts.nodePath ?? process.execPath, workerPath], {
    stdin: 'pipe',
    timeout: timeoutMs + MARGIN_MS,
    forceKillAfterDelay: 1000,
    reject: false,
    // A clean environment: NODE_OPTIONS hooks from the caller have no business in the namespace.
    extendEnv: false,
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  // A worker that died early (nsenter refused) closes its stdin: its exit says why, not EPIPE.
  worker.stdin.on('error', () => undefined);
  return worker;
}

export async function runProbeWorker(pid: number, request: ProbeRequest, opts: WorkerOptions = {}): Promise<ProbeResponse> {
  if (!Number.isInteger(pid) || pid <= 0) throw new HermitError('probe', `cannot probe: invalid container pid ${pid}`);
  return answerOf(startWorker(`/proc/${pid}/ns/net`, request.timeoutMs, opts), request, `the network namespace of pid ${pid}`, opts);
}

/** Gives a started worker its request (once `ready` settles) and reads its answer. */
async function answerOf(worker: WorkerProcess, request: ProbeRequest, where: string, opts: Pick<WorkerOptions, 'ready'> = {}): Promise<ProbeResponse> {
  await opts.ready?.catch(() => undefined);
  worker.stdin.end(JSON.stringify(request));
  const result = await worker;

  if (result.failed) {
    const stderr = (result.stderr ?? '').trim();
    if (result.code === 'ENOENT') {
      throw new HermitError('probe', 'cannot probe: nsenter not found', 'install util-linux, which provides nsenter');
    }
    if (result.timedOut) {
      throw new HermitError('probe', `probe worker gave no answer within ${request.timeoutMs + MARGIN_MS} ms`, stderr || undefined);
    }
    if (/nsenter: .*(Operation not permitted|Permission denied)/.test(stderr)) {
      throw new HermitError('probe', `cannot enter ${where}: ${stderr}`, ROOT_HINT);
    }
    if (/nsenter: .*No such file or directory/.test(stderr)) {
      throw new HermitError('probe', `cannot enter ${where}: the process is gone`, 'the container exited before it could be probed; see `docker logs <container>`');
    }
    throw new HermitError('probe', `probe worker failed (exit ${result.exitCode ?? result.signal ?? '?'}): ${stderr || result.shortMessage}`);
  }

  try {
    return parseProbeResponse(result.stdout, request);
  } catch (err) {
    throw new HermitError('probe', `probe worker answered with malformed output: ${(err as Error).message}`);
  }
}

const TCP_OUTCOMES: readonly string[] = ['connected', 'refused', 'unreachable', 'timeout', 'error', 'denied'] satisfies TcpOutcome[];
const DNS_OUTCOMES: readonly string[] = ['answered', 'nxdomain', 'nodata', 'refused', 'timeout', 'error'] satisfies DnsOutcome[];

/** Checks the worker's JSON shape and that it answers only what was asked. Throws Error. */
export function parseProbeResponse(text: string, request: ProbeRequest): ProbeResponse {
  const v = JSON.parse(text) as unknown;
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (!isObj(v) || !Array.isArray(v.tcp) || !Array.isArray(v.dns) || !isObj(v.ipv6)) throw new Error('expected {tcp, dns, ipv6}');
  const check = (rows: unknown[], kind: string, outcomes: readonly string[], ids: Set<string>): void => {
    rows.forEach((r, i) => {
      const where = `${kind}[${i}]`;
      if (!isObj(r) || typeof r.id !== 'string') throw new Error(`${where}: expected an object with an id`);
      if (!ids.has(r.id)) throw new Error(`${where}: unrequested id ${JSON.stringify(r.id)}`);
      if (typeof r.outcome !== 'string' || !outcomes.includes(r.outcome)) throw new Error(`${where}: bad outcome`);
      if (typeof r.ms !== 'number' || !Number.isFinite(r.ms)) throw new Error(`${where}: bad ms`);
      if (r.code !== undefined && typeof r.code !== 'string') throw new Error(`${where}: bad code`);
      if (kind === 'tcp' && r.address !== undefined && typeof r.address !== 'string') throw new Error(`${where}: bad address`);
      if (kind === 'dns' && !isStrings(r.addresses)) throw new Error(`${where}: bad addresses`);
    });
  };
  check(v.tcp, 'tcp', TCP_OUTCOMES, new Set(request.tcp.map((p) => p.id)));
  check(v.dns, 'dns', DNS_OUTCOMES, new Set(request.dns.map((p) => p.id)));
  if (typeof v.ipv6.disabled !== 'boolean' || !isStrings(v.ipv6.addresses)) throw new Error('ipv6: expected {disabled, addresses}');
  return v as unknown as ProbeResponse;
}
