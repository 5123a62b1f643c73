// hermit trust [profile]: show what a profile grants and what changed since the approved version,
// then record this version as approved (in hermit's root-owned state, where no container reaches).
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface TrustArgs { profile?: string; show: boolean; json: boolean }

export const trustCommand: CommandModule<object, TrustArgs> = {
  command: 'trust [profile]',
  describe: 'Approve a profile: show what it grants and what changed since the approved version, then record this version',
  builder: (y: Argv) =>
    y
      .positional('profile', { type: 'string', describe: "Profile name or path; default: the project's hermit.yaml" })
      .option('show', { type: 'boolean', default: false, describe: 'Only show the summary and the changes; approve nothing' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the check (state, changes, what is needed) as JSON' })
      .example('sudo $0 trust', "Approve the project's hermit.yaml as it is now")
      .example('sudo $0 trust claude-agent --show', 'See what changed since the approved version') as Argv<TrustArgs>,
  handler: async (argv: ArgumentsCamelCase<TrustArgs>) => {
    const [{ loadChecked, requireRoot }, { approve, checkApproval }, report] = await Promise.all([
      import('./common.js'), import('../profile/approval.js'), import('../report/approval.js'),
    ]);
    const loaded = loadChecked(argv.profile);
    requireRoot('trust', "approvals are kept in hermit's root-owned state, where the agent cannot write");
    const check = await checkApproval(loaded);
    // Build inputs (Dockerfile, context): read (and an ADD <url> refused) before anything is recorded.
    const build = await (await import('./build-approval.js')).buildTrust(loaded);
    const name = loaded.profile.name;
    const approving = !argv.show && check.state !== 'approved';
    if (approving) await approve(check, 'hermit trust');
    if (!argv.show) await build?.approve();
    if (argv.json) {
      const { state, fingerprint, files, writers, changes } = check;
      process.stdout.write(`${JSON.stringify({ profile: name, state, approvedNow: approving, fingerprint, files, writers, changes, ...(check.record ? { previous: { at: check.record.at, by: check.record.by, fingerprint: check.record.fingerprint } } : {}), ...(build ? { build: build.json } : {}) }, null, 2)}\n`);
      return;
    }
    const out: string[] = [`profile '${name}' from ${check.files.join(' → ')}`];
    if (check.writers.length > 0) out.push('  Someone other than root can change it, so hermit applies it only in an approved version:', ...check.writers.map((w) => `    ${w}`));
    else out.push('  Only root can change its files, and no container mounts them writable: hermit applies it as it is.');
    if (check.record && check.changes.length > 0) out.push(`  Changes since the version approved ${check.record.at} (by ${check.record.by}):`, ...report.renderChanges(check.changes));
    else if (check.state === 'approved') out.push(`  This version is the one approved ${check.record!.at} (by ${check.record!.by}).`);
    out.push('  What it grants the agent:', ...report.renderGrants(check.form));
    if (build) out.push(...build.lines);
    out.push(argv.show ? '(nothing was approved: --show)' : check.state === 'approved' && (build?.json.approved ?? true) ? 'Already approved; nothing to do.' : `Approved. hermit run ${argv.profile ?? ''} applies this version.`.replace('  ', ' '));
    process.stdout.write(`${report.printable(out.join('\n'))}\n`);
  },
};
