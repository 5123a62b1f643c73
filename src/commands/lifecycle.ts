// Pieces the lifecycle commands (stop, down, status, ps, logs, shell) share.
import { container as inspectContainer } from '../apply/facts.js';
import { HermitError } from '../errors.js';
import type { ExistingContainer } from '../plan/facts.js';
import { LABEL_PROFILE } from '../plan/network.js';
import type { Profile } from '../profile/types.js';

/** The profile's container, if any; one with its name that hermit did not start is refused. */
export async function profileContainer(profile: Profile): Promise<ExistingContainer | undefined> {
  const c = await inspectContainer(profile.container.name);
  if (c && c.labels[LABEL_PROFILE] !== profile.name) {
    throw new HermitError('usage', `container ${c.name} was not started by hermit for profile '${profile.name}'; hermit leaves it alone`,
      'Use docker directly for that container, or give the profile another container.name');
  }
  return c;
}

/** The profile's running container, or a usage error that says how to start it. */
export async function runningContainer(profile: Profile, arg: string): Promise<ExistingContainer> {
  const c = await profileContainer(profile);
  if (!c?.running) {
    throw new HermitError('usage', `container ${profile.container.name} of profile '${profile.name}' is ${c ? c.status : 'not there'}`,
      `Start it with: hermit run ${arg}`);
  }
  return c;
}

export const printJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
