// A recording fake at the process boundary (kube-proxy's pkg/util/iptables/testing/fake.go): it
// records every command apply, rollback or teardown would run, in order, and answers each as the
// host would have, from a script. One per test, passed in as the runner: nothing global is patched.
import { type Command, type Output, type Runner, describe } from '../../../src/apply/exec.js';
import type { Task } from '../../../src/apply/steps.js';

/** An answer, or a function of the command that gives one (it may act on files, or throw as a
 * command that cannot start would). */
export type Answer = Partial<Output> | ((cmd: Command) => Partial<Output> | Promise<Partial<Output>>);

interface Script { file: string; args: string[]; answer: Answer }

export class FakeRunner implements Runner {
  /** Every command run, in order. */
  readonly calls: Command[] = [];
  private readonly scripts: Script[] = [];

  /** @param fallback the answer to a command no script matches (default: success, no output). */
  constructor(private readonly fallback: Answer = {}) {}

  /** Answers commands of `file` whose arguments start with `args`; the longest match wins, and of
   * equal ones the latest. */
  on(file: string, args: string[], answer: Answer): this {
    this.scripts.push({ file, args, answer });
    return this;
  }

  /** Fails commands of `file` whose arguments start with `args`, as the tool would (exit 1). */
  fail(file: string, args: string[], stderr: string, exitCode = 1): this {
    return this.on(file, args, { stderr, exitCode });
  }

  async run(cmd: Command): Promise<Output> {
    this.calls.push(cmd);
    const matches = this.scripts.filter((s) => s.file === cmd.file && s.args.every((a, i) => cmd.args[i] === a));
    const script = matches.reduce<Script | undefined>((best, s) => (!best || s.args.length >= best.args.length ? s : best), undefined);
    const answer = script ? script.answer : this.fallback;
    const out = typeof answer === 'function' ? await answer(cmd) : answer;
    return { stdout: '', stderr: '', exitCode: 0, ...out };
  }

  /** The calls as a person would type them, each with its stdin (the firewall payloads). */
  lines(): string[] {
    return this.calls.map(shown);
  }
}

/** A command as --dry-run shows it: the command line, then its input. */
export const shown = (cmd: Command): string => (cmd.input ? `${describe(cmd)}\n${cmd.input}` : describe(cmd));

/** Runs steps in order as runSteps does; the first failure stops them and is returned. */
export async function runAll(steps: Task[]): Promise<Error | undefined> {
  try {
    for (const s of steps) await s.run();
    return undefined;
  } catch (e) {
    return e as Error;
  }
}
