// How the agent reaches out, which its container, its image builds and the proxy plan all need: the
// network it sits on and, in allowlist mode, the proxy environment. Imports no other planner.
import type { Profile, ProxyContainer, ProxySettings } from '../profile/types.js';
import { credentialEnv } from './credentials.js';

/** The proxy hermit runs for the profile, in either mode (none in the default mode without credentials). */
export const proxyContainerOf = (profile: Profile): ProxyContainer | undefined => profile.proxy ?? profile.credentialProxy;

/** What the agent's environment gets from the proxy: allowlist mode's settings, or the default mode's base URLs. */
export const agentProxyEnv = (profile: Profile): Record<string, string> =>
  (profile.proxy ? proxyEnv(profile.proxy) : profile.credentialProxy ? credentialEnv(profile.credentialProxy) : {});

/** In allowlist mode the agent sits on the internal network, the proxy its only way out. */
export const agentNetwork = (profile: Profile) => profile.proxy?.network.name ?? profile.network.name;

/** What the agent gets in allowlist mode, in both spellings tools read, and each credential's base URL. */
export function proxyEnv(proxy: ProxySettings): Record<string, string> {
  return { ...forwardProxyEnv(proxy), ...credentialEnv(proxy) };
}

/** The forward proxy alone, in both spellings: what the agent's docker engine pulls through. */
export function forwardProxyEnv(proxy: ProxySettings): Record<string, string> {
  const url = `http://${proxy.address}:${proxy.port}`;
  // The proxy's own name is the one name the agent resolves (Docker's resolver answers it locally).
  const noProxy = ['localhost', '127.0.0.1', '::1', proxy.address, proxy.container].join(',');
  return { HTTP_PROXY: url, HTTPS_PROXY: url, http_proxy: url, https_proxy: url, NO_PROXY: noProxy, no_proxy: noProxy };
}
