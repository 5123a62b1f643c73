// Which of hermit's rules refuses a blocked TCP connect, and how to read what it counted. Pure: the
// planner lists the reset rules as the firewall prints them back; apply/counters.ts reads the
// counters before and after the probe; probe/classify.ts attributes each refused connect.
import { inRange, isIp } from '../net/cidr.js';
import type { Profile } from '../profile/types.js';
import type { Attribution, ResetRule } from '../probe/types.js';
import type { HostFacts } from './facts.js';
import { canonicalNftRule, nftChain, nftTable, parseTable, renderNftRule } from './nft.js';
import { buildRuleset, inputChain, renderRule } from './ruleset.js';

export function planAttribution(profile: Profile, facts: Pick<HostFacts, 'addresses' | 'firewall'>): Attribution {
  const addresses = facts.addresses.map((a) => a.address);
  const nft = facts.firewall.backend === 'nftables';
  const ruleset = buildRuleset(profile, 4, addresses);
  const rules: ResetRule[] = ruleset.chains.flatMap((chain) => chain.rules.filter((r) => r.verdict === 'reset').map((r) => ({
    path: chain.name === inputChain(profile.name) ? 'input' as const : 'forward' as const,
    ...(r.dst ? { dst: r.dst } : {}),
    chain: nft ? nftChain(chain.name, 4) : chain.name,
    text: nft ? renderNftRule(r, 4) : renderRule(chain.name, r, 4),
  })));
  const gateways = [profile.network.gateway, ...(profile.proxy ? [profile.proxy.network.gateway] : [])];
  return {
    backend: facts.firewall.backend,
    ...(nft ? { table: nftTable(profile.name) } : {}),
    rules,
    hostAddresses: [...new Set([...gateways, ...addresses.filter((a) => isIp(a, 4))])],
  };
}

/** The rule that refuses a TCP connect to `address`: the first on its path whose range covers it. */
export function resetRuleFor(att: Attribution, address: string): number | undefined {
  const path = att.hostAddresses.includes(address) ? 'input' : 'forward';
  const i = att.rules.findIndex((r) => r.path === path && (!r.dst || inRange(address, r.dst)));
  return i < 0 ? undefined : i;
}

/**
 * Each rule's packet counter in a listing: `iptables-save -c -t filter`, or `nft list table` of the
 * profile's table; undefined for a rule that is not there (exactly as hermit wrote it).
 */
export function resetCounters(att: Attribution, listing: string): (number | undefined)[] {
  if (att.backend === 'iptables') {
    const counts = new Map<string, number>();
    for (const line of listing.split('\n')) {
      const m = /^\[(\d+):\d+\] (-A .*)$/.exec(line);
      if (m) counts.set(m[2]!, Number(m[1]));
    }
    return att.rules.map((r) => counts.get(r.text));
  }
  const chains = parseTable(listing)?.chains;
  return att.rules.map((r) => {
    const line = chains?.get(r.chain)?.rules.find((l) => canonicalNftRule(l, 4) === r.text);
    const m = line && /\bcounter packets (\d+) bytes \d+/.exec(line);
    return m ? Number(m[1]) : undefined;
  });
}

/** What each rule counted between two readings (undefined where either reading lacks it). */
export function counted(before: (number | undefined)[], after: (number | undefined)[]): (number | undefined)[] {
  return after.map((a, i) => {
    const b = before[i];
    // A counter that went down was reset (the rules were replaced): its packets are unknown.
    return a === undefined || b === undefined || a < b ? undefined : a - b;
  });
}
