// Carries out a Plan: network, firewall, container, in that order. Every step that changed
// something registers its undo; if a later step fails, the undos run in reverse, so a failed
// `hermit run` leaves the host as it found it.
import { HermitError } from '../errors.js';
import type { FirewallChange } from '../plan/firewall.js';
import type { Plan } from '../plan/plan.js';
import { type Command, execOk } from './exec.js';

export interface Applied {
  containerId: string;
  pid: number;
  /** What changed, for people; empty when the host already matched the plan. */
  changes: string[];
}

export const restoreCommand = (family: 4 | 6, payload: string): Command => ({
  file: family === 4 ? 'iptables-restore' : 'ip6tables-restore',
  // --noflush: touch only the chains named in the payload; --wait: queue behind the xtables lock.
  args: ['--noflush', '--wait', '10'],
  input: payload,
});

/** The commands a plan would run, in order (for --dry-run). */
export function planCommands(plan: Plan): Command[] {
  const cmds: Command[] = [];
  if (plan.network.kind === 'create') cmds.push({ file: 'docker', args: plan.network.args });
  for (const fw of plan.firewall) if (fw.payload) cmds.push(restoreCommand(fw.family, fw.payload));
  if (plan.container.kind === 'run') {
    if (plan.container.remove) cmds.push({ file: 'docker', args: ['rm', '--force', plan.container.remove] });
    cmds.push({ file: 'docker', args: plan.container.run.args, env: plan.container.run.env });
  }
  return cmds;
}

export interface Step {
  title: string;
  run(): Promise<void>;
}

/** The plan as titled steps that share one undo stack; run them in order (listr2 shows them). */
export function applySteps(plan: Plan, result: Applied): { steps: Step[]; rollback(): Promise<string[]> } {
  const undo: { what: string; run: () => Promise<unknown> }[] = [];
  const steps: Step[] = [];

  const net = plan.network;
  steps.push({
    title: net.kind === 'create' ? `Create network ${net.args.at(-1)}` : 'Network unchanged',
    async run() {
      if (net.kind !== 'create') return;
      const name = net.args.at(-1)!;
      await execOk({ file: 'docker', args: net.args });
      undo.push({ what: `remove network ${name}`, run: () => execOk({ file: 'docker', args: ['network', 'rm', name] }) });
      result.changes.push(`created network ${name}`);
    },
  });

  for (const fw of plan.firewall) {
    steps.push({
      title: fw.payload ? `IPv${fw.family} firewall: ${fw.changes.join(', ')}` : `IPv${fw.family} firewall unchanged`,
      run: () => applyFirewall(fw, undo, result),
    });
  }

  const c = plan.container;
  steps.push({
    title: c.kind === 'keep' ? 'Container unchanged (running)' : `Container: ${c.reason}`,
    async run() {
      if (c.kind === 'keep') {
        result.containerId = c.id;
      } else {
        if (c.remove) await execOk({ file: 'docker', args: ['rm', '--force', c.remove] });
        const name = c.run.args[c.run.args.indexOf('--name') + 1]!;
        const id = (await execOk({ file: 'docker', args: c.run.args, env: c.run.env }).catch(async (e: unknown) => {
          // docker run can fail after creating the container (bad command, missing mount): remove it.
          await execOk({ file: 'docker', args: ['rm', '--force', name] }).catch(() => undefined);
          throw e;
        })).trim();
        result.containerId = id;
        undo.push({ what: `remove container ${id.slice(0, 12)}`, run: () => execOk({ file: 'docker', args: ['rm', '--force', id] }) });
        result.changes.push(c.reason);
      }
      const pid = Number((await execOk({ file: 'docker', args: ['container', 'inspect', '--format', '{{.State.Pid}}', result.containerId] })).trim());
      if (!(pid > 0)) throw new HermitError('apply', 'the container is not running after docker run', `See why: docker logs ${result.containerId.slice(0, 12)}`);
      result.pid = pid;
    },
  });

  async function rollback(): Promise<string[]> {
    const failed: string[] = [];
    for (const u of undo.reverse()) {
      try { await u.run(); } catch (e) { failed.push(`${u.what}: ${(e as Error).message}`); }
    }
    undo.length = 0;
    return failed;
  }
  return { steps, rollback };
}

async function applyFirewall(fw: FirewallChange, undo: { what: string; run: () => Promise<unknown> }[], result: Applied) {
  if (!fw.payload) return;
  await execOk(restoreCommand(fw.family, fw.payload));
  const revert = fw.revert;
  if (revert) undo.push({ what: `restore previous IPv${fw.family} rules`, run: () => execOk(restoreCommand(fw.family, revert)) });
  result.changes.push(...fw.changes.map((c) => `IPv${fw.family}: ${c}`));
}
