// The guard's verification as a pure function: a profile and what was observed on the host → the
// ways the guarantee drifted, each with what would restore it. Effects live in guard.ts.
import type { ExistingContainer, HostFacts } from '../plan/host-facts.js';
import type { FirewallChange } from '../firewall/iptables.js';
import { LABEL_PROFILE } from '../plan/labels.js';
import { planNetwork } from '../plan/network.js';
import { firewallChanges, wantedRulesets } from '../plan/plan.js';
import type { Profile, ProxyContainer } from '../profile/types.js';
import { proxyContainerOf } from '../plan/egress.js';
import { type ProbeRecord, stateDir } from '../state/store.js';
import { inPlace, pinnedMounts } from '../plan/binds.js';

export type Drift =
  /** hermit's chains or jumps differ from the profile's: one atomic restore per family fixes it. */
  | { kind: 'rules'; fix: FirewallChange }
  /** The container is on a network besides its own: a path around the bridge's rules. */
  | { kind: 'extra-network'; networks: string[] }
  /** The container (re)started since its isolation was last proven. */
  | { kind: 'unproven'; reason: string }
  /** Something hermit cannot put right by itself: the container must not keep running. */
  | { kind: 'fatal'; reason: string };

export interface Findings {
  profile: string;
  container?: ExistingContainer;
  /** A same-named container hermit did not start: left alone. */
  foreign: boolean;
  /** Neither container nor network exists (never run here, or `hermit down`): nothing to guard. */
  absent: boolean;
  drifts: Drift[];
}

export { wantedRulesets };

export const describeDrift = (d: Drift): string =>
  d.kind === 'rules' ? `${d.fix.what} drifted: ${d.fix.changes.join(', ')}`
    : d.kind === 'extra-network' ? `container is also on network(s) ${d.networks.join(', ')}: a path around the rules`
      : d.reason;

/** The proxy must sit on exactly hermit's bridge and (allowlist mode) the agent's internal network.
 * Gone, it is fatal only where it is the agent's only way out; the credentials' proxy of the
 * default mode missing is an outage of those services, not a breach. */
function proxyDrifts(profile: Profile, proxy: ProxyContainer, facts: HostFacts): Drift[] {
  const px = facts.proxy?.container;
  if (!px || px.labels[LABEL_PROFILE] !== profile.name) return proxy.network ? [{ kind: 'fatal', reason: `proxy ${proxy.container} is gone (the agent's only way out)` }] : [];
  const want = [profile.network.name, ...(proxy.network ? [proxy.network.name] : [])];
  const extra = px.networks.filter((n) => !want.includes(n));
  if (extra.length > 0) return [{ kind: 'fatal', reason: `proxy ${proxy.container} is also on network(s) ${extra.join(', ')}: a path around the rules` }];
  if (px.running && !want.every((n) => px.networks.includes(n))) return [{ kind: 'fatal', reason: `proxy ${proxy.container} is not on ${want.join(' and ')}` }];
  return [];
}

/**
 * The container's host paths must come from hermit's pinned binds, each still holding the source
 * at its approved path (facts.binds, when read). Anything else is fatal: what Docker mounts at the
 * next start could be what a link points to, and a stale bind is not what was approved either.
 */
function bindDrifts(profile: Profile, facts: HostFacts, c: ExistingContainer): Drift[] {
  const out: Drift[] = [];
  for (const pin of pinnedMounts(profile, stateDir())) {
    const mounted = c.binds?.find((b) => b.destination === pin.container);
    if (c.binds && mounted?.source !== pin.target) {
      out.push({ kind: 'fatal', reason: `container mounts ${mounted ? mounted.source : 'nothing'} at ${pin.container}, not hermit's pinned bind ${pin.target} of ${pin.source}` });
      continue;
    }
    const f = facts.binds?.find((x) => x.target === pin.target);
    if (!facts.binds) continue;
    if (f?.refused) out.push({ kind: 'fatal', reason: f.refused.message });
    else if (!inPlace(f)) out.push({ kind: 'fatal', reason: `${pin.key}: ${pin.source} is ${f?.bound ? 'no longer the folder bound at' : 'not bound at'} ${pin.target} (hermit run binds it again and recreates the container)` });
  }
  return out;
}

export function verify(profile: Profile, facts: HostFacts, probe?: ProbeRecord): Findings {
  const c = facts.container;
  const foreign = !!c && c.labels[LABEL_PROFILE] !== profile.name;
  const absent = !c && !facts.networks.some((n) => n.name === profile.network.name);
  const findings: Findings = { profile: profile.name, ...(c && !foreign ? { container: c } : {}), foreign, absent, drifts: [] };
  if (foreign || absent) return findings;
  const drifts = findings.drifts;
  const running = !!c && (c.running || c.status === 'restarting');

  try {
    for (const fix of firewallChanges(profile, facts)) if (fix.payload) drifts.push({ kind: 'rules', fix });
  } catch (e) {
    drifts.push({ kind: 'fatal', reason: `the host cannot hold hermit's rules: ${(e as Error).message}` });
  }

  if (!running) return findings;
  try {
    if (planNetwork(profile, facts).kind === 'create') drifts.push({ kind: 'fatal', reason: `network ${profile.network.name} is gone` });
  } catch (e) {
    drifts.push({ kind: 'fatal', reason: (e as Error).message });
  }
  // In allowlist mode the agent's own network is the internal one; the proxy is its only way out.
  const own = profile.proxy?.network.name ?? profile.network.name;
  const extra = c.networks.filter((n) => n !== own);
  if (extra.length > 0) drifts.push({ kind: 'extra-network', networks: extra });
  if (!c.networks.includes(own)) drifts.push({ kind: 'fatal', reason: `container is not on its network ${own}` });
  const proxy = proxyContainerOf(profile);
  if (proxy) drifts.push(...proxyDrifts(profile, proxy, facts));
  drifts.push(...bindDrifts(profile, facts, c));
  const engine = facts.engine?.container;
  if (!probe || probe.containerId !== c.id) drifts.push({ kind: 'unproven', reason: 'no probe of this container yet' });
  else if (!probe.ok) drifts.push({ kind: 'unproven', reason: 'its last probe failed' });
  else if (Date.parse(c.startedAt) > Date.parse(probe.at)) drifts.push({ kind: 'unproven', reason: `container started at ${c.startedAt}, after its last probe` });
  // docker: an engine that (re)started has a new nested namespace: its path is proven again.
  else if (profile.docker && engine?.running && Date.parse(engine.startedAt) > Date.parse(probe.at)) {
    drifts.push({ kind: 'unproven', reason: `docker engine ${engine.name} started at ${engine.startedAt}, after the last probe` });
  }
  return findings;
}
