// The image step: use the local image, build it from the profile's context, or let docker run
// pull it. `hermit update` refreshes it first (build --pull, or docker pull).
import type { Profile } from '../profile/types.js';
import type { HostFacts } from './facts.js';

/** A docker CLI invocation as data; env holds extra variables for the CLI process. */
export interface DockerCall {
  args: string[];
  env: Record<string, string>;
}

export type ImageAction =
  | { kind: 'present'; id: string }
  | ({ kind: 'build'; reason: string } & DockerCall)
  /** Not here and no build context: `docker run` pulls it. */
  | { kind: 'pull'; reason: string };

/** The legacy builder: it needs no buildx plugin and works with every engine hermit supports. */
export const BUILD_ENV: Record<string, string> = { DOCKER_BUILDKIT: '0' };

export function buildCall(profile: Profile, pull: boolean): DockerCall | undefined {
  const b = profile.build;
  if (!b) return undefined;
  const args = ['build', ...(pull ? ['--pull'] : []), '--tag', profile.image];
  if (b.dockerfile) args.push('--file', b.dockerfile);
  return { args: [...args, b.context], env: { ...BUILD_ENV } };
}

export function planImage(profile: Profile, facts: HostFacts): ImageAction {
  if (facts.imageId) return { kind: 'present', id: facts.imageId };
  const build = buildCall(profile, false);
  if (build) return { kind: 'build', reason: `build image ${profile.image} (not on this host)`, ...build };
  return { kind: 'pull', reason: `image ${profile.image} is not on this host: docker run pulls it` };
}

/** What `hermit update` runs before planning: a rebuild, or a pull; nothing with pull off and no build. */
export function refreshImage(profile: Profile, pull: boolean): DockerCall | undefined {
  return buildCall(profile, pull) ?? (pull ? { args: ['pull', profile.image], env: {} } : undefined);
}
