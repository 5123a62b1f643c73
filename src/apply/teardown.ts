// Carries out a Teardown: containers, then rules, then networks. Removed containers cannot come
// back, but the rules can: if removing a network fails, they are put back, so a network that
// stays never stays unprotected. --dry-run prints the commands of these very steps.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { secretDir } from '../plan/credentials.js';
import type { Teardown } from '../plan/teardown.js';
import { firewallCommand } from '../firewall/index.js';
import { type Command, type Runner, hostRunner } from './exec.js';
import { unbind, unbindCommand } from './binds.js';
import { type Step, type StepContext, type Task, commandsOf, docker, rollbackAll, tasksOf, undoBy } from './steps.js';

export const stopCommand = (id: string, seconds: number): Command => ({ file: 'docker', args: ['stop', '--time', String(seconds), id] });

function steps(td: Teardown, stopSeconds: number, ctx: StepContext): Step[] {
  const plural = (n: number, what: string) => `${n} ${what}${n > 1 ? 's' : ''}`;
  return [
    ...td.containers.map((c) => ({ title: `Remove container ${c.name}`, actions: [
      ...(c.running ? [{ cmd: stopCommand(c.id, stopSeconds) }] : []),
      docker(['rm', '--force', c.id], { changes: [`container ${c.name}`] }),
    ] })),
    // The proxy's keys (credentials), once the proxy that read them is gone: a file, not a command.
    ...(existsSync(secretDir(td.profile)) ? [{
      title: `Remove the proxy's keys (${secretDir(td.profile)})`,
      actions: [],
      async before() {
        await rm(secretDir(td.profile), { recursive: true, force: true });
        ctx.changes.push(`the proxy's keys ${secretDir(td.profile)}`);
      },
    }] : []),
    ...(td.binds.length > 0 ? [{
      title: `Unmount ${plural(td.binds.length, 'pinned mount source')}`,
      // A target with nothing mounted is only removed: its umount does not run.
      actions: td.binds.map((b) => ({ cmd: unbindCommand(b), exec: () => unbind(b, ctx.runner).then(() => ''), changes: [`bind ${b}`] })),
    }] : []),
    ...td.volumes.map((v) => ({ title: `Remove volume ${v}`, actions: [docker(['volume', 'rm', v], { changes: [`volume ${v}`] })] })),
    ...td.firewall.map((fw) => ({ title: `Remove ${fw.what}: ${fw.changes.join(', ')}`, actions: [{
      cmd: firewallCommand(fw, fw.payload!),
      undo: () => undoBy(ctx, `put back ${fw.what}`, firewallCommand(fw, fw.revert!)),
      changes: fw.changes.map((ch) => `${fw.family ? `IPv${fw.family}: ` : ''}${ch.replace(/^remove /, '')}`),
    }] })),
    ...td.networks.map((n) => ({ title: `Remove network ${n.name}`, actions: [docker(['network', 'rm', n.id], { changes: [`network ${n.name}`] })] })),
  ];
}

/** The commands in order (for --dry-run). */
export const teardownCommands = (td: Teardown, stopSeconds: number): Command[] =>
  commandsOf(steps(td, stopSeconds, { runner: hostRunner, undo: [], changes: [] }));

export function teardownSteps(td: Teardown, stopSeconds: number, removed: string[], runner: Runner = hostRunner): { steps: Task[]; rollback(): Promise<string[]> } {
  const ctx: StepContext = { runner, undo: [], changes: removed };
  return { steps: tasksOf(steps(td, stopSeconds, ctx), ctx), rollback: () => rollbackAll(ctx.undo) };
}
