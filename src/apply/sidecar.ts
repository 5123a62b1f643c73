// Carries out a SidecarAction for any container hermit runs (the agent's, the proxy): host folders
// and files first, then create (join its networks, start), start, or reload; then wait until it
// is ready. Each command registers its undo; a replaced file is put back on rollback.
import { chown, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HermitError } from '../errors.js';
import type { CommandReadiness, LogReadiness, Sidecar, SidecarAction } from '../plan/sidecar.js';
import { type Command, type Runner, describe, runOk } from './exec.js';
import { type Action, type Step, type StepContext, capital, docker, undoBy } from './steps.js';

export interface SidecarHooks {
  /** Runs the create command another way (the agent's: the Engine API); gives the container's id. */
  launch?: (cmd: Command) => Promise<string>;
  /** The created container's removal is on the undo stack already (a container created ahead). */
  removalQueued?: boolean;
  /** For a create that may pull its image. */
  timeoutMs?: number;
  /** Work to do while Docker starts it. */
  meanwhile?: () => void;
  /** Once it is up (or kept), with its id. */
  after?: (id: string) => Promise<void>;
}

const sidecarTitle = (sc: Sidecar, c: SidecarAction) =>
  (c.kind === 'keep' && !c.reload ? `${capital(sc.noun)} unchanged (running)` : `${capital(sc.noun)}: ${c.reason}`);

export function sidecarStep(sc: Sidecar, c: SidecarAction, ctx: StepContext, hooks: SidecarHooks = {}): Step {
  const { runner, undo, changes } = ctx;
  let id = c.kind === 'run' ? '' : c.id;
  let offset = 0;
  // The command that gets Docker going: the process that waits may do other work meanwhile.
  const starting = (a: Action, how = () => runOk(runner, a.cmd)): Action => ({ ...a, exec: () => {
    const out = how();
    hooks.meanwhile?.();
    return out;
  } });
  const reload = c.kind === 'keep' && c.reload ? sc.reload : undefined;
  const actions: Action[] = [];
  if (c.kind === 'keep') {
    if (reload) actions.push(docker(reload.args, { changes: [c.reason] }));
  } else if (c.kind === 'start') {
    if (c.restart) actions.push(docker(['update', '--restart', c.restart, c.id]));
    actions.push(starting(docker(['start', c.id], {
      undo: () => undoBy(ctx, `stop ${sc.noun} ${sc.name}`, { file: 'docker', args: ['stop', c.id] }),
      changes: [c.reason],
    })));
  } else {
    if (c.remove) actions.push(docker(['rm', '--force', c.remove]));
    const startsOnCreate = sc.create.args[0] === 'run';
    const cmd: Command = { file: 'docker', args: sc.create.args, ...(sc.create.env ? { env: sc.create.env } : {}), ...(hooks.timeoutMs ? { timeoutMs: hooks.timeoutMs } : {}) };
    const create: Action = {
      cmd,
      ...(hooks.removalQueued ? {} : { undo: (out: string) => undoBy(ctx, `remove ${sc.noun} ${sc.name}`, { file: 'docker', args: ['rm', '--force', out.trim()] }) }),
      ...(startsOnCreate ? { changes: [c.reason] } : {}),
    };
    const launch = async () => {
      id = (hooks.launch ? await hooks.launch(cmd) : await runOk(runner, cmd)).trim();
      return id;
    };
    actions.push(startsOnCreate ? starting(create, launch) : { ...create, exec: launch });
    for (const join of sc.joins) actions.push(docker(join));
    if (!startsOnCreate) actions.push(docker(['start', sc.name], { changes: [c.reason] }));
  }
  const waits = c.kind !== 'keep' || reload ? sc.ready : undefined;
  return {
    title: sidecarTitle(sc, c),
    actions,
    async before() {
      // Undos run in reverse: the old files go back first, then it reloads them.
      if (reload) undo.push(undoBy(ctx, `reload ${sc.noun} ${sc.name} with its previous configuration`, { file: 'docker', args: reload.args }));
      await writeFiles(sc, ctx);
      // Before measuring its log: a rotation starts a new one.
      if (c.kind === 'keep' && sc.logs && await rotateLogs(sc.logs, runner)) changes.push(`rotated the logs of ${sc.noun} ${sc.name}`);
      if (waits && 'log' in waits) offset = await size(waits.log);
    },
    async after() {
      if (waits) await ('log' in waits ? waitReady(sc, waits, offset) : waitAnswers(sc, waits, runner));
      await hooks.after?.(id);
    },
  };
}

/** What it needs on the host before it is created or started (none when it is kept): a step of
 * its own, run before the agent's container, which could otherwise make them first (Docker
 * creates a named volume it mounts, unlabelled). */
