// The down flow: name → inventory → teardown plan → remove (container, rules, network) → forget.
import { describe as describeCommand } from '../apply/exec.js';
import { gatherInventory, profileVolumes } from '../host/read.js';
import { boundTargets } from '../apply/binds.js';
import { teardownCommands, teardownSteps } from '../apply/teardown.js';
import { HermitError } from '../errors.js';
import { planTeardown } from '../plan/teardown.js';
import { forget } from '../state/store.js';
import { requireRoot } from './common.js';
import { lifecycleTarget, printJson } from './lifecycle.js';
import { runSteps } from './progress.js';

/** The profile's name and, when its file can be read, its container and network names. A bare
 * name still works when the file is gone or broken: down is how a user cleans up after that. */
async function target(arg: string): Promise<{ name: string; names: { container?: string; network?: string } }> {
  const t = await lifecycleTarget(arg);
  return { name: t.name, names: t.profile ? { container: t.profile.container.name, network: t.profile.network.name } : {} };
}

export async function down(arg: string, opts: { time: number; dryRun: boolean; json: boolean; volumes?: boolean }): Promise<void> {
  const { name, names } = await target(arg);
  requireRoot('down', 'it removes firewall rules');
  const [inv, volumes] = await Promise.all([gatherInventory(), profileVolumes(name)]);
  const td = planTeardown(name, { ...inv, binds: boundTargets(name), volumes }, names, { volumes: !!opts.volumes });

  if (opts.dryRun) {
    const cmds = teardownCommands(td, opts.time);
    if (opts.json) {
      printJson({ profile: name, commands: cmds.map((c) => ({ file: c.file, args: c.args, ...(c.input ? { input: c.input } : {}) })), leftAlone: td.leftAlone });
      return;
    }
    const out = [`# hermit down ${name} --dry-run; nothing was changed`];
    if (cmds.length === 0) out.push(`# nothing of profile '${name}' to remove`);
    for (const c of cmds) out.push(describeCommand(c), ...(c.input ? [c.input.trimEnd()] : []));
    for (const l of td.leftAlone) out.push(`# left alone: ${l}`);
    process.stdout.write(`${out.join('\n')}\n`);
    return;
  }

  const removed: string[] = [];
  const { steps, rollback } = teardownSteps(td, opts.time, removed);
  try {
    await runSteps(steps, { quiet: opts.json });
  } catch (err) {
    const failed = await rollback();
    const gone = removed.filter((r) => r.startsWith('container '));
    const done = gone.length > 0 ? `\n  removed before the failure: ${gone.join(', ')}` : '';
    const undo = failed.length > 0
      ? `\n  putting the rules back failed too:\n    ${failed.join('\n    ')}`
      : '\n  (hermit\'s rules and network are as they were; a removed container stays removed)';
    throw new HermitError('apply', `${(err as Error).message}${done}${undo}`,
      'Inspect with: iptables-save -t filter | grep HERMIT; nft list tables | grep hermit; docker network ls; docker ps -a');
  }
  await forget(name).catch(() => undefined);

  if (opts.json) {
    printJson({ profile: name, removed, leftAlone: td.leftAlone });
    return;
  }
  const out = removed.length > 0
    ? [`Removed what hermit made for profile '${name}':`, ...removed.map((r) => `  - ${r}`)]
    : [`Nothing of profile '${name}' to remove.`];
  for (const l of td.leftAlone) out.push(`Left alone: ${l}`);
  process.stdout.write(`${out.join('\n')}\n`);
}
