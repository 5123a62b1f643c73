// Decides whether the profile's bridge network must be created, and refuses subnets that would
// collide with the host's own networks or another Docker network.
import { HermitError } from '../errors.js';
import { cidrsOverlap, parseCidr } from '../net/cidr.js';
import type { Profile } from '../profile/types.js';
import type { DockerNetwork, HostFacts } from './host-facts.js';
import { LABEL_PROFILE, labelArgs } from './labels.js';



export type NetworkAction =
  | { kind: 'create'; args: string[] }
  | { kind: 'keep'; id: string };

/** internal: the agent's network in allowlist mode, with no route out (its only way out is the proxy). */
export interface NetworkOptions { internal?: boolean }

export function networkCreateArgs(profile: Profile, opts: NetworkOptions = {}): string[] {
  const n = profile.network;
  const args = ['network', 'create', '--driver', 'bridge', ...(opts.internal ? ['--internal'] : []), '--subnet', n.subnet, '--gateway', n.gateway];
  args.push('--opt', `com.docker.network.bridge.name=${n.bridge}`);
  if (n.mtu !== undefined) args.push('--opt', `com.docker.network.driver.mtu=${n.mtu}`);
  if (n.ipv6 && n.subnet6) args.push('--ipv6', '--subnet', n.subnet6);
  args.push(...labelArgs({ [LABEL_PROFILE]: profile.name }), n.name);
  return args;
}

/** Differences between an existing network and what the profile asks for. */
function mismatches(profile: Profile, net: DockerNetwork, internal: boolean): string[] {
  const n = profile.network;
  const out: string[] = [];
  if (!!net.internal !== internal) out.push(internal ? 'it is not internal, profile wants an internal network' : 'it is internal, profile wants a bridge with a route out');
  if (!net.subnets.includes(n.subnet)) out.push(`subnet is ${net.subnets.join(', ') || 'unset'}, profile wants ${n.subnet}`);
  if (!net.gateways.includes(n.gateway)) out.push(`gateway is ${net.gateways.join(', ') || 'unset'}, profile wants ${n.gateway}`);
  if (net.bridge !== n.bridge) out.push(`bridge is ${net.bridge ?? 'unnamed'}, profile wants ${n.bridge}`);
  if (n.mtu !== undefined && net.mtu !== n.mtu) out.push(`MTU is ${net.mtu ?? 'default'}, profile wants ${n.mtu}`);
  if (net.ipv6 !== n.ipv6) out.push(`IPv6 is ${net.ipv6 ? 'on' : 'off'}, profile wants ${n.ipv6 ? 'on' : 'off'}`);
  return out;
}

export function planNetwork(profile: Profile, facts: HostFacts, opts: NetworkOptions = {}): NetworkAction {
  const n = profile.network;
  const existing = facts.networks.find((x) => x.name === n.name);
  if (existing) {
    if (existing.labels[LABEL_PROFILE] !== profile.name) {
      throw new HermitError(
        'usage',
        `Docker network '${n.name}' exists but was not created by hermit for profile '${profile.name}'`,
        `Pick another network.name in the profile, or remove it yourself: docker network rm ${n.name}`,
        ['network', 'name'],
      );
    }
    const diff = mismatches(profile, existing, !!opts.internal);
    if (diff.length > 0) {
      throw new HermitError(
        'usage',
        `Docker network '${n.name}' differs from the profile: ${diff.join('; ')}`,
        `Docker cannot change a network in place. Remove what hermit made for the profile (hermit down ${profile.name}), or stop its containers and remove it yourself (docker rm -f ${existing.containers.join(' ') || '<containers>'}; docker network rm ${n.name}), then run hermit again`,
      );
    }
    return { kind: 'keep', id: existing.id };
  }

  const subnet = parseCidr(n.subnet)!;
  for (const other of facts.networks) {
    const clash = other.subnets.find((s) => {
      const c = parseCidr(s);
      return c !== null && cidrsOverlap(c, subnet);
    });
    if (clash) {
      throw new HermitError(
        'usage',
        `network.subnet ${n.subnet} overlaps Docker network '${other.name}' (${clash})`,
        'Choose another network.subnet in the profile, e.g. an unused 172.30-31.x.0/24',
        ['network', 'subnet'],
      );
    }
    if (other.bridge === n.bridge) {
      throw new HermitError('usage', `network.bridge '${n.bridge}' is already used by Docker network '${other.name}'`, 'Choose another network.bridge', ['network', 'bridge']);
    }
  }
  for (const route of facts.routes) {
    if (route.dst === 'default') continue;
    const c = parseCidr(route.dst);
    if (c && cidrsOverlap(c, subnet)) {
      throw new HermitError(
        'usage',
        `network.subnet ${n.subnet} overlaps the host route ${route.dst}${route.dev ? ` on ${route.dev}` : ''}`,
        'Containers could not reach that network, and hermit cannot tell it apart from the bridge. Choose another network.subnet (a VPN route is a common cause)',
        ['network', 'subnet'],
      );
    }
  }
  if (facts.addresses.some((a) => a.ifname === n.bridge)) {
    throw new HermitError('usage', `network.bridge '${n.bridge}' is an existing interface on this host`, 'Choose another network.bridge', ['network', 'bridge']);
  }
  return { kind: 'create', args: networkCreateArgs(profile, opts) };
}
