// The run flow: profile → facts → plan → apply → probe → report.
import { type Applied, applySteps, planCommands } from '../apply/apply.js';
import { describe as describeCommand } from '../apply/exec.js';
import { gatherFacts } from '../apply/facts.js';
import { HermitError } from '../errors.js';
import { makePlan } from '../plan/plan.js';
import { formatRuleset } from '../report/plan.js';
import { checkPassThrough, loadChecked, requireRoot, splitPassThrough, useColor } from './common.js';
import { proveIsolation, renderProof } from './prove.js';
import { runSteps } from './progress.js';

export interface RunOptions {
  dryRun: boolean;
  replace: boolean;
  json: boolean;
  rest: (string | number)[];
}

export async function run(profileArg: string, opts: RunOptions): Promise<void> {
  const loaded = loadChecked(profileArg);
  const profile = loaded.profile;
  const extras = splitPassThrough(opts.rest);
  checkPassThrough(extras.dockerArgs);
  requireRoot('run', 'it reads and changes iptables and enters the container\'s network namespace to probe it');

  const facts = await gatherFacts(profile.container.name);
  const plan = makePlan(profile, facts, { extras, environment: process.env, replace: opts.replace });

  if (opts.dryRun) {
    const cmds = planCommands(plan);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ profile: profile.name, commands: cmds.map((c) => ({ ...c, env: c.env ? Object.keys(c.env) : undefined })), probe: plan.probe }, null, 2)}\n`);
      return;
    }
    const out: string[] = [`# hermit run ${profile.name} --dry-run (${loaded.file}); nothing was changed`];
    if (cmds.length === 0) out.push('# nothing to change: network, rules and container already match the profile');
    for (const c of cmds) {
      const names = Object.keys(c.env ?? {});
      out.push(describeCommand(c) + (names.length > 0 ? `   # with ${names.join(', ')} set in its environment` : ''));
      if (c.input) out.push(c.input.trimEnd());
    }
    out.push('', '# the complete rulesets:', formatRuleset(profile, facts));
    process.stdout.write(`${out.join('\n')}\n`);
    return;
  }

  const applied: Applied = { containerId: '', pid: 0, changes: [] };
  const { steps, rollback } = applySteps(plan, applied);
  try {
    await runSteps(steps, { quiet: opts.json });
  } catch (err) {
    const failed = await rollback();
    if (err instanceof HermitError && failed.length === 0) {
      throw new HermitError('apply', `${err.message}\n  (everything this run had changed was rolled back)`, err.hint);
    }
    if (failed.length > 0) {
      throw new HermitError('apply', `${(err as Error).message}\n  rollback was incomplete:\n    ${failed.join('\n    ')}`,
        'Inspect with: iptables-save -t filter | grep HERMIT; docker network ls; docker ps -a');
    }
    throw err;
  }

  const report = await proveIsolation(plan.probe, applied.pid, { container: profile.container.name, profile: profile.name }, { quiet: opts.json });
  const unchanged = applied.changes.length === 0;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ profile: profile.name, container: applied.containerId, changed: !unchanged, changes: applied.changes, probe: report }, null, 2)}\n`);
  } else {
    const head = unchanged
      ? `Nothing changed: network, firewall rules and container already match profile '${profile.name}'.`
      : `Applied profile '${profile.name}':\n${applied.changes.map((c) => `  - ${c}`).join('\n')}`;
    process.stdout.write(`${head}\n\n${renderProof(report, useColor())}\n`);
  }
  await enforce(report.ok, profile.probe.onFailure, applied.containerId, profile.container.name);
}

/** Fails closed: a container whose isolation could not be proven does not keep running. */
export async function enforce(ok: boolean, onFailure: 'stop' | 'warn', containerId: string, name: string): Promise<void> {
  if (ok) return;
  if (onFailure === 'warn') {
    process.stderr.write(`hermit: WARNING: isolation probe failed; container ${name} left running because the profile says probe.onFailure: warn\n`);
    process.exitCode = 5;
    return;
  }
  const { execOk } = await import('../apply/exec.js');
  // No restart policy first: a stopped container with `always` would come back on the next daemon start.
  await execOk({ file: 'docker', args: ['update', '--restart', 'no', containerId] }).catch(() => undefined);
  await execOk({ file: 'docker', args: ['stop', '--time', '5', containerId] });
  throw new HermitError('probe', `isolation probe failed: container ${name} was stopped (its restart policy set to "no")`,
    'Read the table above for what was reachable that should not be; fix the host or the profile, then hermit run again');
}
