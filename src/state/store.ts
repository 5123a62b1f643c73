// What hermit remembers between commands, in /var/lib/hermit/<profile>/ (HERMIT_STATE_DIR moves
// it, for tests): the last probe, the rulesets last applied (restored at boot, before dockerd
// starts its containers), and the guard's last verification.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FirewallBackend } from '../plan/host-facts.js';
import type { Ruleset } from '../plan/ruleset.js';
import type { Profile } from '../profile/types.js';
import type { PinnedMount } from '../plan/binds.js';
import type { ProbeReport } from '../probe/types.js';

export const stateDir = (env: NodeJS.ProcessEnv = process.env) => env.HERMIT_STATE_DIR ?? '/var/lib/hermit';

export interface ProbeRecord {
  /** ISO time the probe finished. */
  at: string;
  profile: string;
  /** The profile file it ran with, so `status` without a profile can check the rules. */
  file: string;
  containerId: string;
  ok: boolean;
  report: ProbeReport;
  /** The engine's folder of network namespaces, as this container's showed it: where the next run
   * of the profile starts its probe worker while Docker starts the container (early-worker.ts). */
  netnsDir?: string;
}

/** What the boot unit needs to put hermit's rules back before dockerd starts containers. */
export interface RulesRecord {
  at: string;
  profile: string;
  file: string;
  /** The firewall they were applied with; absent in records written before nftables: iptables. */
  backend?: FirewallBackend;
  rulesets: Ruleset[];
}

/** The guard's (or a run's) last verification of the guarantee, for `hermit status`. */
export interface VerifyRecord {
  at: string;
  profile: string;
  /** What verified: "hermit guard (interval)", "hermit guard (docker event: network connect)", "hermit guard --boot". */
  by: string;
  ok: boolean;
  /** What was found and done, one line each. */
  actions: string[];
}

const stateFile = (profile: string, name: string) => join(stateDir(), profile, name);

