// Carries out a Plan as one list of steps (steps.ts): networks, firewall, the proxy, binds, image
// build, container, in that order: a build runs the Dockerfile's steps on the agent's network, so
// its rules come first. --dry-run prints the commands of that same list. Every command that
// changed something registers its undo; if a later one fails, the undos run in reverse, so a
// failed `hermit run` leaves the host as it found it.
import { isDeepStrictEqual } from 'node:util';
import { HermitError } from '../errors.js';
import { type FirewallChange, firewallCommand } from '../firewall/index.js';
import type { ContainerAction, EngineCreate } from '../plan/container.js';
import type { DockerCall, ImageAction } from '../plan/image.js';
import type { NetworkAction } from '../plan/network.js';
import type { Plan } from '../plan/plan.js';
import { type Command, type Runner, describe, dockerHint, hostRunner, runOk } from './exec.js';
import { engineGet, enginePost, localEngineSocket } from './engine.js';
import type { ExistingContainer } from '../plan/host-facts.js';
import { container as inspectContainer } from '../host/read.js';
import { bindSteps } from './binds.js';
import { needsStep, sidecarStep } from './sidecar.js';
import { type Step, type StepContext, type Task, capital, commandsOf, docker, rollbackAll, tasksOf, undoBy } from './steps.js';
import { mark } from '../timing.js';

export interface Applied {
  containerId: string;
  pid: number;
  /** The file of its network namespace, as Docker names it (absent for a container without one of its own). */
  netns?: string;
  /** What changed, for people; empty when the host already matched the plan. */
  changes: string[];
}

/** Builds and pulls take minutes, not seconds. */
export const SLOW_MS = 30 * 60_000;

export const dockerCall = (call: DockerCall): Command => ({ file: 'docker', args: call.args, env: call.env, timeoutMs: SLOW_MS });

/** An image build, as a step (no undo: an image protects nothing, and makes the next attempt faster). */
function imageStep(image: Extract<ImageAction, { kind: 'build' }>, cmd: Command, ctx: StepContext, hint?: string, tell = true): Step {
  return { title: `Image: ${image.reason}`, actions: [{
    cmd,
    exec: () => buildImage(ctx.runner, cmd, hint).then(() => ''),
    ...(tell ? { changes: [image.reason] } : {}),
  }] };
}

/** A network hermit creates (the agent's; in allowlist mode also the internal one). */
function networkStep(net: NetworkAction, noun: string, ctx: StepContext): Step {
  if (net.kind !== 'create') return { title: `${capital(noun)} unchanged`, actions: [] };
  const name = net.args.at(-1)!;
  return { title: `Create ${noun} ${name}`, actions: [docker(net.args, {
    undo: () => undoBy(ctx, `remove network ${name}`, { file: 'docker', args: ['network', 'rm', name] }),
    changes: [`created ${noun} ${name}`],
  })] };
}

function firewallStep(fw: FirewallChange, ctx: StepContext): Step {
  const { payload, revert } = fw;
  return {
    title: payload ? `${fw.what}: ${fw.changes.join(', ')}` : `${fw.what} unchanged`,
    actions: payload ? [{
      cmd: firewallCommand(fw, payload),
      ...(revert ? { undo: () => undoBy(ctx, `restore previous ${fw.what}`, firewallCommand(fw, revert)) } : {}),
      changes: fw.changes.map((c) => (fw.family ? `IPv${fw.family}: ${c}` : c)),
    }] : [],
  };
}

/** The commands a plan would run, in order (for --dry-run): those of the steps apply runs. */
export function planCommands(plan: Plan): Command[] {
  return commandsOf(planSteps(plan, { containerId: '', pid: 0, changes: [] }, { undo: [], changes: [], runner: hostRunner }));
}

export interface ApplyOptions {
  /** The container created ahead, which the plan wants (wantsCreated): its removal is the first
   * undo, and the container step only starts it. */
  ahead?: CreatedAhead;
  /** Work to do while Docker starts the container, when this process only waits (~200 ms). */
  whileStarting?: () => void;
  /** The agent image's build context, a tar of the approved build inputs (required to run a plan that builds it). */
  buildContext?: Buffer;
  /** After the agent's image was built: the plan made again now that the image is known (hermit
   * update recreates the container when the image changed, and the sidecars in its network
   * namespace with it). */
  afterBuild?: () => Promise<Pick<Plan, 'container' | 'sidecars'>>;
  /** What runs the commands (default: the host; a recording fake in unit tests). */
  runner?: Runner;
  /** The Engine API socket the container is created, started and inspected through (default: the
   * local engine's, when the docker CLI would use it); null: the docker CLI, through the runner. */
  engineSocket?: string | null;
}

/** The plan as titled steps that share one undo stack; run them in order (listr2 shows them). */
export function applySteps(plan: Plan, result: Applied, opts: ApplyOptions = {}): { steps: Task[]; rollback(): Promise<string[]> } {
  if (plan.image.kind === 'build' && !opts.buildContext) throw new Error('applySteps: the plan builds the image, but no build context was given');
  const ctx: StepContext = { runner: opts.runner ?? hostRunner, undo: [], changes: result.changes };
  if (opts.ahead) {
    const ahead = opts.ahead;
    ctx.undo.push({ what: `remove container ${ahead.id.slice(0, 12)}`, run: () => removeCreated(ahead, ctx.runner) });
  }
  return { steps: tasksOf(planSteps(plan, result, ctx, opts), ctx), rollback: () => rollbackAll(ctx.undo) };
}

