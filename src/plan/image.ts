// The image step: use the local image, build it from the profile's context, or let docker run
// pull it. `hermit update` rebuilds it (build --pull) or pulls it first. The agent's image is built
// behind the profile's own rules: its RUN steps run on the network the agent itself uses (the
// legacy builder takes a user network), through the proxy in allowlist mode, and its context is
// the tar hermit made of the approved inputs, read from stdin.
import { dockerfileName } from '../profile/build-inputs.js';
import type { Profile } from '../profile/types.js';
import { agentNetwork, proxyEnv } from './egress.js';
import type { HostFacts } from './host-facts.js';

/** A docker CLI invocation as data; env holds extra variables for the CLI process. */
export interface DockerCall {
  args: string[];
  env: Record<string, string>;
}

export type ImageAction =
  | { kind: 'present'; id: string }
  /** The agent's image: the context tar goes to the build's stdin. */
  | ({ kind: 'build'; reason: string } & DockerCall)
  /** Not here and no build context: `docker run` pulls it. */
  | { kind: 'pull'; reason: string };

/** The legacy builder: it needs no buildx plugin and works with every engine hermit supports. */
export const BUILD_ENV: Record<string, string> = { DOCKER_BUILDKIT: '0' };

/** A build from a context folder docker reads itself: hermit's own proxy image, from its root-owned recipe. */
export function buildCall(profile: Profile, pull: boolean): DockerCall | undefined {
  const b = profile.build;
  if (!b) return undefined;
  const args = ['build', ...(pull ? ['--pull'] : []), '--tag', profile.image];
  if (b.dockerfile) args.push('--file', b.dockerfile);
  return { args: [...args, b.context], env: { ...BUILD_ENV } };
}

/** Proxy settings a RUN step reads (Docker's predefined build args: they do not need an ARG line). */
const PROXY_BUILD_ARGS = ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY'];

/**
 * The agent's image build: on the agent's network (in allowlist mode the internal one, with the
 * proxy as build args), the context a tar on stdin in which the Dockerfile is `--file`.
 */
export function agentBuildCall(profile: Profile, pull: boolean): DockerCall | undefined {
  const b = profile.build;
  if (!b) return undefined;
  const proxy = profile.proxy ? proxyEnv(profile.proxy) : {};
  return {
    args: ['build', ...(pull ? ['--pull'] : []), '--network', agentNetwork(profile),
      ...PROXY_BUILD_ARGS.filter((k) => proxy[k]).flatMap((k) => ['--build-arg', `${k}=${proxy[k]}`]),
      '--tag', profile.image, '--file', dockerfileName(b), '-'],
    env: { ...BUILD_ENV },
  };
}

/** @param rebuild hermit update: build again even when the image is here (with --pull unless --no-pull). */
export function planImage(profile: Profile, facts: HostFacts, rebuild?: { pull: boolean }): ImageAction {
  const again = rebuild && agentBuildCall(profile, rebuild.pull);
  if (again) return { kind: 'build', reason: `rebuild image ${profile.image}${rebuild.pull ? ' (--pull)' : ''}`, ...again };
  if (facts.imageId) return { kind: 'present', id: facts.imageId };
  const build = agentBuildCall(profile, false);
  if (build) return { kind: 'build', reason: `build image ${profile.image} (not on this host)`, ...build };
  return { kind: 'pull', reason: `image ${profile.image} is not on this host: docker run pulls it` };
}

/** What `hermit update` runs before planning for an image it does not build: a pull (nothing with --no-pull). */
export function refreshImage(profile: Profile, pull: boolean): DockerCall | undefined {
  return !profile.build && pull ? { args: ['pull', profile.image], env: {} } : undefined;
}
