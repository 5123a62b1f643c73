// hermit trust [profile]: show what a profile grants and what changed since the approved version,
// then, asked in the same process, record exactly the version shown (its fingerprint) as approved,
// in hermit's root-owned state, where no container reaches. Without a terminal it approves only
// with --yes, or with --fingerprint naming the version a refusal showed.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface TrustArgs { profile?: string; show: boolean; yes: boolean; fingerprint?: string; json: boolean }

export const trustCommand: CommandModule<object, TrustArgs> = {
  command: 'trust [profile]',
  describe: 'Approve a profile: show what it grants and what changed since the approved version, ask, then record exactly the version shown',
  builder: (y: Argv) =>
    y
      .positional('profile', { type: 'string', describe: "Profile name or path; default: the project's hermit.yaml" })
      .option('show', { type: 'boolean', default: false, describe: 'Only show the summary and the changes; approve nothing' })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Approve the version shown without asking (no terminal needed)' })
      .option('fingerprint', { type: 'string', requiresArg: true, describe: 'Approve only if the profile is still the version with this fingerprint (printed by the refusal or --show)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the check (state, changes, fingerprint) as JSON; approves only with --yes or --fingerprint' })
      .example('sudo $0 trust', "Show the project's hermit.yaml, ask, and approve the version shown")
      .example('sudo $0 trust claude-agent --show', 'See what changed since the approved version')
      .example('sudo $0 trust ./hermit.yaml --fingerprint sha256:…', 'Approve the exact version a refusal showed (scripts)') as Argv<TrustArgs>,
  handler: async (argv: ArgumentsCamelCase<TrustArgs>) => {
    const [{ loadChecked, requireRoot }, { approve, checkApproval }, report, { terminalAsker }, { HermitError }] = await Promise.all([
      import('./common.js'), import('../profile/approval.js'), import('../report/approval-summary.js'), import('./ask-approval.js'), import('../errors.js'),
    ]);
    if (argv.show && (argv.yes || argv.fingerprint !== undefined)) throw new HermitError('usage', '--show approves nothing; it does not go with --yes or --fingerprint');
    const loaded = loadChecked(argv.profile);
    requireRoot('trust', "approvals are kept in hermit's root-owned state, where the agent cannot write");
    const check = await checkApproval(loaded);
    // An env file hermit cannot read (a link, a name-only line) has no content to show or approve.
    if (check.envFileError) throw check.envFileError;
    // Build inputs (Dockerfile, context): read (an ADD <url> refused), shown and recorded with the profile.
    const build = await (await import('./build-approval.js')).buildTrust(loaded);
    const buildWanted = !argv.show && build !== undefined && !build.json.approved;
    const name = report.printableLine(loaded.profile.name);
    const pinned = argv.fingerprint !== undefined;
    if (pinned && argv.fingerprint !== check.fingerprint) {
      throw new HermitError('usage', `profile '${name}' (${report.printableLine(loaded.file)}) is no longer the version with fingerprint ${report.printableLine(argv.fingerprint!)}: it is ${check.fingerprint}; nothing was approved`,
        `See what it is now, and approve that: sudo hermit trust ${argv.profile ?? ''} (or --show)`.replace('  ', ' '));
    }
    if (pinned && buildWanted) {
      throw new HermitError('usage', `the build inputs of profile '${name}' (the Dockerfile and the context) changed too, and a fingerprint does not pin them; nothing was approved`,
        `Read them and approve both: sudo hermit trust ${loaded.file} (in a terminal), or --show, then --yes`);
    }
    const wanted = !argv.show && (check.state !== 'approved' || buildWanted);

    const out: string[] = [`profile '${name}' from ${check.files.map(report.printableLine).join(' → ')}`];
    if (check.writers.length > 0) out.push('  Someone other than root can change it, so hermit applies it only in an approved version:', ...check.writers.map((w) => `    ${report.printableLine(w)}`));
    else out.push('  Only root can change its files, and no container mounts them writable: hermit applies it as it is.');
    if (check.record && check.changes.length > 0) out.push(`  Changes since the version approved ${check.record.at} (by ${check.record.by}):`, ...report.renderChanges(check.changes));
    else if (check.state === 'approved') out.push(`  This version is the one approved ${check.record!.at} (by ${check.record!.by}).`);
    out.push('  What it grants the agent:', ...report.renderGrants(check.form), `  Fingerprint of this version: ${check.fingerprint}`);
    if (build) out.push(...build.lines);
    const summary = out.join('\n');

    // What is recorded is `check`, the version rendered above: a file changed meanwhile is not it.
    let approved = false;
    if (wanted && (argv.yes || pinned)) {
      approved = true;
    } else if (wanted && !argv.json) {
      const answer = terminalAsker(`${summary}\nApprove this version of profile '${name}'? [y/N] `);
      if (answer === undefined) {
        throw new HermitError('usage', `${summary}\nhermit trust: no terminal to ask on; nothing was approved`,
          `Approve this exact version with: sudo hermit trust ${loaded.file} --fingerprint ${check.fingerprint}   (or --yes)`);
      }
      if (!(await answer)) throw new HermitError('usage', `profile '${name}' not approved; nothing was changed`);
      approved = true;
    }
    if (approved && check.state !== 'approved') await approve(check, 'hermit trust');
    if (approved) await build?.approve();

    if (argv.json) {
      const { state, fingerprint, files, writers, changes } = check;
      process.stdout.write(`${JSON.stringify({ profile: loaded.profile.name, state, approvedNow: approved, fingerprint, files, writers, changes, ...(check.record ? { previous: { at: check.record.at, by: check.record.by, fingerprint: check.record.fingerprint } } : {}), ...(build ? { build: build.json } : {}) }, null, 2)}\n`);
      return;
    }
    const end = argv.show || (wanted && !approved) ? '(nothing was approved)'
      : check.state === 'approved' && !buildWanted ? 'Already approved; nothing to do.'
        : `Approved. hermit run ${argv.profile ?? ''} applies this version.`.replace('  ', ' ');
    // Asked on the terminal: the summary is already on the screen.
    process.stdout.write(`${approved && !argv.yes && !pinned ? '' : `${summary}\n`}${end}\n`);
  },
};