/**
 * The steps, in order: sidecar images, networks, rules, the sidecars the agent goes through (the
 * proxy: behind the rules, before the agent and its build, whose only way out it is), binds
 * (Docker mounts the container's host paths from them), the agent's image (its build runs on the
 * agent's network, behind its rules), the agent, then the sidecars that share its network. What
 * sidecars need on the host (named volumes, a device node) is made before the agent's container.
 */
function planSteps(plan: Plan, result: Applied, ctx: StepContext, opts: ApplyOptions = {}): Step[] {
  const { runner } = ctx;
  const socket = opts.engineSocket === null ? undefined : opts.engineSocket ?? localEngineSocket;
  const steps: Step[] = [];
  for (const sp of plan.sidecars) if (sp.image.kind === 'build') steps.push(imageStep(sp.image, dockerCall(sp.image), ctx));
  steps.push(networkStep(plan.network, 'network', ctx));
  if (plan.proxy?.network) steps.push(networkStep(plan.proxy.network, 'internal network', ctx));
  steps.push(...plan.firewall.map((fw) => firewallStep(fw, ctx)));
  const beside = (netns: boolean, sidecars = plan.sidecars) => sidecars.filter((sp) => !!sp.sidecar.netns === netns).map((sp) => sidecarStep(sp.sidecar, sp.container, ctx));
  steps.push(...beside(false), ...bindSteps(plan.binds, ctx));
  steps.push(...plan.sidecars.flatMap((sp) => needsStep(sp.sidecar, sp.container, ctx) ?? []));

  const image = plan.image;
  const { ahead, whileStarting, buildContext, afterBuild } = opts;
  const pulls = image.kind === 'pull';
  const agent = (c: ContainerAction) => sidecarStep(plan.agent, c, ctx, {
    ...(pulls ? { timeoutMs: SLOW_MS } : {}),
    ...(ahead ? { removalQueued: true } : {}),
    // A few ms later, so that the request to Docker is on its way first.
    meanwhile: () => { if (whileStarting) setTimeout(whileStarting, 5).unref(); },
    launch: (cmd) => {
      // The Engine API unless the CLI is needed: a pull (docker run pulls), or a request the plan could not express.
      const create = c.kind === 'run' && !pulls && !process.env.HERMIT_DOCKER_CLI ? c.run.create : undefined;
      if (ahead && socket) return engineStart(socket, ahead.id, describe(cmd));
      if (create && socket) return engineRun(socket, create, describe(cmd), runner);
      return runOk(runner, cmd).catch(async (e: unknown) => {
        // docker run can fail after creating the container (bad command, missing mount): remove it.
        await runOk(runner, { file: 'docker', args: ['rm', '--force', plan.agent.name] }).catch(() => undefined);
        throw e;
      });
    },
    async after(id) {
      mark('container ready');
      result.containerId = id;
      const c = await inspectContainer(id, { socket, runner });
      const pid = c?.pid ?? 0;
      if (!(pid > 0)) throw new HermitError('apply', 'the container is not running after docker run', `See why: docker logs ${id.slice(0, 12)}`);
      result.pid = pid;
      if (c?.netns) result.netns = c.netns;
    },
  });
  const container = agent(plan.container);
  const inNetns = beside(true);
  if (image.kind === 'build') {
    const build = imageStep(image, { ...dockerCall(image), ...(buildContext ? { inputBytes: buildContext } : {}) }, ctx,
      `${BUILD_HINT}. Its RUN steps reach only what the agent may reach, and resolve names through the resolvers Docker gives builds (the host's, or "dns" in daemon.json): the profile's rules must allow those`, !afterBuild);
    // A rebuild (hermit update) changed something only if the image did: afterBuild says so, and
    // the container step becomes what follows from the image built.
    if (afterBuild) {
      build.after = async () => {
        const now = await afterBuild();
        Object.assign(container, agent(now.container));
        beside(true, now.sidecars).forEach((step, i) => Object.assign(inNetns[i]!, step));
      };
    }
    steps.push(build);
  }
  steps.push(container, ...inNetns);
  return steps;
}

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

const BUILD_HINT = 'Fix the Dockerfile or the build context named in the profile\'s build:, then try again';

/** Like runOk, but a failure shows the end of the build log, where the failing step is. */
export async function buildImage(runner: Runner, cmd: Command, hint = BUILD_HINT): Promise<void> {
  const out = await runner.run(cmd);
  if (out.exitCode === 0) return;
  const log = out.stdout.trim().split('\n').slice(-15).join('\n    ');
  throw new HermitError('apply', `${describe(cmd)} failed: ${out.stderr.trim() || `exit code ${out.exitCode}`}${log ? `\n    ${log}` : ''}`,
    hint);
}
