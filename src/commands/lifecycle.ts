// Pieces the lifecycle commands (stop, down, status, ps, logs, shell) share.
import { containers, container as inspectContainer } from '../host/read.js';
import { HermitError } from '../errors.js';
import type { ExistingContainer } from '../plan/host-facts.js';
import { LABEL_PROFILE, LABEL_ROLE } from '../plan/labels.js';
import { ENGINE_ROLE } from '../plan/engine.js';
import { NAME_RULES } from '../profile/names.js';
import type { LoadedProfile, Profile } from '../profile/types.js';
import { loadChecked } from './common.js';
import { enforcedVersion } from '../profile/approval.js';
import { isPathArg } from '../profile/resolve.js';
import { printableLine } from '../report/printable.js';

/** What a lifecycle command acts on: the profile, or only its name when the file is gone or broken. */
export interface Target {
  name: string;
  /** As the user typed it, for hints ("hermit run <arg>"). */
  arg: string;
  profile?: Profile;
  loaded?: LoadedProfile;
}

/** A bare name still works when its file is gone or broken: stop, logs, shell, status and down need
 * only what hermit made under that name (found by its hermit.profile label). A profile the agent
 * may have changed is acted on in its approved version: its container name and user are not the
 * agent's to choose. */
export async function lifecycleTarget(arg: string): Promise<Target> {
  const read = readTarget(arg);
  if (!read.loaded) return read;
  const { loaded, why } = await enforcedVersion(read.loaded);
  if (why) process.stderr.write(`hermit: ${printableLine(why)}\n`);
  if (loaded) return { name: loaded.profile.name, arg, profile: loaded.profile, loaded };
  // Never approved: the name the user typed still finds what hermit made under it; a path's name is the file's to say.
  if (isPathArg(arg) || read.name !== arg) {
    throw new HermitError('usage', `profile ${printableLine(read.loaded.file)} is not approved, so hermit does not act on the names it gives`,
      `Approve it (sudo hermit trust ${printableLine(read.loaded.file)}), or give the name of the profile hermit ran instead of its file (hermit ps lists them)`);
  }
  return { name: arg, arg };
}

/** The profile as it is on disk (approved or not), or only its name when the file is gone or broken. */
export function readTarget(arg: string): Target {
  try {
    const loaded = loadChecked(arg);
    return { name: loaded.profile.name, arg, profile: loaded.profile, loaded };
  } catch (err) {
    if (!(err instanceof HermitError) || err.kind !== 'usage' || !NAME_RULES.profile.re.test(arg)) throw err;
    process.stderr.write(`hermit: profile '${arg}' could not be read (${printableLine(err.message.split('\n')[0]!)}); using what hermit made under that name\n`);
    return { name: arg, arg };
  }
}

/** The target's container: by the profile's container name, or without the profile by its label. */
export async function targetContainer(t: Target): Promise<ExistingContainer | undefined> {
  if (t.profile) return profileContainer(t.profile);
  // The agent's: not the proxy or the engine beside it (they carry a role).
  const labelled = (await containers()).filter((c) => c.labels[LABEL_PROFILE] === t.name && !c.labels[LABEL_ROLE]);
  return labelled.find((c) => c.running) ?? labelled[0];
}

/** The target's docker engine (`docker:`), by its name, or without the profile by its labels. */
export async function targetEngine(t: Target): Promise<ExistingContainer | undefined> {
  const mine = (c: ExistingContainer | undefined) => c?.labels[LABEL_PROFILE] === t.name && c.labels[LABEL_ROLE] === ENGINE_ROLE;
  if (t.profile) {
    if (!t.profile.docker) return undefined;
    const c = await inspectContainer(t.profile.docker.container);
    return mine(c) ? c : undefined;
  }
  return (await containers()).find(mine);
}

/** The profile's container, if any; one with its name that hermit did not start is refused. */
export async function profileContainer(profile: Profile): Promise<ExistingContainer | undefined> {
  const c = await inspectContainer(profile.container.name);
  if (c && c.labels[LABEL_PROFILE] !== profile.name) {
    throw new HermitError('usage', `container ${c.name} was not started by hermit for profile '${profile.name}'; hermit leaves it alone`,
      'Use docker directly for that container, or give the profile another container.name');
  }
  return c;
}

/** The target's running container, or a usage error that says how to start it. */
export async function runningContainer(t: Target): Promise<ExistingContainer> {
  const c = await targetContainer(t);
  if (!c?.running) {
    const name = c?.name ?? t.profile?.container.name;
    throw new HermitError('usage', name ? `container ${name} of profile '${t.name}' is ${c ? c.status : 'not there'}` : `profile '${t.name}' has no container`,
      `Start it with: hermit run ${t.arg}`);
  }
  return c;
}

export const printJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
