// A plan's effects as values: each step is a title and the commands it runs, each command with
// what puts it back. --dry-run prints the commands of the very steps apply runs, and rollback
// undoes, in reverse, what those commands did: the three cannot drift apart.
import { type Command, type Runner, runOk } from './exec.js';

export interface Undo { what: string; run: () => Promise<unknown> }

export interface Action {
  /** What runs, exactly as --dry-run shows it. */
  cmd: Command;
  /** How it runs when not through the runner as it is (a checked bind, the Engine API's
   * equivalent of a `docker run`, a build whose log tail is kept); gives its stdout. */
  exec?: () => Promise<string>;
  /** What puts back its effect, given its stdout; registered once it succeeded. */
  undo?: (out: string) => Undo;
  /** What it changed, for people; told once it succeeded. */
  changes?: string[];
}

export interface Step {
  title: string;
  actions: Action[];
  /** Before the actions (it may replace them, and the title): host folders and files written,
   * their undos registered. Nothing it does is a command --dry-run would show. */
  before?: () => Promise<void>;
  /** After them: waiting until what started is ready, reading it back. */
  after?: () => Promise<void>;
}

/** What the steps of one apply share: the runner, the undo stack, what changed. */
export interface StepContext {
  runner: Runner;
  undo: Undo[];
  changes: string[];
}

/** A step as listr2 runs it; `retitle` changes its title while it runs. */
export interface Task {
  title: string;
  run(retitle?: (title: string) => void): Promise<void>;
}

/** The commands of the steps, in the order they run: what --dry-run prints. */
export const commandsOf = (steps: Step[]): Command[] => steps.flatMap((s) => s.actions.map((a) => a.cmd));

/** Runs one step's actions in order, each one's undo registered as soon as it succeeded. */
export async function runStep(step: Step, ctx: StepContext, retitle?: (title: string) => void): Promise<void> {
  await step.before?.();
  retitle?.(step.title);
  for (const a of step.actions) {
    const out = a.exec ? await a.exec() : await runOk(ctx.runner, a.cmd);
    if (a.undo) ctx.undo.push(a.undo(out));
    if (a.changes) ctx.changes.push(...a.changes);
  }
  await step.after?.();
}

/** The steps for listr2; a title that changed before a step ran (hermit update: the container
 * follows the image just built) is shown as it is then. */
export const tasksOf = (steps: Step[], ctx: StepContext): Task[] => steps.map((s) => {
  const shown = s.title;
  return { title: shown, run: (retitle) => runStep(s, ctx, (t) => { if (t !== shown) retitle?.(t); }) };
});

/** Undoes in reverse order; returns what could not be undone (empty when all went well). */
export async function rollbackAll(undo: Undo[]): Promise<string[]> {
  const failed: string[] = [];
  for (const u of undo.reverse()) {
    try { await u.run(); } catch (e) { failed.push(`${u.what}: ${(e as Error).message}`); }
  }
  undo.length = 0;
  return failed;
}

/** A docker command as an action. */
export const docker = (args: string[], more: Omit<Action, 'cmd'> = {}): Action => ({ cmd: { file: 'docker', args }, ...more });

/** Runs a command through the step context's runner (for undos). */
export const undoBy = (ctx: StepContext, what: string, cmd: Command): Undo => ({ what, run: () => runOk(ctx.runner, cmd) });

/** For titles: 'proxy' → 'Proxy'. */
export const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
