// The docker: engine's nested probe container, as commands: hermit's pause image loaded into the
// agent's engine (no pull), a container of it started on the engine's default bridge, its pid read,
// and the container removed. Pure: apply/nested-probe.ts runs them, probe/nested-container.ts
// checks on the host what the engine reports.
import type { Command } from '../apply/exec.js';
import { PAUSE_IMAGE, PAUSE_PATH, type PauseArch, pauseRootfs } from '../probe/pause-image.js';
import { ENGINE_SOCKET } from './engine.js';
import { LABEL_ROLE } from './labels.js';

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
