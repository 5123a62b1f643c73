// The whole plan for `hermit run`: a pure function of the profile and what was observed.
import { HermitError } from '../errors.js';
import type { Profile } from '../profile/types.js';
import type { ProbePlan } from '../probe/types.js';
import { type ContainerAction, type RunExtras, dockerRun, planContainer } from './container.js';
import { type ImageAction, planImage } from './image.js';
import type { FirewallFacts, HostFacts } from './facts.js';
import { type FirewallChange, planFirewall } from './firewall.js';
import { type NetworkAction, planNetwork } from './network.js';
import { buildRuleset } from './ruleset.js';
import { type ProxyPlan, planProxy } from './proxy.js';
import { planProbe } from './targets.js';

export interface Plan {
  profile: string;
  image: ImageAction;
  network: NetworkAction;
  firewall: FirewallChange[];
  container: ContainerAction;
  /** Allowlist mode: the proxy, its configuration and the agent's internal network. */
  proxy?: ProxyPlan;
  probe: ProbePlan;
}

export interface PlanOptions {
  extras: RunExtras;
  environment: NodeJS.ProcessEnv;
  replace: boolean;
  /** hermit update: a container running an older image than the tag names is recreated. */
  followImage?: boolean;
}

/** Refuses hosts where rules in DOCKER-USER would not protect anything. */
export function checkFirewallBackend(fw: FirewallFacts): void {
  if (fw.dockerBackend === 'nftables') {
    throw new HermitError(
      'host',
      "Docker's firewall backend is nftables: it has no DOCKER-USER chain, so hermit's iptables rules would not protect the container",
      'Run dockerd with the iptables backend (remove "firewall-backend": "nftables" from /etc/docker/daemon.json, or set it to "iptables") and restart Docker',
    );
  }
  if (fw.dockerChainsInOtherVariant) {
    const other = fw.variant === 'nft' ? 'legacy' : 'nft';
    throw new HermitError(
      'host',
      `Docker's chains are in iptables-${other}, but this host's iptables is iptables-${fw.variant}: rules hermit wrote would be invisible to Docker's`,
      `Make both use one variant: update-alternatives --set iptables /usr/sbin/iptables-${other} (and ip6tables likewise), or restart dockerd after switching`,
    );
  }
}

export function makePlan(profile: Profile, facts: HostFacts, opts: PlanOptions): Plan {
  checkFirewallBackend(facts.firewall);
  const hostAddresses = facts.addresses.map((a) => a.address);
  const firewall = [planFirewall(buildRuleset(profile, 4, hostAddresses), facts.firewall.save4)];
  if (facts.firewall.save6 !== '') firewall.push(planFirewall(buildRuleset(profile, 6, hostAddresses), facts.firewall.save6));
  else if (profile.network.ipv6) {
    throw new HermitError('host', 'the profile turns IPv6 on, but ip6tables is not available on this host', 'Install ip6tables, or set network.ipv6: false');
  }
  const run = dockerRun(profile, opts.extras, opts.environment);
  // The bridge first: a bridge that differs from the profile (a switch into allowlist mode) is the
  // problem to report, not the internal network that would overlap it.
  const network = planNetwork(profile, facts);
  const proxy = planProxy(profile, facts, { replace: opts.replace });
  return {
    profile: profile.name,
    image: planImage(profile, facts),
    network,
    firewall,
    container: planContainer(profile, run, facts, { replace: opts.replace, followImage: opts.followImage ?? false }),
    ...(proxy ? { proxy } : {}),
    probe: planProbe(profile, facts),
  };
}
