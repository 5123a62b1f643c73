// Failing closed: the one way run, probe and the guard stop a container whose isolation is not
// proven. The restart policy goes to "no" first, so the daemon does not bring it back.
import { type Runner, hostRunner } from './exec.js';

/** Returns undefined when the container was stopped, else what docker said. */
export async function stopFailClosed(id: string, runner: Runner = hostRunner): Promise<string | undefined> {
  await runner.run({ file: 'docker', args: ['update', '--restart', 'no', id] }).catch(() => undefined);
  const r = await runner.run({ file: 'docker', args: ['stop', '--time', '5', id] }).catch((e: unknown) => ({ exitCode: 1, stderr: (e as Error).message }));
  return r.exitCode === 0 ? undefined : r.stderr.trim() || `docker stop exited ${r.exitCode}`;
}
