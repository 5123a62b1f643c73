// Whether a loaded profile may be applied: the version the user approved, a version that only
// narrows it, or files only root can write. Shared by run, update, probe, trust, status and the guard.
import { HermitError } from '../errors.js';
import { withEnvFile } from './env-file.js';
import { profileEnv } from './host-env.js';
import { existingRealpath } from './load.js';
import { type Change, approvalForm, compareProfiles, fingerprint, onlyNarrows } from './trust.js';
import type { LoadedProfile, Profile } from './types.js';
import { insideWritableMounts, otherWriters } from './writers.js';
import { type ApprovalRecord, approvalOf, recordApproval } from '../state/store.js';

export type ApprovalState =
  /** This exact version was approved. */
  | 'approved'
  /** Only root could have written its files, and the container cannot: applied as it is. */
  | 'trusted-source'
  /** Differs from the approved version only by taking grants away. */
  | 'narrows'
  | 'unapproved';

export interface ApprovalCheck {
  state: ApprovalState;
  /** The profile in the form that is approved and stored. */
  form: Profile;
  fingerprint: string;
  files: string[];
  /** Why someone other than root could have changed it (empty: nobody). */
  writers: string[];
  record?: ApprovalRecord;
  /** From the approved version to this one (empty without one, or when equal). */
  changes: Change[];
  /** Why container.envFile could not be read: this version is unapproved and cannot be approved. */
  envFileError?: HermitError;
}

/** The files whose content an approval covers: the profile, those it extends, and its env file.
 * Whoever can write one of them counts as someone who can change the profile. */
export function approvedFiles(loaded: LoadedProfile): string[] {
  const envFile = loaded.profile.container.envFile;
  // The CA file too: whoever can write it can make the proxy trust a server that is not the credential's host.
  const caFile = (loaded.profile.proxy ?? loaded.profile.credentialProxy)?.caFile;
  return [...(loaded.chain ?? [loaded.file]), ...(envFile === undefined ? [] : [envFile]), ...(caFile === undefined ? [] : [caFile])];
}

/**
 * Reads the profile's env file (withEnvFile) unless the caller did: pass the profile the plan uses,
 * so the approved entries are the ones applied. An env file that cannot be read makes the version
 * unapproved (the guard and status go on with the approved one), and cannot be approved.
 */
export async function checkApproval(given: LoadedProfile): Promise<ApprovalCheck> {
  let loaded = given;
  let envFileError: HermitError | undefined;
  try {
    loaded = withEnvFile(given);
  } catch (err) {
    if (!(err instanceof HermitError)) throw err;
    envFileError = err;
  }
  const files = loaded.chain ?? [loaded.file];
  const form = approvalForm(loaded.profile, profileEnv());
  const fp = fingerprint(form);
  const inputs = approvedFiles(loaded);
  const writers = [...inputs.flatMap((f) => otherWriters(f)), ...insideWritableMounts(inputs, loaded.profile, existingRealpath),
    // A file that hides a more trusted profile of its name is used only once approved for its own path.
    ...(loaded.shadows ?? []).map((s) => `${loaded.file} hides ${s}, a more trusted profile of the same name`)];
  const record = await approvalOf(loaded.profile.name, loaded.file);
  const changes = record && record.fingerprint !== fp ? compareProfiles(record.approved, form) : [];
  const state: ApprovalState = envFileError ? 'unapproved'
    : record?.fingerprint === fp ? 'approved'
      : writers.length === 0 ? 'trusted-source'
        : record && onlyNarrows(changes) ? 'narrows'
          : 'unapproved';
  return { state, form, fingerprint: fp, files, writers, ...(record ? { record } : {}), changes, ...(envFileError ? { envFileError } : {}) };
}

export const approve = async (check: ApprovalCheck, by: string) => {
  if (check.envFileError) throw check.envFileError;
  await recordApproval({ profile: check.form.name, by, fingerprint: check.fingerprint, approved: check.form, files: check.files });
};

/** The approved version of a profile, in the shape the guard and status work with. */
export function approvedProfile(record: ApprovalRecord, file: string): LoadedProfile {
  return { profile: record.approved, file, chain: record.files, locate: () => undefined };
}

/**
 * The version of a loaded profile that hermit acts on: the file as it is when it is approved, only
 * root could write it, or it only narrows the approved version; else the approved version; else
 * none (`why` says so). Every command that acts on a profile's names, user or image goes through it.
 */
export async function enforcedVersion(loaded: LoadedProfile): Promise<{ loaded?: LoadedProfile; check: ApprovalCheck; why?: string }> {
  const check = await checkApproval(loaded);
  if (check.state !== 'unapproved') return { loaded, check };
  const how = `approve it with: sudo hermit trust ${loaded.file}`;
  if (check.record) return { loaded: approvedProfile(check.record, loaded.file), check, why: `profile ${loaded.file} changed on disk and is NOT approved; using the version approved ${check.record.at} (${how})` };
  return { check, why: `profile ${loaded.file} is not approved and no version of it ever was (${how})` };
}
