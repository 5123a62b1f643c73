// The firewall as data, and its rendering to iptables-restore text.
//
// Rules are rendered in the exact form `iptables-save` prints them (both the nft and the legacy
// variant print the same text), so the plan can compare what it wants with what the host has,
// line by line, and change nothing when they agree.
import type { Family } from '../net/cidr.js';
import { canonicalCidr, inRange, nthAddress, parseCidr } from '../net/cidr.js';
import type { Profile } from '../profile/types.js';

export interface Rule {
  /** Matches in iptables-save order: -s, -d, -i, -o, -p, then -m modules. */
  match: string[];
  comment: string;
  /** "-j TARGET [options]". */
  verdict: string[];
}

export interface Chain {
  name: string;
  rules: Rule[];
}

export interface Jump {
  /** A built-in or Docker chain: DOCKER-USER, INPUT, FORWARD. */
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

const REJECT: Record<Family, string[]> = {
  4: ['-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited'],
  6: ['-j', 'REJECT', '--reject-with', 'icmp6-adm-prohibited'],
};
const PASS = ['-j', 'RETURN'];
/** Only packets answering a connection someone else opened: an agent's own connection to a
 * blocked address stays blocked even if it was established before the rules existed. */
const REPLIES = ['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '--ctdir', 'REPLY'];

/** A rate-limited LOG in front of a reject, so a person can see what the agent tried to reach
 * without a busy agent flooding the kernel log (10 a minute, bursts of 5, per rule). */
const logRule = (profile: string, match: string[]): Rule =>
  ({ match: [...match, '-m', 'limit', '--limit', '10/min'], comment: hermitComment(profile, 'log blocked'), verdict: ['-j', 'LOG', '--log-prefix', `"${logPrefix(profile)}"`] });

function familyOf(address: string): Family | undefined {
  return parseCidr(address)?.family;
}

/** "-p tcp -m tcp --dport 80", or multiport for several (at most 15 ports per rule). */
function portMatches(protocol: 'tcp' | 'udp', ports: number[]): string[][] {
  if (ports.length === 0) return [['-p', protocol]];
  if (ports.length === 1) return [['-p', protocol, '-m', protocol, '--dport', String(ports[0])]];
  const out: string[][] = [];
  for (let i = 0; i < ports.length; i += 15) {
    out.push(['-p', protocol, '-m', 'multiport', '--dports', ports.slice(i, i + 15).join(',')]);
  }
  return out;
}

function allowRules(
  dst: string[],
  protocol: 'tcp' | 'udp' | 'any',
  ports: number[],
  comment: string,
): Rule[] {
  const protocols: ('tcp' | 'udp')[] = protocol === 'any' ? ['tcp', 'udp'] : [protocol];
  if (protocol === 'any' && ports.length === 0) return [{ match: dst, comment, verdict: PASS }];
  return protocols.flatMap((p) => portMatches(p, ports).map((m) => ({ match: [...dst, ...m], comment, verdict: PASS })));
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
    const chain: Chain = { name: fwd, rules: [{ match: [], comment: c('ipv6 off'), verdict: ['-j', 'DROP'] }] };
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
  const dst = (a: string) => ['-d', canonicalCidr(a)];
  const hostSet = new Set(hostAddresses.filter(ofFamily).map(canonicalCidr));
  const subnet6 = profile.network.subnet6 ? parseCidr(profile.network.subnet6) : null;
  const gateway = family === 4 ? profile.network.gateway : subnet6 ? nthAddress(subnet6, 1) : undefined;
  if (gateway) hostSet.add(canonicalCidr(gateway));

  // DNS to the resolvers: in allowlist mode only from the proxy's bridge (the agent must resolve
  // nothing: DNS is a channel out).
  const fromBridge = internal ? ['-i', bridge] : [];
  const forward: Rule[] = [{ match: REPLIES, comment: c('replies'), verdict: PASS }];
  // Allowlist mode: the agent and the proxy talk across the internal bridge (seen here when the
  // bridge passes its frames to iptables); anything else from it is rejected below.
  if (internal) forward.push({ match: ['-o', internal], comment: c('agent to proxy'), verdict: PASS });
  for (const ex of profile.egress.allow.filter((e) => ofFamily(e.to))) {
    forward.push(...allowRules(dst(ex.to), ex.protocol, ex.ports, c(`allow${ex.comment ? ` ${ex.comment}` : ''}`)));
  }
  const resolvers = profile.dns.filter(ofFamily);
  for (const r of resolvers) {
    forward.push(...allowRules([...dst(r), ...fromBridge], 'udp', [53], c('dns')), ...allowRules([...dst(r), ...fromBridge], 'tcp', [53], c('dns')));
  }
  for (const range of blocked) {
    forward.push(logRule(name, dst(range)), { match: dst(range), comment: c('blocked range'), verdict: REJECT[family] });
  }
  // Docker would drop the rest from an internal network silently: reject it, so a direct connect
  // fails at once (and shows in the blocked log) instead of hanging.
  if (internal) forward.push(logRule(name, ['-i', internal]), { match: ['-i', internal], comment: c('no way out but the proxy'), verdict: REJECT[family] });

  const input: Rule[] = [{ match: REPLIES, comment: c('replies'), verdict: PASS }];
  for (const hp of profile.hostPorts) {
    input.push(...allowRules([], hp.protocol, [hp.port], c(`host port${hp.comment ? ` ${hp.comment}` : ''}`)));
  }
  for (const r of resolvers.filter((r) => hostSet.has(canonicalCidr(r)))) {
    input.push(...allowRules([...dst(r), ...fromBridge], 'udp', [53], c('dns')), ...allowRules([...dst(r), ...fromBridge], 'tcp', [53], c('dns')));
  }
  input.push(logRule(name, []), { match: [], comment: c('host'), verdict: REJECT[family] });

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

export function renderRule(chain: string, rule: Rule): string {
  return ['-A', chain, ...rule.match, '-m', 'comment', '--comment', quote(rule.comment), ...rule.verdict].join(' ');
}

/** The jump as iptables-save prints it (with -A; `insertJump` turns it into an insert). */
export function renderJump(j: Jump): string {
  return ['-A', j.from, '-i', j.bridge, '-m', 'comment', '--comment', quote(j.comment), '-j', j.to].join(' ');
}

/** True when `range` text is one of the blocked ranges covering `address`. */
export function blockedRangeOf(address: string, ranges: readonly string[]): string | undefined {
  return ranges.find((r) => inRange(address, r));
}
