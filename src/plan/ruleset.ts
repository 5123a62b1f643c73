// The firewall as data: what each rule matches and does, whatever firewall renders it. The
// iptables rendering is here (renderRule, renderJump); the nftables one is in nft.ts. Both are
// rendered in the exact form their tools print them back (iptables-save; nft list), so the plan
// can compare what it wants with what the host has, and change nothing when they agree.
import type { Family } from '../net/cidr.js';
import { canonicalCidr, inRange, nthAddress, parseCidr } from '../net/cidr.js';
import type { Profile } from '../profile/types.js';
import { credentialPort } from './credentials.js';

export interface Rule {
  /** Destination (canonical CIDR); none: any. */
  dst?: string;
  /** The interface the packet came in on, or goes out of (a bridge); none: any. */
  inIface?: string;
  outIface?: string;
  /** tcp or udp; none: any protocol. */
  protocol?: 'tcp' | 'udp';
  /** Destination ports of `protocol` (at most 15 in one rule); none: any port. */
  ports?: number[];
  /** An ICMPv6 type (IPv6 only; instead of `protocol`): neighbour discovery to the host. */
  icmp6Type?: Icmp6Type;
  /** Only packets answering a connection someone else opened: an agent's own connection to a
   * blocked address stays blocked even if it was established before the rules existed. */
  replies?: boolean;
  comment: string;
  /** pass: on to the next chain (Docker's); reject: ICMP admin-prohibited, at once; reset: a TCP
   * reset, at once (TCP only; counted, see `resetRules`); drop: silently; log: to the kernel log
   * with `logPrefix`, rate-limited (10 a minute, bursts of 5). */
  verdict: 'pass' | 'reject' | 'reset' | 'drop' | 'log';
  logPrefix?: string;
}

/** Neighbour solicitation and advertisement: without them a container never finds the link-layer
 * address of its IPv6 gateway, and every IPv6 connect hangs instead of being refused. */
export const ICMP6_TYPES = { 135: 'nd-neighbor-solicit', 136: 'nd-neighbor-advert' } as const;
export type Icmp6Type = keyof typeof ICMP6_TYPES;

export interface Chain {
  name: string;
  rules: Rule[];
}

export interface Jump {
  /** Where the bridge's packets enter hermit's chain: DOCKER-USER or FORWARD (forwarded), INPUT (to the host). */
  from: string;
  to: string;
  bridge: string;
  comment: string;
}

export interface Ruleset {
  family: Family;
  chains: Chain[];
  jumps: Jump[];
}

export const CHAIN_PREFIX = 'HERMIT-';
export const forwardChain = (profile: string) => `HERMIT-${profile}`;
export const inputChain = (profile: string) => `HERMIT-IN-${profile}`;
export const hermitComment = (profile: string, what?: string) => `hermit:${profile}${what ? ` ${what}` : ''}`;
/** The kernel-log prefix of blocked connections (LOG prefixes are at most 29 characters; a
 * profile name at most 18). `hermit logs --blocked` looks for it. */
export const logPrefix = (profile: string) => `hermit:${profile}: `;

/** A rate-limited LOG in front of a reject, so a person can see what the agent tried to reach
 * without a busy agent flooding the kernel log (a match of its own: it never ends the chain). */
const logRule = (profile: string, where: Pick<Rule, 'dst' | 'inIface'>): Rule =>
  ({ ...where, comment: hermitComment(profile, 'log blocked'), verdict: 'log', logPrefix: logPrefix(profile) });

/**
 * How hermit refuses what `where` matches: logged, then TCP with a reset and everything else with
 * ICMP admin-prohibited. The kernel rate-limits ICMP errors per destination (a burst of about six,
 * then one a second), so with ICMP alone a busy agent's seventh connect to the LAN waits a second
 * for a SYN retransmit; a reset is not rate-limited, so every blocked TCP connect fails at once.
 * A reset looks like a closed port to the client; the probe tells hermit's from a host's by the
 * reset rule's packet counter (probe/attribution.ts).
 */
const refuseRules = (profile: string, where: Pick<Rule, 'dst' | 'inIface'>, comment: string): Rule[] => [
  logRule(profile, where),
  { ...where, protocol: 'tcp', comment, verdict: 'reset' },
  { ...where, comment, verdict: 'reject' },
];

function familyOf(address: string): Family | undefined {
  return parseCidr(address)?.family;
}

