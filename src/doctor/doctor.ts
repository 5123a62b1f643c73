// hermit doctor: gather (one concurrent pass of read-only commands, then the vantage points) →
// pure checks → report. It changes nothing on the host: the only things it creates are throwaway
// containers, removed before it returns.
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { loadChecked, useColor } from '../commands/common.js';
import { enforcedVersion } from '../profile/approval.js';
import { printableLine } from '../report/printable.js';
import { runSteps } from '../commands/progress.js';
import { EXIT, HermitError } from '../errors.js';
import type { Profile } from '../profile/types.js';
import { runChecks } from './checks/index.js';
import { gatherHost } from './gather.js';
import { gatherVantages } from './inside.js';
import { buildReport, compareReports, parseReport, renderReport } from './report.js';
import { SNAPSHOT_FORMAT, type Snapshot } from './types.js';

export interface DoctorOptions {
  json: boolean;
  verbose: boolean;
  /** Write the gathered outputs (the Snapshot) here. */
  evidence?: string;
  days: number;
}

export async function doctor(profileArg: string | undefined, opts: DoctorOptions): Promise<void> {
  // Doctor runs the profile's image and connects to its targets: only in a version the user approved.
  const enforced = profileArg ? await enforcedVersion(loadChecked(profileArg)) : undefined;
  if (enforced?.why) process.stderr.write(`hermit: ${printableLine(enforced.why)}${enforced.loaded ? '' : '; checking the host without it'}\n`);
  const loaded = enforced?.loaded;
  const profile: Profile | undefined = loaded?.profile;
  const since = new Date(Date.now() - opts.days * 86_400_000);
  const snap: Snapshot = { format: SNAPSHOT_FORMAT, takenAt: new Date().toISOString(), hostname: hostname(), uid: process.getuid?.() ?? -1, sources: {}, vantages: [] };
  await runSteps([
    { title: 'Look at the host (read-only)', run: async () => { snap.sources = await gatherHost({ profile, since, ...(loaded ? { profileFiles: loaded.chain ?? [loaded.file] } : {}) }); } },
    { title: profile ? `Probe ${profile.probe.mustReach.length ? 'targets' : 'DNS'} from the profile's network, Docker's default bridge and the host` : 'Connectivity (needs a profile)',
      run: async () => { snap.vantages = await gatherVantages(snap, profile); } },
  ], { quiet: opts.json });
  if (opts.evidence) writeFileSync(opts.evidence, `${JSON.stringify(snap, null, 2)}\n`);
  const report = buildReport(snap, runChecks(snap, { profile, profileArg, since }), profile?.name);
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report, { color: useColor(), verbose: opts.verbose }));
  if (!report.ok) process.exitCode = EXIT.host;
}

export function compare(fileA: string, fileB: string): void {
  const load = (f: string) => {
    try {
      return parseReport(readFileSync(f, 'utf8'), f);
    } catch (err) {
      throw new HermitError('usage', `cannot compare: ${(err as Error).message}`, 'Give two files written by: hermit doctor --json [profile] > file.json');
    }
  };
  process.stdout.write(compareReports(load(fileA), load(fileB), [fileA, fileB]).text);
}
