// `hermit status` as a pure function of the inventory: the container's state, whether hermit's
// rules are present and exactly what the profile wants, and the last probe's verdict.
import { type Judgement, judge } from '../probe/verdict.js';
import type { Family } from '../net/cidr.js';
import type { Profile } from '../profile/types.js';
import type { ProbeRecord, VerifyRecord } from '../state/store.js';
import type { FirewallBackend, Inventory } from './facts.js';
import { onHost, parseSave, planFirewall } from '../firewall/iptables.js';
import { LABEL_PROFILE } from './network.js';
import { NFT_TABLE_PREFIX, nftTable, planNft } from '../firewall/nftables.js';
import { CHAIN_PREFIX, buildRuleset, forwardChain, inputChain } from './ruleset.js';

export type RulesState =
  /** Exactly what the profile wants, jumps on top. */
  | 'intact'
  /** Some of hermit's rules are there, but not exactly the profile's (detail says what differs). */
  | 'differs'
  | 'missing'
  /** Present; the profile is unknown, so not compared. */
  | 'present'
  /** No ip6tables on this host. */
  | 'unavailable'
  /** The host cannot hold them (e.g. no DOCKER-USER chain). */
  | 'broken';

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
  /** Allowlist mode: the proxy container and the agent's internal network. */
  proxy?: { name: string; state: string; running: boolean; network: { name: string; present: boolean } };
  rules: { family: Family; state: RulesState; detail?: string }[];
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
  for (const save of [inv.save4, inv.save6]) {
    for (const chain of parseSave(save).keys()) {
      if (chain.startsWith(CHAIN_PREFIX)) names.add(chain.slice(CHAIN_PREFIX.length).replace(/^IN-/, ''));
    }
  }
  for (const table of Object.keys(inv.nftTables)) names.add(table.slice(NFT_TABLE_PREFIX.length));
  return [...names].sort();
}

/** The nftables backend holds both families in one table: one comparison, reported per family. */
function nftRulesState(name: string, inv: Inventory, input: StatusInput): { family: Family; state: RulesState; detail?: string }[] {
  const listing = inv.nftTables[nftTable(name)];
  const one = (): { state: RulesState; detail?: string } => {
    if (!input.profile) return { state: listing ? 'present' : 'missing' };
    const rulesets = ([4, 6] as const).map((f) => buildRuleset(input.profile!, f, input.hostAddresses));
    const change = planNft(name, rulesets, listing);
    if (change.payload === null) return { state: 'intact' };
    return listing ? { state: 'differs', detail: `to fix: ${change.changes.join(', ')}` } : { state: 'missing' };
  };
  const s = one();
  return [{ family: 4, ...s }, { family: 6, ...s }];
}

function rulesState(name: string, family: Family, save: string, input: StatusInput): { family: Family; state: RulesState; detail?: string } {
  if (family === 6 && save === '') return { family, state: 'unavailable' };
  const chains = parseSave(save);
  const ours = [forwardChain(name), inputChain(name)];
  const present = ours.some((c) => chains.has(c)) || [...chains.values()].some((lines) => lines.some((l) => ours.some((c) => l.endsWith(` -j ${c}`))));
  if (!input.profile) return { family, state: present ? 'present' : 'missing' };
  try {
    const change = planFirewall(onHost(buildRuleset(input.profile, family, input.hostAddresses), save), save);
    if (change.payload === null) return { family, state: 'intact' };
    return present ? { family, state: 'differs', detail: `to fix: ${change.changes.join(', ')}` } : { family, state: 'missing' };
  } catch (e) {
    return { family, state: 'broken', detail: (e as Error).message };
  }
}

export function profileStatus(name: string, inv: Inventory, input: StatusInput): ProfileStatus {
  const p = input.profile;
  const labelled = inv.containers.filter((c) => c.labels[LABEL_PROFILE] === name);
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

  const rules = inv.backend === 'nftables' ? nftRulesState(name, inv, input)
    : [rulesState(name, 4, inv.save4, input), rulesState(name, 6, inv.save6, input)];

  const px = p?.proxy;
  const pc = px && inv.containers.find((x) => x.name === px.container && x.labels[LABEL_PROFILE] === name);
  const proxy = px && {
    name: px.container, state: pc?.status ?? 'missing', running: !!pc?.running,
    network: { name: px.network.name, present: inv.networks.some((n) => n.name === px.network.name && n.labels[LABEL_PROFILE] === name) },
  };
  const pr = input.probe;
  const lastProbe = pr
    ? { at: pr.at, ok: pr.ok, verdict: judge(pr.report).kind, checks: pr.report.rows.length, failed: pr.report.rows.filter((r) => !r.ok).map((r) => r.target), containerId: pr.containerId, ofThisContainer: !!c && pr.containerId === c.id }
    : undefined;
  const v = input.verified;
  const lastVerified = v && (!pr || v.at >= pr.at)
    ? { at: v.at, by: v.by, ok: v.ok, actions: v.actions }
    : pr ? { at: pr.at, by: 'a probe (hermit run or hermit probe)', ok: pr.ok, actions: [] } : undefined;
  const ok = container.running && !foreign && (!proxy || proxy.running) && rules.every((r) => r.state === 'intact' || r.state === 'unavailable') && !!lastProbe?.ok && lastProbe.ofThisContainer;
  return { profile: name, ...(input.file ? { file: input.file } : {}), container, network, ...(proxy ? { proxy } : {}), ...(inv.backend ? { firewall: inv.backend } : {}), rules, ...(lastProbe ? { lastProbe } : {}), ...(lastVerified ? { lastVerified } : {}), ...(input.unapproved ? { unapproved: input.unapproved } : {}), ok };
}
