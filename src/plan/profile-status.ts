// `hermit status` as a pure function of the inventory: the container's state, whether hermit's
// rules are present and exactly what the profile wants, and the last probe's verdict.
import { proxyContainerOf } from './egress.js';
import { type Judgement, judge } from '../probe/judgement.js';
import type { Profile } from '../profile/types.js';
import type { ProbeRecord, VerifyRecord } from '../state/store.js';
import type { FirewallBackend, Inventory } from './host-facts.js';
import type { FamilyRules } from '../firewall/backend.js';
import { allFirewalls, firewallFor } from '../firewall/index.js';
import { LABEL_PROFILE, LABEL_ROLE } from './labels.js';
import { ENGINE_ROLE } from './engine.js';

export type { RulesState } from '../firewall/backend.js';

export interface ProfileStatus {
  profile: string;
  /** The profile file compared against; absent when hermit only knows the name. */
  file?: string;
  container: {
    name?: string;
    id?: string;
    /** created, running, exited, ... or "missing". */
    state: string;
    running: boolean;
    startedAt?: string;
    restartPolicy?: string;
    /** Whether the container runs the image the profile's tag names now (unknown without the profile or image). */
    image?: 'current' | 'outdated';
    /** A container with the profile's name that hermit did not start. */
    foreign?: boolean;
  };
  network: { name?: string; present: boolean };
  /** The firewall hermit uses on this host (absent when it can use none). */
  firewall?: FirewallBackend;
  /** The proxy container, and in allowlist mode the agent's internal network (the default mode's
   * proxy, for credentials alone, sits on the agent's bridge). */
  proxy?: { name: string; state: string; running: boolean; network?: { name: string; present: boolean } };
  /** `docker:`: the agent's engine (not part of `ok`: the isolation holds without it). */
  engine?: { name: string; state: string; running: boolean };
  rules: FamilyRules[];
  lastProbe?: { at: string; ok: boolean; verdict: Judgement['kind']; checks: number; failed: string[]; containerId: string; ofThisContainer: boolean };
  /** When the guarantee was last verified, and by what (the guard, or the probe of a run). */
  lastVerified?: { at: string; by: string; ok: boolean; actions: string[] };
  /** The profile file changed and that version is not approved: hermit enforces the approved one (if any). */
  unapproved?: { approvedAt?: string; changes: string[] };
  /** Running, rules intact in every family, and the last probe of this very container passed. */
  ok: boolean;
}

export interface StatusInput {
  /** Known when the profile file could be read. */
  profile?: Profile;
  file?: string;
  hostAddresses: string[];
  /** Local ID of the profile's image. */
  imageId?: string;
  probe?: ProbeRecord;
  verified?: VerifyRecord;
  unapproved?: ProfileStatus['unapproved'];
}

/** Profile names that have anything hermit made: labelled containers and networks, chains. */
export function knownProfiles(inv: Inventory, recorded: readonly string[] = []): string[] {
  const names = new Set(recorded);
  for (const x of [...inv.containers, ...inv.networks]) {
    const p = x.labels[LABEL_PROFILE];
    if (p) names.add(p);
  }
  for (const b of allFirewalls) for (const p of b.profilesIn(inv)) names.add(p);
  return [...names].sort();
}

export function profileStatus(name: string, inv: Inventory, input: StatusInput): ProfileStatus {
  const p = input.profile;
  // The agent's: not the proxy or the engine beside it (they carry a role).
  const labelled = inv.containers.filter((c) => c.labels[LABEL_PROFILE] === name && !c.labels[LABEL_ROLE]);
  // With the profile, its container is the one with its name; without, any it labelled.
  const byName = p ? inv.containers.find((c) => c.name === p.container.name) : undefined;
  const c = byName ?? labelled.find((x) => x.running) ?? labelled[0];
  const foreign = !!c && c.labels[LABEL_PROFILE] !== name;
  const container: ProfileStatus['container'] = c
    ? {
        name: c.name, id: c.id, state: c.status, running: c.running, startedAt: c.startedAt, restartPolicy: c.restartPolicy,
        ...(input.imageId && !foreign ? { image: c.image === input.imageId ? 'current' as const : 'outdated' as const } : {}),
        ...(foreign ? { foreign } : {}),
      }
    : { ...(p ? { name: p.container.name } : {}), state: 'missing', running: false };

  const netName = p?.network.name ?? inv.networks.find((n) => n.labels[LABEL_PROFILE] === name)?.name;
  const network = { ...(netName ? { name: netName } : {}), present: inv.networks.some((n) => n.name === netName && n.labels[LABEL_PROFILE] === name) };

  // Without a usable backend, iptables' reading: what it holds, or missing.
  const rules = firewallFor(inv.backend ?? 'iptables').rulesStatus(name, input.profile, input.hostAddresses, inv);

  const px = p && proxyContainerOf(p);
  const pc = px && inv.containers.find((x) => x.name === px.container && x.labels[LABEL_PROFILE] === name);
  const internal = px?.network;
  const proxy = px && {
    name: px.container, state: pc?.status ?? 'missing', running: !!pc?.running,
    ...(internal ? { network: { name: internal.name, present: inv.networks.some((n) => n.name === internal.name && n.labels[LABEL_PROFILE] === name) } } : {}),
  };
  const ec = inv.containers.find((x) => x.labels[LABEL_PROFILE] === name && x.labels[LABEL_ROLE] === ENGINE_ROLE);
  const engineName = p?.docker?.container ?? ec?.name;
  const engine = engineName && { name: engineName, state: ec?.status ?? 'missing', running: !!ec?.running };
  const pr = input.probe;
  const lastProbe = pr
    ? { at: pr.at, ok: pr.ok, verdict: judge(pr.report).kind, checks: pr.report.rows.length, failed: pr.report.rows.filter((r) => !r.ok).map((r) => r.target), containerId: pr.containerId, ofThisContainer: !!c && pr.containerId === c.id }
    : undefined;
  const v = input.verified;
  const lastVerified = v && (!pr || v.at >= pr.at)
    ? { at: v.at, by: v.by, ok: v.ok, actions: v.actions }
    : pr ? { at: pr.at, by: 'a probe (hermit run or hermit probe)', ok: pr.ok, actions: [] } : undefined;
  const ok = container.running && !foreign && (!proxy || proxy.running) && rules.every((r) => r.state === 'intact' || r.state === 'unavailable') && !!lastProbe?.ok && lastProbe.ofThisContainer;
  return { profile: name, ...(input.file ? { file: input.file } : {}), container, network, ...(proxy ? { proxy } : {}), ...(engine ? { engine } : {}), ...(inv.backend ? { firewall: inv.backend } : {}), rules, ...(lastProbe ? { lastProbe } : {}), ...(lastVerified ? { lastVerified } : {}), ...(input.unapproved ? { unapproved: input.unapproved } : {}), ok };
}
