// Carries out a Plan: network, firewall, (proxy,) image build, container, in that order: a build
// runs the Dockerfile's steps on the agent's network, so its rules come first. Every step that
// changed something registers its undo; if a later step fails, the undos run in reverse, so a
// failed `hermit run` leaves the host as it found it.
import { isDeepStrictEqual } from 'node:util';
import { HermitError } from '../errors.js';
import { type FirewallChange, firewallCommand } from '../firewall/index.js';
import type { ContainerAction, DockerRun, EngineCreate } from '../plan/container.js';
import type { DockerCall } from '../plan/image.js';
import type { Plan } from '../plan/plan.js';
import { type Command, type Runner, describe, dockerHint, hostRunner, runOk } from './exec.js';
import { engineGet, enginePost, localEngineSocket } from './engine.js';
import type { ExistingContainer } from '../plan/facts.js';
import { container as inspectContainer } from './facts.js';
import { proxyContainerCommands, proxyNetworkSteps, proxySteps } from './proxy.js';
import { bindCommands, bindSteps } from './binds.js';
import { mark } from '../timing.js';

export interface Applied {
  containerId: string;
  pid: number;
  /** What changed, for people; empty when the host already matched the plan. */
  changes: string[];
}

/** Builds and pulls take minutes, not seconds. */
export const SLOW_MS = 30 * 60_000;

export const dockerCall = (call: DockerCall): Command => ({ file: 'docker', args: call.args, env: call.env, timeoutMs: SLOW_MS });

/** The agent's image build, its context (the tar of the approved inputs) on stdin. */
const agentBuild = (call: DockerCall, context: Buffer): Command => ({ ...dockerCall(call), inputBytes: context });

/** docker run pulls a missing image itself: give it the time a pull takes. */
const runCommand = (plan: Plan, run: DockerRun): Command =>
  ({ file: 'docker', args: run.args, env: run.env, ...(plan.image.kind === 'pull' ? { timeoutMs: SLOW_MS } : {}) });

/** The container step's commands, in order. */
function containerCommands(plan: Plan, c: ContainerAction = plan.container): Command[] {
  if (c.kind === 'keep') return [];
  if (c.kind === 'start') {
    return [...(c.restart ? [{ file: 'docker', args: ['update', '--restart', c.restart, c.id] }] : []), { file: 'docker', args: ['start', c.id] }];
  }
  return [...(c.remove ? [{ file: 'docker', args: ['rm', '--force', c.remove] }] : []), runCommand(plan, c.run)];
}

/** The commands a plan would run, in order (for --dry-run). */
export function planCommands(plan: Plan): Command[] {
  const cmds: Command[] = [];
  if (plan.proxy?.image.kind === 'build') cmds.push(dockerCall(plan.proxy.image));
  if (plan.network.kind === 'create') cmds.push({ file: 'docker', args: plan.network.args });
  if (plan.proxy?.network.kind === 'create') cmds.push({ file: 'docker', args: plan.proxy.network.args });
  for (const fw of plan.firewall) if (fw.payload) cmds.push(firewallCommand(fw, fw.payload));
  if (plan.proxy) cmds.push(...proxyContainerCommands(plan.proxy));
  cmds.push(...bindCommands(plan.binds));
  if (plan.image.kind === 'build') cmds.push(dockerCall(plan.image));
  return [...cmds, ...containerCommands(plan)];
}

export interface Step {
  title: string;
  /** @param retitle changes the step's title while it runs (a retry, say). */
  run(retitle?: (title: string) => void): Promise<void>;
}

export interface Undo { what: string; run: () => Promise<unknown> }

/** Undoes in reverse order; returns what could not be undone (empty when all went well). */
export async function rollbackAll(undo: Undo[]): Promise<string[]> {
  const failed: string[] = [];
  for (const u of undo.reverse()) {
    try { await u.run(); } catch (e) { failed.push(`${u.what}: ${(e as Error).message}`); }
  }
  undo.length = 0;
  return failed;
}

export interface ApplyOptions {
  /** The container created ahead, which the plan wants (wantsCreated): its removal is the first
   * undo, and the container step only starts it. */
  ahead?: CreatedAhead;
  /** Work to do while Docker starts the container, when this process only waits (~200 ms). */
  whileStarting?: () => void;
  /** The agent image's build context, a tar of the approved build inputs (required when the plan builds it). */
  buildContext?: Buffer;
  /** After the agent's image was built: what to do with the container now that the image is
   * known (hermit update recreates it when the image changed). */
  afterBuild?: () => Promise<ContainerAction>;
  /** What runs the commands (default: the host; a recording fake in unit tests). */
  runner?: Runner;
  /** The Engine API socket the container is created, started and inspected through (default: the
   * local engine's, when the docker CLI would use it); null: the docker CLI, through the runner. */
  engineSocket?: string | null;
}

