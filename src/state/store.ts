// What hermit remembers between commands: the last probe of each profile, in
// /var/lib/hermit/<profile>/last-probe.json (HERMIT_STATE_DIR moves it, for tests).
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProbeReport } from '../probe/types.js';

export const stateDir = () => process.env.HERMIT_STATE_DIR ?? '/var/lib/hermit';

export interface ProbeRecord {
  /** ISO time the probe finished. */
  at: string;
  profile: string;
  /** The profile file it ran with, so `status` without a profile can check the rules. */
  file: string;
  containerId: string;
  ok: boolean;
  report: ProbeReport;
}

const probeFile = (profile: string) => join(stateDir(), profile, 'last-probe.json');

export async function recordProbe(file: string, containerId: string, report: ProbeReport): Promise<void> {
  const record: ProbeRecord = { at: new Date().toISOString(), profile: report.profile, file, containerId, ok: report.ok, report };
  const dest = probeFile(report.profile);
  await mkdir(join(stateDir(), report.profile), { recursive: true, mode: 0o700 });
  // Write then rename: a reader never sees half a file.
  await writeFile(`${dest}.tmp`, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await rename(`${dest}.tmp`, dest);
}

export async function lastProbe(profile: string): Promise<ProbeRecord | undefined> {
  try {
    return JSON.parse(await readFile(probeFile(profile), 'utf8')) as ProbeRecord;
  } catch {
    return undefined;
  }
}

/** Profiles with a record. */
export async function recordedProfiles(): Promise<string[]> {
  return readdir(stateDir()).catch(() => []);
}

export async function forget(profile: string): Promise<void> {
  await rm(join(stateDir(), profile), { recursive: true, force: true });
}
