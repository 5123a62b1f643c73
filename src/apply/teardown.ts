// Carries out a Teardown: containers, then rules, then networks. Removed containers cannot come
// back, but the rules can: if removing a network fails, they are put back, so a network that
// stays never stays unprotected.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { secretDir } from '../plan/credentials.js';
import type { Teardown } from '../plan/teardown.js';
import { type Step, type Undo, rollbackAll } from './apply.js';
import { firewallCommand } from '../firewall/index.js';
import { type Command, type Runner, hostRunner, runOk } from './exec.js';
import { unbind, unbindCommand } from './binds.js';

export const stopCommand = (id: string, seconds: number): Command => ({ file: 'docker', args: ['stop', '--time', String(seconds), id] });

/** The commands in order (for --dry-run). */
export function teardownCommands(td: Teardown, stopSeconds: number): Command[] {
  return [
    ...td.containers.flatMap((c) => [...(c.running ? [stopCommand(c.id, stopSeconds)] : []), { file: 'docker', args: ['rm', '--force', c.id] }]),
    ...td.binds.map(unbindCommand),
    ...td.firewall.map((fw) => firewallCommand(fw, fw.payload!)),
    ...td.networks.map((n) => ({ file: 'docker', args: ['network', 'rm', n.id] })),
  ];
}

export function teardownSteps(td: Teardown, stopSeconds: number, removed: string[], runner: Runner = hostRunner): { steps: Step[]; rollback(): Promise<string[]> } {
  const undo: Undo[] = [];
  const steps: Step[] = [];
  for (const c of td.containers) {
    steps.push({ title: `Remove container ${c.name}`, async run() {
      if (c.running) await runOk(runner, stopCommand(c.id, stopSeconds));
      await runOk(runner, { file: 'docker', args: ['rm', '--force', c.id] });
      removed.push(`container ${c.name}`);
    } });
  }
  // The proxy's keys (credentials), once the proxy that read them is gone.
  const secrets = secretDir(td.profile);
  if (existsSync(secrets)) {
    steps.push({ title: `Remove the proxy's keys (${secrets})`, async run() {
      await rm(secrets, { recursive: true, force: true });
      removed.push(`the proxy's keys ${secrets}`);
    } });
  }
  if (td.binds.length > 0) {
    steps.push({ title: `Unmount ${td.binds.length} pinned mount source${td.binds.length > 1 ? 's' : ''}`, async run() {
      for (const b of td.binds) await unbind(b, runner);
      removed.push(...td.binds.map((b) => `bind ${b}`));
    } });
  }
  for (const fw of td.firewall) {
    steps.push({ title: `Remove ${fw.what}: ${fw.changes.join(', ')}`, async run() {
      await runOk(runner, firewallCommand(fw, fw.payload!));
      undo.push({ what: `put back ${fw.what}`, run: () => runOk(runner, firewallCommand(fw, fw.revert!)) });
      removed.push(...fw.changes.map((ch) => `${fw.family ? `IPv${fw.family}: ` : ''}${ch.replace(/^remove /, '')}`));
    } });
  }
  for (const n of td.networks) {
    steps.push({ title: `Remove network ${n.name}`, async run() {
      await runOk(runner, { file: 'docker', args: ['network', 'rm', n.id] });
      removed.push(`network ${n.name}`);
    } });
  }
  return { steps, rollback: () => rollbackAll(undo) };
}
