// The probe worker, started while Docker starts the container: Docker makes the container's network
// namespace a file in its netns folder (SandboxKey's) ~100-150 ms before the start returns, so
// nsenter and Node start in it meanwhile, off the launch's path. Nothing is probed early: the worker
// gets its request only after the start, and only once hermit has seen that it is in the namespace
// of the container's process (the same namespace, by the kernel's inode, never by a name Docker or
// anyone else could reuse). Anything else (no folder, no new file, another container's file, a
// worker still entering) and the probe starts its worker the usual way, after the start.
import { type FSWatcher, readdirSync, watch } from 'node:fs';
import { readlink, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { readResetCounters } from '../apply/firewall.js';
import { type WorkerOptions, type WorkerProcess, startWorker } from './run.js';
import type { ProbePlan } from './types.js';
import { mark } from '../timing.js';

/** statfs(2)'s f_type of a mounted namespace file: the file is a namespace, not its placeholder. */
const NSFS_MAGIC = 0x6e736673;
/** How long a new file may take to become its namespace (Docker mounts it right after creating it). */
const MOUNT_WAIT_MS = 2000;
const POLL_MS = 2;

export interface EarlyWorker {
  /** The worker, with the counters' first reading (taken as it started; none without attribution),
   * if it is in `pid`'s network namespace; once. Undefined otherwise (and it is stopped). */
  claim(pid: number): Promise<{ worker: WorkerProcess; before: ReturnType<typeof readResetCounters> | undefined } | undefined>;
  /** Stops watching, and the worker unless claimed. Idempotent. */
  dispose(): void;
}

/** How long a worker may still be on its way into the namespace (nsenter before its setns) when
 * claimed: a loaded machine; starting another costs as much. */
const ENTER_WAIT_MS = 1000;

/** Whether process `worker` is in the network namespace of `pid`; waits while it is still in
 * hermit's own (not yet entered). False when it is in any other, or either is gone. */
async function entered(worker: number, pid: number): Promise<boolean> {
  const ns = (p: number | 'self') => readlink(`/proc/${p}/ns/net`).catch(() => undefined);
  const [own, theirs] = await Promise.all([ns('self'), ns(pid)]);
  const deadline = Date.now() + ENTER_WAIT_MS;
  for (;;) {
    const mine = await ns(worker);
    if (!mine || !theirs) return false;
    if (mine !== own || Date.now() > deadline) return mine === theirs;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const none: EarlyWorker = { claim: async () => undefined, dispose: () => undefined };

/**
 * Watches `netnsDir` (the engine's folder of network namespaces, as the last run saw it) for the
 * next new namespace and starts the worker in it. Call just before the start request; none when
 * the folder cannot be watched.
 */
export function startEarlyWorker(netnsDir: string | undefined, plan: ProbePlan, opts: WorkerOptions = {}): EarlyWorker {
  if (!netnsDir) return none;
  let watcher: FSWatcher | undefined;
  let known: Set<string>;
  try {
    known = new Set(readdirSync(netnsDir));
    watcher = watch(netnsDir, { persistent: false });
  } catch {
    return none;
  }
  let worker: WorkerProcess | undefined;
  let before: ReturnType<typeof readResetCounters> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const stopWatching = () => { watcher?.close(); watcher = undefined; if (timer) clearTimeout(timer); };
  const dispose = () => {
    if (done) return;
    done = true;
    stopWatching();
    worker?.kill();
    worker?.catch(() => undefined);
  };
  const start = (file: string) => {
    if (done || worker) return;
    stopWatching();
    try {
      worker = startWorker(file, plan.request.timeoutMs, opts);
    } catch {
      return;
    }
    worker.catch(() => undefined);
    // The counters' first reading, while Node starts: the probe's request waits for it anyway.
    before = plan.attribution ? readResetCounters(plan.attribution) : undefined;
  };
  const whenMounted = (file: string, deadline: number) => {
    statfs(file).then((s) => s.type === NSFS_MAGIC, () => false).then((mounted) => {
      if (mounted) start(file);
      else if (!done && Date.now() < deadline) timer = setTimeout(() => whenMounted(file, deadline), POLL_MS);
    }, () => undefined);
  };
  watcher.on('change', (_type, name) => {
    const file = String(name);
    if (timer || worker || known.has(file)) return;
    known.add(file);
    whenMounted(join(netnsDir, file), Date.now() + MOUNT_WAIT_MS);
  });
  watcher.on('error', stopWatching);

  return {
    async claim(pid) {
      stopWatching();
      const w = worker;
      if (done || !w?.pid) { dispose(); return undefined; }
      if (!await entered(w.pid, pid)) {
        mark('early worker not in the container\'s namespace');
        dispose();
        return undefined;
      }
      done = true;
      mark('early worker claimed');
      return { worker: w, before };
    },
    dispose,
  };
}