/** The plan as titled steps that share one undo stack; run them in order (listr2 shows them). */
export function applySteps(plan: Plan, result: Applied, opts: ApplyOptions = {}): { steps: Step[]; rollback(): Promise<string[]> } {
  const { ahead, whileStarting, buildContext, afterBuild, runner = hostRunner } = opts;
  const socket = opts.engineSocket === null ? undefined : opts.engineSocket ?? localEngineSocket;
  const undo: Undo[] = [];
  // A few ms later, so that the request to Docker is on its way first.
  const meanwhile = () => { if (whileStarting) setTimeout(whileStarting, 5).unref(); };
  if (ahead) undo.push({ what: `remove container ${ahead.id.slice(0, 12)}`, run: () => removeCreated(ahead, runner) });
  const steps: Step[] = [];

  // No undo for a built image: it protects nothing and makes the next attempt faster.
  const proxyImage = plan.proxy?.image;
  if (proxyImage?.kind === 'build') {
    steps.push({ title: `Image: ${proxyImage.reason}`, async run() {
      await buildImage(runner, dockerCall(proxyImage));
      result.changes.push(proxyImage.reason);
    } });
  }

  const net = plan.network;
  steps.push({
    title: net.kind === 'create' ? `Create network ${net.args.at(-1)}` : 'Network unchanged',
    async run() {
      if (net.kind !== 'create') return;
      const name = net.args.at(-1)!;
      await runOk(runner, { file: 'docker', args: net.args });
      undo.push({ what: `remove network ${name}`, run: () => runOk(runner, { file: 'docker', args: ['network', 'rm', name] }) });
      result.changes.push(`created network ${name}`);
    },
  });

  if (plan.proxy) steps.push(...proxyNetworkSteps(plan.proxy, undo, result.changes, runner));

  for (const fw of plan.firewall) {
    steps.push({
      title: fw.payload ? `${fw.what}: ${fw.changes.join(', ')}` : `${fw.what} unchanged`,
      run: () => applyFirewall(fw, undo, result, runner),
    });
  }
  // The proxy starts behind the rules, and before the agent (and its build), whose only way out it is.
  if (plan.proxy) steps.push(...proxySteps(plan.proxy, undo, result.changes, runner));
  // Docker mounts the container's host paths from hermit's binds: they are in place before it starts.
  steps.push(...bindSteps(plan.binds, undo, result.changes, runner));

  let container = plan.container;
  const image = plan.image;
  if (image.kind === 'build') {
    if (!buildContext) throw new Error('applySteps: the plan builds the image, but no build context was given');
    steps.push({ title: `Image: ${image.reason}`, async run() {
      await buildImage(runner, agentBuild(image, buildContext), `${BUILD_HINT}. Its RUN steps reach only what the agent may reach, and resolve names through the resolvers Docker gives builds (the host's, or "dns" in daemon.json): the profile's rules must allow those`);
      // A rebuild (hermit update) changed something only if the image did: afterBuild says so.
      if (afterBuild) container = await afterBuild();
      else result.changes.push(image.reason);
    } });
  }

  steps.push({
    title: containerTitle(plan.container),
    async run(retitle) {
      const c = container;
      if (c !== plan.container) retitle?.(containerTitle(c));
      if (c.kind === 'keep') {
        result.containerId = c.id;
      } else if (c.kind === 'start') {
        meanwhile();
        for (const cmd of containerCommands(plan, c)) await runOk(runner, cmd);
        result.containerId = c.id;
        undo.push({ what: `stop container ${c.id.slice(0, 12)}`, run: () => runOk(runner, { file: 'docker', args: ['stop', c.id] }) });
        result.changes.push(c.reason);
      } else {
        if (c.remove) await runOk(runner, { file: 'docker', args: ['rm', '--force', c.remove] });
        const name = c.run.args[c.run.args.indexOf('--name') + 1]!;
        // The Engine API unless the CLI is needed: a pull (docker run pulls), or a request the plan could not express.
        const create = plan.image.kind !== 'pull' && !process.env.HERMIT_DOCKER_CLI ? c.run.create : undefined;
        const launched = ahead && socket
          ? engineStart(socket, ahead.id, describe(runCommand(plan, c.run)))
          : create && socket
          ? engineRun(socket, create, describe(runCommand(plan, c.run)), runner)
          : runOk(runner, runCommand(plan, c.run)).then((out) => out.trim(), async (e: unknown) => {
            // docker run can fail after creating the container (bad command, missing mount): remove it.
            await runOk(runner, { file: 'docker', args: ['rm', '--force', name] }).catch(() => undefined);
            throw e;
          });
        meanwhile();
        const id = await launched;
        result.containerId = id;
        if (!ahead) undo.push({ what: `remove container ${id.slice(0, 12)}`, run: () => removeContainer(runner, id) });
        result.changes.push(c.reason);
      }
      mark('container ready');
      const pid = (await inspectContainer(result.containerId, { socket, runner }))?.pid ?? 0;
      if (!(pid > 0)) throw new HermitError('apply', 'the container is not running after docker run', `See why: docker logs ${result.containerId.slice(0, 12)}`);
      result.pid = pid;
    },
  });

  return { steps, rollback: () => rollbackAll(undo) };
}