function allowRules(to: Pick<Rule, 'dst' | 'inIface' | 'outIface'>, protocol: 'tcp' | 'udp' | 'any', ports: number[], comment: string): Rule[] {
  if (protocol === 'any' && ports.length === 0) return [{ ...to, comment, verdict: 'pass' }];
  const protocols: ('tcp' | 'udp')[] = protocol === 'any' ? ['tcp', 'udp'] : [protocol];
  if (ports.length === 0) return protocols.map((p) => ({ ...to, protocol: p, comment, verdict: 'pass' }));
  // At most 15 ports a rule (iptables' multiport limit), so both renderings keep rule for rule.
  const groups: number[][] = [];
  for (let i = 0; i < ports.length; i += 15) groups.push(ports.slice(i, i + 15));
  return protocols.flatMap((p) => groups.map((g) => ({ ...to, protocol: p, ports: g, comment, verdict: 'pass' as const })));
}

/**
 * The ruleset for one address family.
 * @param hostAddresses the host's own addresses, to know which resolvers sit on the host (INPUT).
 */
export function buildRuleset(profile: Profile, family: Family, hostAddresses: string[]): Ruleset {
  const name = profile.name;
  const bridge = profile.network.bridge;
  const fwd = forwardChain(name);
  const inp = inputChain(name);
  const c = (what: string) => hermitComment(name, what);
  // Allowlist mode: the agent's internal bridge holds a host address too, and an internal network
  // alone leaves every host service on 0.0.0.0 open to it. Its traffic to the host goes through the
  // same INPUT chain; Docker already drops anything it would forward.
  const internal = profile.proxy?.network.bridge;

  if (family === 6 && !profile.network.ipv6) {
    // IPv6 off: nothing from the bridge, forwarded or to the host. The container also gets
    // disable_ipv6=1; this is the second lock.
    const chain: Chain = { name: fwd, rules: [{ comment: c('ipv6 off'), verdict: 'drop' }] };
    return {
      family,
      chains: [chain],
      jumps: [bridge, ...(internal ? [internal] : [])].flatMap((b) => [
        { from: 'FORWARD', to: fwd, bridge: b, comment: hermitComment(name) },
        { from: 'INPUT', to: fwd, bridge: b, comment: hermitComment(name) },
      ]),
    };
  }

  const blocked = family === 4 ? profile.egress.block : profile.egress.block6;
  const ofFamily = (a: string) => familyOf(a) === family;
  const dst = (a: string) => canonicalCidr(a);
  const hostSet = new Set(hostAddresses.filter(ofFamily).map(canonicalCidr));
  const subnet6 = profile.network.subnet6 ? parseCidr(profile.network.subnet6) : null;
  const gateway = family === 4 ? profile.network.gateway : subnet6 ? nthAddress(subnet6, 1) : undefined;
  if (gateway) hostSet.add(canonicalCidr(gateway));

  // DNS to the resolvers: in allowlist mode only from the proxy's bridge (the agent must resolve
  // nothing: DNS is a channel out).
  const fromBridge: Pick<Rule, 'inIface'> = internal ? { inIface: bridge } : {};
  const forward: Rule[] = [{ replies: true, comment: c('replies'), verdict: 'pass' }];
  // Allowlist mode: the agent and the proxy talk across the internal bridge (seen here when the
  // bridge passes its frames to iptables); anything else from it is rejected below.
  if (internal) forward.push({ outIface: internal, comment: c('agent to proxy'), verdict: 'pass' });
  // The default mode's credential proxy sits on the agent's own bridge, at an address inside a
  // blocked range: the agent reaches its ports there (seen here when the bridge passes its frames
  // to iptables), nothing else of it.
  const credProxy = profile.credentialProxy;
  if (credProxy && family === 4) {
    const ports = (credProxy.credentials ?? []).map((_, i) => credentialPort(credProxy, i));
    forward.push(...allowRules({ dst: dst(credProxy.address), outIface: bridge }, 'tcp', ports, c('agent to credential proxy')));
  }
  for (const ex of profile.egress.allow.filter((e) => ofFamily(e.to))) {
    forward.push(...allowRules({ dst: dst(ex.to) }, ex.protocol, ex.ports, c(`allow${ex.comment ? ` ${ex.comment}` : ''}`)));
  }
  const resolvers = profile.dns.filter(ofFamily);
  for (const r of resolvers) {
    forward.push(...allowRules({ dst: dst(r), ...fromBridge }, 'udp', [53], c('dns')), ...allowRules({ dst: dst(r), ...fromBridge }, 'tcp', [53], c('dns')));
  }
  for (const range of blocked) forward.push(...refuseRules(name, { dst: dst(range) }, c('blocked range')));
  // Docker would drop the rest from an internal network silently: reject it, so a direct connect
  // fails at once (and shows in the blocked log) instead of hanging.
  if (internal) forward.push(...refuseRules(name, { inIface: internal }, c('no way out but the proxy')));

  const input: Rule[] = [{ replies: true, comment: c('replies'), verdict: 'pass' }];
  if (family === 6) for (const t of [135, 136] as const) input.push({ icmp6Type: t, comment: c('neighbour discovery'), verdict: 'pass' });
  for (const hp of profile.hostPorts) {
    input.push(...allowRules({}, hp.protocol, [hp.port], c(`host port${hp.comment ? ` ${hp.comment}` : ''}`)));
  }
  for (const r of resolvers.filter((r) => hostSet.has(canonicalCidr(r)))) {
    input.push(...allowRules({ dst: dst(r), ...fromBridge }, 'udp', [53], c('dns')), ...allowRules({ dst: dst(r), ...fromBridge }, 'tcp', [53], c('dns')));
  }
  input.push(...refuseRules(name, {}, c('host')));

  // IPv4 hooks into DOCKER-USER, the chain Docker keeps for its users and never flushes.
  const forwardFrom = family === 4 ? 'DOCKER-USER' : 'FORWARD';
  return {
    family,
    chains: [
      { name: fwd, rules: forward },
      { name: inp, rules: input },
    ],
    jumps: [
      { from: forwardFrom, to: fwd, bridge, comment: hermitComment(name) },
      { from: 'INPUT', to: inp, bridge, comment: hermitComment(name) },
      ...(internal ? [
        { from: forwardFrom, to: fwd, bridge: internal, comment: hermitComment(name) },
        { from: 'INPUT', to: inp, bridge: internal, comment: hermitComment(name) },
      ] : []),
    ],
  };
}

