// The question before building the agent's image: its inputs (Dockerfile and context) are
// approved content, like the profile. Read right before a build, never on the way of a run whose
// image is there. Inputs only root can write are recorded as they are; others are shown (the
// Dockerfile as a diff, the context's changed files) and asked about, or refused without a terminal.
import { HermitError } from '../errors.js';
import { type BuildInputs, entryRecord, snapshotBuildInputs } from '../profile/build-inputs.js';
import { existingRealpath } from '../profile/load.js';
import type { LoadedProfile } from '../profile/types.js';
import { insideWritableMounts } from '../profile/writers.js';
import { renderBuildApproval, renderBuildTrust } from '../report/build-inputs.js';
import { printableLine } from '../report/printable.js';
import { type BuildApprovalRecord, buildApprovalOf, recordBuildApproval } from '../state/store.js';
import { type Asker, checkApproval, terminalAsker } from './ask-approval.js';

const record = (loaded: LoadedProfile, inputs: BuildInputs, by: string) => recordBuildApproval({
  profile: loaded.profile.name, file: loaded.file, by, digest: inputs.digest, dockerfile: { file: inputs.dockerfile.file, text: inputs.dockerfile.text, digest: inputs.dockerfile.digest },
  context: inputs.build.context, files: entryRecord(inputs.entries),
});

/** Who besides root could change what the build reads: the inputs, the profile that names them, a writable mount over them. */
async function buildWriters(loaded: LoadedProfile, inputs: BuildInputs): Promise<string[]> {
  const mounted = insideWritableMounts([inputs.build.context, inputs.dockerfile.file], loaded.profile, existingRealpath);
  return [...inputs.writers, ...mounted, ...(await checkApproval(loaded)).writers];
}

export interface BuildCheck {
  inputs: BuildInputs;
  /** approved: this digest was approved; trusted: only root can change the inputs (recorded without asking). */
  state: 'approved' | 'trusted' | 'unapproved';
  approved?: BuildApprovalRecord;
  writers: string[];
}

/** Reads the build inputs (refusing an `ADD <url>`) and says whether they may be built from. */
export async function checkBuildInputs(loaded: LoadedProfile): Promise<BuildCheck> {
  const build = loaded.profile.build;
  if (!build) throw new Error('checkBuildInputs: the profile has no build');
  const inputs = snapshotBuildInputs(build);
  const approved = await buildApprovalOf(loaded.profile.name, loaded.file);
  if (approved?.digest === inputs.digest) return { inputs, state: 'approved', approved, writers: [] };
  const writers = await buildWriters(loaded, inputs);
  return { inputs, state: writers.length === 0 ? 'trusted' : 'unapproved', ...(approved ? { approved } : {}), writers };
}

/**
 * The profile's build inputs, read once and approved: the bytes the build gets (contextTar).
 * Unapproved inputs are asked about in a terminal, else refused (exit 2).
 */
export async function approvedBuildInputs(loaded: LoadedProfile, command: string, ask: Asker = terminalAsker): Promise<BuildInputs> {
  const { inputs, state, approved, writers } = await checkBuildInputs(loaded);
  if (state === 'approved') return inputs;
  if (state === 'trusted') {
    await record(loaded, inputs, 'root-owned files').catch(() => undefined);
    return inputs;
  }
  const summary = renderBuildApproval(loaded.profile.name, { ...inputs, writers }, approved);
  const answer = ask(`${summary}\nApprove these build inputs of profile '${loaded.profile.name}' and build? [y/N] `);
  if (answer === undefined) {
    throw new HermitError('usage', `${summary}\nhermit ${command}: nothing was changed`,
      `Read the above, then approve them with: sudo hermit trust ${printableLine(loaded.file)}   (it shows them again and asks; --yes without a terminal)`);
  }
  if (!(await answer)) throw new HermitError('usage', `build inputs of profile '${loaded.profile.name}' not approved; nothing was changed`, `Approve them later with: sudo hermit trust ${loaded.file}`);
  await record(loaded, inputs, `hermit ${command} (asked)`);
  return inputs;
}

export interface BuildTrust {
  /** Summary lines for `hermit trust`. */
  lines: string[];
  json: { digest: string; dockerfile: string; files: number; approved: boolean; previous?: Pick<BuildApprovalRecord, 'at' | 'by' | 'digest'> };
  /** Records these inputs as approved (nothing when they already are). */
  approve(): Promise<void>;
}

/** What `hermit trust` shows and records about a profile's build inputs; undefined without a build. */
export async function buildTrust(loaded: LoadedProfile): Promise<BuildTrust | undefined> {
  if (!loaded.profile.build) return undefined;
  const inputs = snapshotBuildInputs(loaded.profile.build);
  const previous = await buildApprovalOf(loaded.profile.name, loaded.file);
  const same = previous?.digest === inputs.digest;
  return {
    lines: renderBuildTrust(inputs, previous),
    json: { digest: inputs.digest, dockerfile: inputs.dockerfile.digest, files: inputs.entries.filter((e) => e.type !== 'dir').length, approved: same,
      ...(previous ? { previous: { at: previous.at, by: previous.by, digest: previous.digest } } : {}) },
    approve: async () => { if (!same) await record(loaded, inputs, 'hermit trust'); },
  };
}
