// Failing closed: the one way run, probe and the guard stop a container whose isolation is not
// proven. The restart policy goes to "no" first, so the daemon does not bring it back. hermit's
// containers that share its network namespace (a sidecar whose description has `netns`, created
// with `--network container:<it>`: the docker: engine) stop with it, the same way: without it they
// are cut off, and `hermit run` recreates them beside the agent it starts again.
import { type Runner, hostRunner } from './exec.js';
import { LABEL_ROLE } from '../plan/labels.js';

export interface FailClosed {
  /** What docker said when the container could not be stopped; undefined when it was. */
  failed?: string;
  /** The containers in its network namespace that were stopped with it (by name). */
  with: string[];
  /** What docker said when one of those could not be stopped. */
  withFailed?: string;
}

async function stopAll(ids: string[], runner: Runner): Promise<string | undefined> {
  await runner.run({ file: 'docker', args: ['update', '--restart', 'no', ...ids] }).catch(() => undefined);
  const r = await runner.run({ file: 'docker', args: ['stop', '--time', '5', ...ids] }).catch((e: unknown) => ({ exitCode: 1, stderr: (e as Error).message }));
  return r.exitCode === 0 ? undefined : r.stderr.trim() || `docker stop exited ${r.exitCode}`;
}

/**
 * The running containers hermit made (they carry a role) whose network mode is `container:` the
 * given one, by its id or its name (Docker keeps what the create command said). Read after the
 * container stopped: its stop comes first, and a read that fails leaves them running, said.
 */
export async function netnsSharers(id: string, runner: Runner): Promise<{ id: string; name: string }[]> {
  const ps = await runner.run({ file: 'docker', args: ['ps', '--quiet', '--no-trunc', '--filter', `label=${LABEL_ROLE}`] });
  const ids = ps.stdout.split('\n').map((l) => l.trim()).filter(Boolean).filter((x) => x !== id);
  if (ps.exitCode !== 0 || ids.length === 0) return [];
  const r = await runner.run({ file: 'docker', args: ['inspect', '--format', '{{.Id}} {{.Name}} {{.HostConfig.NetworkMode}}', id, ...ids] });
  const rows = r.stdout.split('\n').map((l) => l.trim().split(' ')).filter((w) => w.length === 3) as [string, string, string][];
  const own = rows.find(([x]) => x === id || x.startsWith(id));
  if (!own) return [];
  const modes = new Set([`container:${own[0]}`, `container:${own[1].replace(/^\//, '')}`]);
  return rows.filter((row) => row !== own && modes.has(row[2])).map(([x, name]) => ({ id: x, name: name.replace(/^\//, '') }));
}

/** Stops the container, then what shares its network namespace (see netnsSharers). */
export async function stopFailClosed(id: string, runner: Runner = hostRunner): Promise<FailClosed> {
  const failed = await stopAll([id], runner);
  const sharers = await netnsSharers(id, runner).catch(() => []);
  if (sharers.length === 0) return { ...(failed ? { failed } : {}), with: [] };
  const withFailed = await stopAll(sharers.map((s) => s.id), runner);
  return { ...(failed ? { failed } : {}), with: sharers.map((s) => s.name), ...(withFailed ? { withFailed } : {}) };
}

/** How a caller says what was stopped: "container X" or "container X and Y (in its network namespace)". */
export const stoppedWhat = (name: string, r: FailClosed): string =>
  `container ${name}${r.with.length > 0 ? ` and ${r.with.join(', ')} (which shares its network namespace)` : ''}`;
