// The docker: engine's nested probe container, run: hermit loads its pause image into the engine
// when the engine lacks it, starts a container of it (plan/nested-probe.ts has the commands), has
// its process found and checked on the host (probe/nested-container.ts), and removes it after.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { HermitError } from '../errors.js';
import { PROBE_PREFIX, nestedProbeCommands } from '../plan/nested-probe.js';
import { hostPidOf } from '../probe/nested-container.js';
import { PAUSE_IMAGE, type PauseArch, pauseArch } from '../probe/pause-image.js';
import { type Command, type Output, type Runner, describe, hostRunner } from './exec.js';

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