async function writeJson(dest: string, value: unknown): Promise<void> {
  await mkdir(dirname(dest), { recursive: true, mode: 0o700 });
  // Write then rename: a reader never sees half a file (pid in the name: concurrent writers).
  const tmp = `${dest}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, dest);
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

const writeRecord = (profile: string, name: string, value: unknown) => writeJson(stateFile(profile, name), value);
const readRecord = <T>(profile: string, name: string) => readJson<T>(stateFile(profile, name));

/** @param netns the container's network namespace file (Docker's SandboxKey): its folder is kept. */
export async function recordProbe(file: string, containerId: string, report: ProbeReport, netns?: string): Promise<void> {
  const record: ProbeRecord = { at: new Date().toISOString(), profile: report.profile, file, containerId, ok: report.ok, report, ...(netns ? { netnsDir: dirname(netns) } : {}) };
  await writeRecord(report.profile, 'last-probe.json', record);
}

export const lastProbe = (profile: string) => readRecord<ProbeRecord>(profile, 'last-probe.json');

/** Whether a record already says this, its time aside (the same JSON): then it is not written again. */
const sameRecord = <T extends { at: string }>(previous: T | undefined, next: T) =>
  !!previous && JSON.stringify({ ...previous, at: '' }) === JSON.stringify({ ...next, at: '' });

/**
 * @param previous the record as read before (under the host lock): when it says the same, nothing
 *   is written, and its time stays that of the last change.
 * @returns whether the record was written.
 */
export async function recordRules(profile: string, file: string, backend: FirewallBackend, rulesets: Ruleset[], previous?: RulesRecord): Promise<boolean> {
  const record: RulesRecord = { at: new Date().toISOString(), profile, file, backend, rulesets };
  if (sameRecord(previous, record)) return false;
  await writeRecord(profile, 'rules.json', record);
  return true;
}

/**
 * Whether nftables may still hold rules of the profile, by its record: yes without one, or when
 * its last successful run used nftables. A run with iptables removes the profile's nftables table
 * before it records iptables (plan.ts, leftByOtherBackend), and so does `down` before it forgets.
 */
export const nftablesMayHold = (record: RulesRecord | undefined): boolean => !record || (record.backend ?? 'iptables') !== 'iptables';

export const savedRules = (profile: string) => readRecord<RulesRecord>(profile, 'rules.json');

/** The pinned binds last applied (plan/binds.ts), which `hermit guard --boot` binds again before dockerd starts. */
export interface BindsRecord { at: string; profile: string; pins: PinnedMount[] }

/** @param previous as for recordRules: the same pins are not written again. */
export async function recordBinds(profile: string, pins: PinnedMount[], previous?: BindsRecord): Promise<boolean> {
  const record: BindsRecord = { at: new Date().toISOString(), profile, pins };
  if (sameRecord(previous, record)) return false;
  await writeRecord(profile, 'binds.json', record);
  return true;
}

export const savedBinds = (profile: string) => readRecord<BindsRecord>(profile, 'binds.json');

export async function recordVerified(record: Omit<VerifyRecord, 'at'>): Promise<void> {
  await writeRecord(record.profile, 'last-verified.json', { at: new Date().toISOString(), ...record });
}

export const lastVerified = (profile: string) => readRecord<VerifyRecord>(profile, 'last-verified.json');

/** A version of a profile the user approved (`hermit trust`, or the question `hermit run` asks), or
 * one that came from files only root can write. Kept apart from the per-profile records, so that
 * `hermit down` does not forget what the user approved. */
export interface ApprovalRecord {
  at: string;
  profile: string;
  /** "hermit trust", "hermit run (asked)", "root-owned files". */
  by: string;
  /** fingerprint() of `approved`. */
  fingerprint: string;
  /** The resolved profile in its approval form (secret env values replaced by digests). */
  approved: Profile;
  /** The files it was resolved from (the profile's file first, then what it extends). */
  files: string[];
}

// Kept by the profile's name and the real path of its file: a file of the same name elsewhere (a
// subfolder's hermit.yaml, a project .hermit/<name>.yaml) is another profile to approve.
const approvalKey = (profile: string, realFile: string) => `${profile}@${createHash('sha256').update(realFile).digest('hex').slice(0, 16)}`;
const approvalFile = (profile: string, realFile: string) => join(stateDir(), '.approved', `${approvalKey(profile, realFile)}.json`);
/** Where records were kept before they were keyed by path too: honoured for the file it names. */
const legacyApprovalFile = (profile: string) => join(stateDir(), '.approved', `${profile}.json`);

const realOf = (file: string) => {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
};

export async function recordApproval(record: Omit<ApprovalRecord, 'at'>): Promise<void> {
  await writeJson(approvalFile(record.profile, realOf(record.files[0]!)), { at: new Date().toISOString(), ...record });
}

/** The version of profile `profile` from `file` that was approved, if any. */
export async function approvalOf(profile: string, file: string): Promise<ApprovalRecord | undefined> {
  const real = realOf(file);
  const record = await readJson<ApprovalRecord>(approvalFile(profile, real));
  if (record) return record;
  const legacy = await readJson<ApprovalRecord>(legacyApprovalFile(profile));
  return legacy?.files[0] !== undefined && realOf(legacy.files[0]) === real ? legacy : undefined;
}

/** Every approved version of a profile file, whatever its name (the name is the file's to say). */
export async function approvalsOfFile(file: string): Promise<ApprovalRecord[]> {
  const dir = join(stateDir(), '.approved');
  const real = realOf(file);
  const records = await Promise.all((await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).map((n) => readJson<ApprovalRecord>(join(dir, n))));
  return records.filter((r): r is ApprovalRecord => r?.files[0] !== undefined && realOf(r.files[0]) === real);
}

/** Build inputs (Dockerfile and context) approved for a profile's image, kept beside its approval
 * (by the profile's name and the real path of its file, like it). */
export interface BuildApprovalRecord {
  at: string;
  profile: string;
  /** The profile's file. */
  file: string;
  by: string;
  /** The digest of the Dockerfile and every context entry (src/profile/build-inputs.ts). */
  digest: string;
  dockerfile: { file: string; text: string; digest: string };
  context: string;
  /** Context entries: relative path → "file 644 <sha256>", "dir 755", "symlink 777 <sha256>". */
  files: Record<string, string>;
}

const buildApprovalFile = (profile: string, file: string) => join(stateDir(), '.approved', 'builds', `${approvalKey(profile, realOf(file))}.json`);

export async function recordBuildApproval(record: Omit<BuildApprovalRecord, 'at'>): Promise<void> {
  await writeJson(buildApprovalFile(record.profile, record.file), { at: new Date().toISOString(), ...record });
}

export const buildApprovalOf = (profile: string, file: string) => readJson<BuildApprovalRecord>(buildApprovalFile(profile, file));

/** The file hermit last ran a profile from (its rules or probe record), if it can be read here. */
export function recordedFileSync(profile: string): string | undefined {
  for (const name of ['rules.json', 'last-probe.json']) {
    try {
      const file = (JSON.parse(readFileSync(stateFile(profile, name), 'utf8')) as { file?: unknown }).file;
      if (typeof file === 'string') return file;
    } catch {
      // No record, or not readable by this user.
    }
  }
  return undefined;
}

/** Profiles with a record, read synchronously (shell completion); none when the state is not readable here. */
export function recordedProfilesSync(): string[] {
  try {
    return readdirSync(stateDir()).filter((n) => !n.startsWith('.'));
  } catch {
    return [];
  }
}

/** Profiles with a record (dot files are hermit's own: the host lock, approvals). */
export async function recordedProfiles(): Promise<string[]> {
  return (await readdir(stateDir()).catch(() => [] as string[])).filter((n) => !n.startsWith('.'));
}

export async function forget(profile: string): Promise<void> {
  await rm(join(stateDir(), profile), { recursive: true, force: true });
}
