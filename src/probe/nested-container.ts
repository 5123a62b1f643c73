// The docker: engine's nested path, probed from a nested container's own network namespace (on
// the engine's default bridge, NATed by the engine's namespace): hermit loads its pause image into
// the engine (no pull), starts a container of it, finds that container's process on the host and
// enters its namespace with the probe worker, then removes the container. The engine answers to
// the agent, so what it says is checked: the process must be a descendant of the engine
// container's init, be the pid the engine reports (seen from dockerd's pid namespace), run hermit's
// binary (its name and size) and hold a network namespace of its own.
import { randomBytes } from 'node:crypto';
import { readFile, readlink, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Command, type Output, type Runner, describe, hostRunner } from '../apply/exec.js';
import { HermitError } from '../errors.js';
import { ENGINE_SOCKET } from '../plan/engine.js';
import { LABEL_ROLE } from '../plan/labels.js';
import { PAUSE_IMAGE, PAUSE_PATH, type PauseArch, pauseArch, pauseElf, pauseRootfs } from './pause-image.js';
import { descendants } from './nested.js';

/** The role label of hermit's probe containers in the engine. */
export const PROBE_ROLE = 'probe';
export const PROBE_PREFIX = 'hermit-probe-';

/** A docker command of hermit's, run in the engine container against its socket. */
const inEngine = (engine: string, args: string[], input?: Buffer): Command => ({
  file: 'docker',
  args: ['exec', ...(input ? ['-i'] : []), engine, 'docker', '-H', `unix://${ENGINE_SOCKET}`, ...args],
  ...(input ? { inputBytes: input } : {}),
});

/** The commands, as data. Pure. */
export const nestedProbeCommands = {
  /** The engine's machine (the pause binary is made for it). */
  arch: (engine: string): Command => ({ file: 'docker', args: ['exec', engine, 'uname', '-m'] }),
  /** Loads it: the rootfs tar on stdin, imported with its entrypoint. */
  load: (engine: string, arch: PauseArch): Command => ({
    ...inEngine(engine, ['import', '--change', `ENTRYPOINT ["/${PAUSE_PATH}"]`, '-', PAUSE_IMAGE], pauseRootfs(arch)),
    timeoutMs: 60_000,
  }),
  /** Starts the probe's container on the engine's default bridge, as a nested container starts;
   * never pulls (an image the engine lacks is loaded, then this runs again). */
  run: (engine: string, name: string): Command => inEngine(engine, [
    'run', '-d', '--rm', '--pull', 'never', '--network', 'bridge', '--name', name, '--label', `${LABEL_ROLE}=${PROBE_ROLE}`,
    '--cap-drop', 'ALL', '--read-only', '--log-driver', 'none', PAUSE_IMAGE,
  ]),
  /** Its pid, as dockerd sees it. */
  pid: (engine: string, name: string): Command => inEngine(engine, ['inspect', '--format', '{{.State.Pid}}', name]),
  remove: (engine: string, name: string): Command => inEngine(engine, ['rm', '--force', name]),
};

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

export interface NestedContainer {
  /** Its process on the host: the probe enters its network namespace. */
  pid: number;
  name: string;
  /** Removes it; a failure is returned as text (a warning), never thrown. */
  remove: () => Promise<string | undefined>;
}

export interface NestedContainerIo {
  runner?: Runner;
  hostPid?: typeof hostPidOf;
  name?: string;
}

const failed = (cmd: Command, out: Output, what: string) =>
  new HermitError('probe', `${what} failed: ${describe(cmd)}: ${(out.stderr || out.stdout).trim() || `exit code ${out.exitCode}`}`);

async function must(runner: Runner, cmd: Command, what: string): Promise<string> {
  const out = await runner.run(cmd);
  if (out.exitCode !== 0) throw failed(cmd, out, what);
  return out.stdout.trim();
}

/**
 * Starts hermit's probe container in the engine (loading its image if the engine lacks it)
 * and finds its process on the host. Throws a HermitError saying what failed; a container it
 * started is removed before it throws.
 */
export async function startNestedContainer(engine: string, enginePid: number, dockerdPid: number, io: NestedContainerIo = {}): Promise<NestedContainer> {
  const runner = io.runner ?? hostRunner;
  const c = nestedProbeCommands;
  const name = io.name ?? `${PROBE_PREFIX}${randomBytes(6).toString('hex')}`;
  let arch: PauseArch | undefined;
  const starting = `starting hermit's probe container in docker engine ${engine}`;
  const run = await runner.run(c.run(engine, name));
  if (run.exitCode !== 0) {
    if (!/No such image|Unable to find image/i.test(run.stderr)) throw failed(c.run(engine, name), run, starting);
    const machine = await must(runner, c.arch(engine), `reading docker engine ${engine}'s machine`);
    arch = pauseArch(machine);
    if (!arch) throw new HermitError('probe', `docker engine ${engine} runs on ${machine}: hermit's nested probe image is made for x86_64 and aarch64 only`);
    await must(runner, c.load(engine, arch), `loading hermit's probe image ${PAUSE_IMAGE} into docker engine ${engine}`);
    await must(runner, c.run(engine, name), starting);
  }
  const remove = async () => {
    const out = await runner.run(c.remove(engine, name)).catch((e: unknown) => ({ exitCode: 1, stdout: '', stderr: (e as Error).message }));
    return out.exitCode === 0 ? undefined : `could not remove hermit's probe container ${name} from docker engine ${engine}: ${out.stderr.trim()}`;
  };
  try {
    const reported = Number(await must(runner, c.pid(engine, name), `reading the pid of hermit's probe container ${name}`));
    if (!Number.isInteger(reported) || reported <= 0) throw new HermitError('probe', `docker engine ${engine} reports no running process for hermit's probe container ${name}`);
    const find = io.hostPid ?? hostPidOf;
    // docker run -d returns once the process runs; a moment more for a busy host.
    for (let attempt = 0; ; attempt++) {
      const pid = await find(enginePid, dockerdPid, reported, arch);
      if (pid) return { pid, name, remove };
      if (attempt >= 10) break;
      await sleep(200);
    }
    throw new HermitError('probe', `hermit's probe container ${name} (pid ${reported} in docker engine ${engine}) was not found among the engine's processes on the host, running hermit's binary in a network namespace of its own`);
  } catch (e) {
    await remove();
    throw e;
  }
}