export function needsStep(sc: Sidecar, c: SidecarAction, ctx: StepContext): Step | undefined {
  if (c.kind === 'keep' || !sc.needs?.length) return undefined;
  return {
    title: `Prepare ${sc.noun} ${sc.name}: ${sc.needs.flatMap((n) => n.change ?? []).join(', ') || 'host'}`,
    actions: sc.needs.map((n) => ({ cmd: n.cmd, ...(n.undo ? { undo: () => undoBy(ctx, `undo ${describe(n.cmd)}`, n.undo!) } : {}), ...(n.change ? { changes: [n.change] } : {}) })),
  };
}

const ownerOf = (owner: string) => owner.split(':').map(Number) as [number, number];

/** The folders, then each changed file, replaced atomically (it may be reading the old one). */
async function writeFiles(sc: Sidecar, { undo, changes }: StepContext): Promise<void> {
  for (const d of sc.dirs) {
    await mkdir(d.path, { recursive: true, mode: d.mode });
    if (d.owner) await chown(d.path, ...ownerOf(d.owner));
  }
  for (const f of sc.files.filter((x) => x.changed)) {
    const previous = await readFile(f.path, 'utf8').catch(() => undefined);
    const tmp = join(dirname(f.path), `.${basename(f.path)}.tmp`);
    // Created anew (a leftover would keep its mode), owner and mode set before it takes the final
    // name: a key is never readable by anyone else, not even for a moment.
    await rm(tmp, { force: true });
    await writeFile(tmp, f.text, { mode: f.mode, flag: 'wx' });
    if (f.owner) await chown(tmp, ...ownerOf(f.owner));
    await rename(tmp, f.path);
    undo.push({
      what: `put back ${f.path}`,
      run: () => (previous === undefined ? rm(f.path, { force: true }) : writeFile(f.path, previous, { mode: f.mode })),
    });
    changes.push(`wrote ${f.path}`);
  }
}

const size = (file: string) => stat(file).then((s) => s.size, () => 0);

/** A log larger than this is rotated (one older file is kept), so an always-on sidecar's logs stay bounded. */
const ROTATE_BYTES = 8 * 1024 * 1024;

/** Asks it to rotate its logs when one has grown past ROTATE_BYTES. */
export async function rotateLogs(logs: { files: string[]; rotate: string[] }, runner: Runner): Promise<boolean> {
  const sizes = await Promise.all(logs.files.map(size));
  if (sizes.every((s) => s <= ROTATE_BYTES)) return false;
  await runOk(runner, { file: 'docker', args: logs.rotate });
  return true;
}

/** Polls its readiness command until it succeeds; fails at once when its output says it never will. */
async function waitAnswers(sc: Sidecar, r: CommandReadiness, runner: Runner): Promise<void> {
  const end = Date.now() + r.timeoutMs;
  for (;;) {
    const out = await runner.run({ ...r.command, timeoutMs: 15_000 }).catch((e: unknown) => ({ exitCode: -1, stdout: '', stderr: (e as Error).message }));
    if (out.exitCode === 0) return;
    const said = `${out.stderr}${out.stdout}`.trim();
    if (r.fatal.test(said) || Date.now() > end) {
      throw new HermitError('apply', `the ${sc.noun} ${sc.name} did not answer${Date.now() > end ? ` within ${r.timeoutMs / 1000} s` : ''}: ${said.split('\n').slice(-4).join('\n    ')}`,
        `See why: docker logs ${sc.name}`);
    }
    await sleep(250);
  }
}

/** Waits until its log (after `offset`) says it is ready and it accepts a connection. */
async function waitReady(sc: Sidecar, r: LogReadiness, offset: number): Promise<void> {
  const end = Date.now() + r.timeoutMs;
  for (;;) {
    const all = await readFile(r.log, 'utf8').catch(() => '');
    // Shorter than before: it was rotated meanwhile, and all of it is new.
    const text = all.length >= offset ? all.slice(offset) : all;
    if (r.ready.test(text) && await accepts(r.tcp.host, r.tcp.port)) return;
    if (r.fatal.test(text) || Date.now() > end) {
      const tail = text.trim().split('\n').slice(-8).join('\n    ');
      throw new HermitError('apply', `the ${sc.noun} ${sc.name} did not start listening${Date.now() > end ? ` within ${r.timeoutMs / 1000} s` : ''}${tail ? `:\n    ${tail}` : ''}`,
        `See ${r.log} and: docker logs ${sc.name}`);
    }
    await sleep(100);
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 1000 });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.once('timeout', () => done(false));
  });
}
