// The docker: engine's nested path, probed from a nested container's own network namespace (on
// the engine's default bridge, NATed by the engine's namespace): hermit loads its pause image into
// the engine (no pull) and starts a container of it (apply/nested-probe.ts runs the commands of
// plan/nested-probe.ts); here, that container's process is found on the host, so the probe worker
// can enter its namespace. The engine answers to the agent, so what it says is checked: the
// process must be a descendant of the engine container's init, be the pid the engine reports (seen
// from dockerd's pid namespace), run hermit's binary (its name and size) and hold a network
// namespace of its own.
import { readFile, readlink, stat } from 'node:fs/promises';
import { PAUSE_PATH, type PauseArch, pauseElf } from './pause-image.js';
import { descendants } from './nested.js';

export interface ProcInfo {
  pid: number;
  /** NSpid from /proc/<pid>/status: the pid in each nested pid namespace, the host's first. */
  nspid: number[];
  comm: string;
}

/**
 * The host process that is the engine's container `reported` (its pid as dockerd, whose NSpid has
 * `depth` entries, sees it), among the engine container's descendants, running hermit's binary by
 * name. Pure. Undefined when none, or more than one, fits.
 */
export function matchNestedProcess(procs: readonly ProcInfo[], depth: number, reported: number): number | undefined {
  const fits = procs.filter((p) => p.nspid.length > depth && p.nspid[depth - 1] === reported && p.comm === PAUSE_PATH);
  return fits.length === 1 ? fits[0]!.pid : undefined;
}

const nspidOf = (status: string): number[] => (/^NSpid:\s*(.*)$/m.exec(status)?.[1] ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
const netns = (pid: number) => readlink(`/proc/${pid}/ns/net`).catch(() => undefined);

async function procInfo(pid: number): Promise<ProcInfo | undefined> {
  const [status, comm] = await Promise.all([readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''), readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')]);
  return status ? { pid, nspid: nspidOf(status), comm: comm.trim() } : undefined;
}

/** The host pid of the nested container the engine reports as `reported`, checked (see the top). */
export async function hostPidOf(enginePid: number, dockerdPid: number, reported: number, arch?: PauseArch): Promise<number | undefined> {
  const depth = (await procInfo(dockerdPid))?.nspid.length ?? 0;
  if (depth === 0) return undefined;
  const procs = (await Promise.all((await descendants(enginePid)).map(procInfo))).filter((p): p is ProcInfo => !!p);
  const pid = matchNestedProcess(procs, depth, reported);
  if (!pid) return undefined;
  const [own, engineNs, dockerdNs, size] = await Promise.all([netns(pid), netns(enginePid), netns(dockerdPid), stat(`/proc/${pid}/exe`).then((s) => s.size, () => -1)]);
  if (!own || own === engineNs || own === dockerdNs) return undefined;
  const sizes = arch ? [pauseElf(arch).length] : (['x86_64', 'aarch64'] as const).map((a) => pauseElf(a).length);
  return sizes.includes(size) ? pid : undefined;
}
