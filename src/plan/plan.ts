// The whole plan for `hermit run`: a pure function of the profile and what was observed.
import { HermitError } from '../errors.js';
import type { Profile } from '../profile/types.js';
import type { ProbePlan } from '../probe/types.js';
import { type ContainerAction, type RunExtras, dockerRun, planContainer } from './container.js';
import { type ImageAction, planImage } from './image.js';
import type { FirewallFacts, HostFacts } from './facts.js';
import { type FirewallChange, onHost, planFirewall } from '../firewall/iptables.js';
import { type NetworkAction, planNetwork } from './network.js';
import { nftTable, planNft, teardownNft } from '../firewall/nftables.js';
import { teardownFirewall } from '../firewall/iptables.js';
import { type Ruleset, buildRuleset } from './ruleset.js';
import { type ProxyPlan, planProxy } from './proxy.js';
import { planProbe } from './targets.js';
import { type BindAction, pinnedMounts, planBinds, rebindReason } from './binds.js';
import { stateDir } from '../state/store.js';

export interface Plan {
  profile: string;
  image: ImageAction;
  network: NetworkAction;
  firewall: FirewallChange[];
  /** The profile's host paths, bound by hermit where Docker mounts them from (binds.ts). */
  binds: BindAction[];
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
  /** hermit update of a profile with a build context: build the image again. */
  rebuild?: { pull: boolean };
}

/** Refuses hosts where hermit's iptables rules in DOCKER-USER would not protect anything (the
 * nftables backend hooks the kernel itself and needs no chain of Docker's). */
export function checkFirewallBackend(fw: FirewallFacts): void {
  if (fw.backend === 'nftables') return;
  if (fw.dockerBackend === 'nftables') {
    throw new HermitError(
      'host',
      "Docker's firewall backend is nftables: it has no DOCKER-USER chain, so hermit's iptables rules would not protect the container",
      'Unset HERMIT_FIREWALL (or set it to nftables): hermit then writes its rules as an nftables table of its own',
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

/** The rulesets the profile wants on this host: IPv6 too wherever the backend can hold it (nftables
 * always, in its inet table; iptables where ip6tables exists). */
export function wantedRulesets(profile: Profile, facts: Pick<HostFacts, 'addresses' | 'firewall'>): Ruleset[] {
  const addrs = facts.addresses.map((a) => a.address);
  const fw = facts.firewall;
  if (fw.backend === 'nftables') return ([4, 6] as const).map((f) => buildRuleset(profile, f, addrs));
  return ([4, 6] as const).filter((f) => f === 4 || fw.save6 !== '').map((f) => onHost(buildRuleset(profile, f, addrs), f === 4 ? fw.save4 : fw.save6));
}

/**
 * What makes the host's rules exactly the profile's, with the backend in use (empty changes:
 * already so); then the removal of what the other backend still holds of the profile (a run with
 * another HERMIT_FIREWALL), which would refuse an exception first or tell status another story.
 */
export function firewallChanges(profile: Profile, facts: Pick<HostFacts, 'addresses' | 'firewall'>): FirewallChange[] {
  checkFirewallBackend(facts.firewall);
  const fw = facts.firewall;
  const rulesets = wantedRulesets(profile, facts);
  if (fw.backend === 'nftables') return [planNft(profile.name, rulesets, fw.nftTables[nftTable(profile.name)]), ...leftByOtherBackend(profile.name, fw)];
  if (profile.network.ipv6 && fw.save6 === '') {
    throw new HermitError('host', 'the profile turns IPv6 on, but ip6tables is not available on this host', 'Install ip6tables, or set network.ipv6: false');
  }
  return [...rulesets.map((rs) => planFirewall(rs, rs.family === 4 ? fw.save4 : fw.save6)), ...leftByOtherBackend(profile.name, fw)];
}

/** The profile's rules in the backend not in use, as removals (with their reverts); none when there are none. */
function leftByOtherBackend(profile: string, fw: FirewallFacts): FirewallChange[] {
  const left = fw.backend === 'nftables'
    ? [teardownFirewall(profile, 4, fw.save4), ...(fw.save6 === '' ? [] : [teardownFirewall(profile, 6, fw.save6)])]
    : [teardownNft(profile, fw.nftTables[nftTable(profile)])];
  const why = (c: FirewallChange) => `${c.backend === 'nftables' ? 'nftables' : 'iptables'}, left by a run with the other backend`;
  return left.filter((c) => c.payload !== null).map((c) => ({ ...c, what: `${c.what} (${why(c)})`, changes: c.changes.map((x) => `${x} (${why(c)})`) }));
}

export function makePlan(profile: Profile, facts: HostFacts, opts: PlanOptions): Plan {
  const firewall = firewallChanges(profile, facts);
  const run = dockerRun(profile, opts.extras, opts.environment);
  // The bridge first: a bridge that differs from the profile (a switch into allowlist mode) is the
  // problem to report, not the internal network that would overlap it.
  const network = planNetwork(profile, facts);
  const proxy = planProxy(profile, facts, { replace: opts.replace });
  const binds = planBinds(pinnedMounts(profile, stateDir(opts.environment)), facts.binds ?? []);
  const rebind = rebindReason(binds);
  return {
    profile: profile.name,
    image: planImage(profile, facts, opts.rebuild),
    network,
    firewall,
    binds,
    container: planContainer(profile, run, facts, { replace: opts.replace, followImage: opts.followImage ?? false, ...(rebind ? { rebind } : {}) }),
    ...(proxy ? { proxy } : {}),
    probe: planProbe(profile, facts),
  };
}