const containerTitle = (c: ContainerAction) => (c.kind === 'keep' ? 'Container unchanged (running)' : `Container: ${c.reason}`);

const engineFailure = (asCommand: string, status: number, message = '') =>
  new HermitError('apply', `${asCommand} failed: the Docker engine answered ${status}: ${message.trim()}`, dockerHint(message));

const postCreate = (socket: string, create: EngineCreate) =>
  enginePost<{ Id?: string; message?: string }>(socket, `/containers/create?name=${encodeURIComponent(create.name)}`, create.body);

/**
 * `docker run --detach` without the docker CLI process: create, then start, over the engine's
 * socket. Failures read like the CLI's, naming the equivalent command.
 */
export async function engineRun(socket: string, create: EngineCreate, asCommand: string, runner: Runner): Promise<string> {
  const created = await postCreate(socket, create);
  if (created.status !== 201 || !created.body.Id) throw engineFailure(asCommand, created.status, created.body.message);
  const id = created.body.Id;
  try {
    return await engineStart(socket, id, asCommand);
  } catch (e) {
    // Created but not started (bad command, missing mount): remove exactly the container this run made.
    await removeContainer(runner, id).catch(() => undefined);
    throw e;
  }
}

/** Starts a container this run created (the caller removes it if it does not start). */
async function engineStart(socket: string, id: string, asCommand: string): Promise<string> {
  const started = await enginePost<{ message?: string }>(socket, `/containers/${id}/start`);
  if (started.status !== 204 && started.status !== 304) throw engineFailure(asCommand, started.status, started.body.message);
  return id;
}

const removeContainer = (runner: Runner, id: string) => runOk(runner, { file: 'docker', args: ['rm', '--force', id] });

/**
 * The profile's container, created over the Engine API while the host is read and the plan made,
 * so that the container step only has to start it (Docker's create takes 10-20 ms). Created, never
 * started: it has no process and no network namespace, and dockerd starts no container that was
 * never started, not even on its own restart under a restart policy. The plan decides whether it
 * is the container it wants (wantsCreated); if not, or if the run stops first, removeCreated.
 */
export interface CreatedAhead { id: string; create: EngineCreate }

/**
 * Creates it once Docker has said that no container has the name (`existing`, the same read the
 * facts use, so they never see this one) and that the network it names exists: Docker creates a
 * container for a network that is not there (its start fails), and a first run creates the
 * network first. Undefined when either is missing, when Docker refuses (no such image: the plan
 * builds or pulls it first) or cannot be reached: the run goes the usual way.
 */
export async function createAhead(socket: string, create: EngineCreate, existing: Promise<ExistingContainer | undefined>): Promise<CreatedAhead | undefined> {
  try {
    const network = (create.body.HostConfig as { NetworkMode?: string } | undefined)?.NetworkMode;
    if (!network) return undefined;
    const [container, net] = await Promise.all([existing, engineGet(socket, `/networks/${encodeURIComponent(network)}`)]);
    if (container || net.status !== 200) return undefined;
    const created = await postCreate(socket, create);
    return created.status === 201 && created.body.Id ? { id: created.body.Id, create } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the plan creates exactly the container made ahead, over the Engine API, with the image that is here. */
export function wantsCreated(plan: Plan, ahead: CreatedAhead): boolean {
  const c = plan.container;
  return c.kind === 'run' && !c.remove && plan.image.kind === 'present' && !plan.proxy && plan.network.kind === 'keep'
    && !process.env.HERMIT_DOCKER_CLI && isDeepStrictEqual(c.run.create, ahead.create);
}

export const removeCreated = (ahead: CreatedAhead, runner: Runner = hostRunner) => removeContainer(runner, ahead.id);

async function applyFirewall(fw: FirewallChange, undo: Undo[], result: Applied, runner: Runner) {
  if (!fw.payload) return;
  await runOk(runner, firewallCommand(fw, fw.payload));
  const revert = fw.revert;
  if (revert) undo.push({ what: `restore previous ${fw.what}`, run: () => runOk(runner, firewallCommand(fw, revert)) });
  result.changes.push(...fw.changes.map((c) => (fw.family ? `IPv${fw.family}: ${c}` : c)));
}

const BUILD_HINT = 'Fix the Dockerfile or the build context named in the profile\'s build:, then try again';

/** Like runOk, but a failure shows the end of the build log, where the failing step is. */
export async function buildImage(runner: Runner, cmd: Command, hint = BUILD_HINT): Promise<void> {
  const out = await runner.run(cmd);
  if (out.exitCode === 0) return;
  const log = out.stdout.trim().split('\n').slice(-15).join('\n    ');
  throw new HermitError('apply', `${describe(cmd)} failed: ${out.stderr.trim() || `exit code ${out.exitCode}`}${log ? `\n    ${log}` : ''}`,
    hint);
}