const quote = (s: string) => `"${s}"`;

const IPTABLES_VERDICT: Record<Rule['verdict'], (family: Family, r: Rule) => string[]> = {
  pass: () => ['-j', 'RETURN'],
  drop: () => ['-j', 'DROP'],
  reject: (f) => ['-j', 'REJECT', '--reject-with', f === 4 ? 'icmp-admin-prohibited' : 'icmp6-adm-prohibited'],
  reset: () => ['-j', 'REJECT', '--reject-with', 'tcp-reset'],
  log: (_, r) => ['-j', 'LOG', '--log-prefix', quote(r.logPrefix ?? '')],
};

/** Matches in iptables-save order: -d, -i, -o, -p, then -m modules. */
function iptablesMatch(r: Rule): string[] {
  const m: string[] = [];
  if (r.dst) m.push('-d', r.dst);
  if (r.inIface) m.push('-i', r.inIface);
  if (r.outIface) m.push('-o', r.outIface);
  if (r.icmp6Type) m.push('-p', 'ipv6-icmp', '-m', 'icmp6', '--icmpv6-type', String(r.icmp6Type));
  if (r.protocol) {
    m.push('-p', r.protocol);
    const ports = r.ports ?? [];
    if (ports.length === 1) m.push('-m', r.protocol, '--dport', String(ports[0]));
    else if (ports.length > 1) m.push('-m', 'multiport', '--dports', ports.join(','));
  }
  if (r.replies) m.push('-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '--ctdir', 'REPLY');
  if (r.verdict === 'log') m.push('-m', 'limit', '--limit', '10/min');
  return m;
}

/** The rule as iptables-save prints it. */
export function renderRule(chain: string, rule: Rule, family: Family): string {
  return ['-A', chain, ...iptablesMatch(rule), '-m', 'comment', '--comment', quote(rule.comment), ...IPTABLES_VERDICT[rule.verdict](family, rule)].join(' ');
}

/** The jump as iptables-save prints it (with -A; `insertJump` turns it into an insert). */
export function renderJump(j: Jump): string {
  return ['-A', j.from, '-i', j.bridge, '-m', 'comment', '--comment', quote(j.comment), '-j', j.to].join(' ');
}

/** True when `range` text is one of the blocked ranges covering `address`. */
export function blockedRangeOf(address: string, ranges: readonly string[]): string | undefined {
  return ranges.find((r) => inRange(address, r));
}
