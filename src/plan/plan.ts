// The whole plan for `hermit run`: a pure function of the profile and what was observed.
import type { Profile } from '../profile/types.js';
import type { ProbePlan } from '../probe/types.js';
import { type ContainerAction, type RunExtras, agentSidecar, dockerRun, planContainer } from './container.js';
import { type ImageAction, planImage } from './image.js';
import type { FirewallFacts, HostFacts } from './host-facts.js';
import { type FirewallChange, allFirewalls, firewallFor } from '../firewall/index.js';
import { type NetworkAction, planNetwork } from './network.js';
import type { Ruleset } from './ruleset.js';
import { type ProxyPlan, planProxy } from './proxy.js';
import type { Sidecar, SidecarPlan } from './sidecar.js';
import { refuseHeldKeys } from './credentials.js';
import { proxyContainerOf } from './egress.js';
import { planProbe } from './targets.js';
import { planEngine } from './engine.js';
import { type BindAction, pinnedMounts, planBinds, rebindReason } from './binds.js';
import { stateDir } from '../state/store.js';

export interface Plan {
  profile: string;
  image: ImageAction;
  network: NetworkAction;
  firewall: FirewallChange[];
  /** The profile's host paths, bound by hermit where Docker mounts them from (binds.ts). */
  binds: BindAction[];
  /** The agent's container as described to the sidecar step, and what to do with it. */
  agent: Sidecar;
  container: ContainerAction;
  /** The containers beside the agent, in the order they start: the proxy (allowlist mode), the
   * docker engine (`docker:`). One that shares the agent's network namespace starts after it. */
  sidecars: SidecarPlan[];
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

/** Refuses hosts where the backend's rules would not protect anything (hermit's iptables rules in
 * DOCKER-USER, where Docker has none). */
export function checkFirewallBackend(fw: FirewallFacts): void {
  firewallFor(fw.backend).check(fw);
}

/** The rulesets the profile wants on this host, fitted to the backend in use: the payload, the
 * comparison and the --dry-run text all come from these. */
export function wantedRulesets(profile: Profile, facts: Pick<HostFacts, 'addresses' | 'firewall'>): Ruleset[] {
  return firewallFor(facts.firewall.backend).wanted(profile, facts.addresses.map((a) => a.address), facts.firewall);
}

/**
 * What makes the host's rules exactly the profile's, with the backend in use (empty changes:
 * already so); then the removal of what the other backend still holds of the profile (a run with
 * another HERMIT_FIREWALL), which would refuse an exception first or tell status another story.
 */
export function firewallChanges(profile: Profile, facts: Pick<HostFacts, 'addresses' | 'firewall'>): FirewallChange[] {
  const fw = facts.firewall;
  const backend = firewallFor(fw.backend);
  backend.check(fw);
  return [...backend.plan(profile, wantedRulesets(profile, facts), fw), ...leftByOtherBackend(profile.name, fw)];
}

/** The profile's rules in the backend not in use, as removals (with their reverts); none when there are none. */
function leftByOtherBackend(profile: string, fw: FirewallFacts): FirewallChange[] {
  const left = allFirewalls.filter((b) => b.name !== fw.backend).flatMap((b) => b.teardown(profile, fw));
  const why = (c: FirewallChange) => `${c.backend}, left by a run with the other backend`;
  return left.filter((c) => c.payload !== null).map((c) => ({ ...c, what: `${c.what} (${why(c)})`, changes: c.changes.map((x) => `${x} (${why(c)})`) }));
}

export function makePlan(profile: Profile, facts: HostFacts, opts: PlanOptions): Plan {
  const firewall = firewallChanges(profile, facts);
  const run = dockerRun(profile, opts.extras, opts.environment);
  const credentials = proxyContainerOf(profile)?.credentials;
  if (credentials) refuseHeldKeys(run.env, facts.proxy?.credentialValues, credentials);
  // The bridge first: a bridge that differs from the profile (a switch into allowlist mode) is the
  // problem to report, not the internal network that would overlap it.
  const network = planNetwork(profile, facts);
  const proxy = planProxy(profile, facts, { replace: opts.replace });
  const binds = planBinds(pinnedMounts(profile, stateDir(opts.environment)), facts.binds ?? []);
  const rebind = rebindReason(binds);
  const container = planContainer(profile, run, facts, { replace: opts.replace, followImage: opts.followImage ?? false, ...(rebind ? { rebind } : {}) });
  const engine = planEngine(profile, facts, { replace: opts.replace, stateDir: stateDir(opts.environment), agent: container });
  return {
    profile: profile.name,
    image: planImage(profile, facts, opts.rebuild),
    network,
    firewall,
    binds,
    agent: agentSidecar(profile, run),
    container,
    sidecars: [...(proxy ? [proxy] : []), ...(engine ? [engine] : [])],
    ...(proxy ? { proxy } : {}),
    probe: planProbe(profile, facts),
  };
}
