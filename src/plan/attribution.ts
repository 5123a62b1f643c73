// Which of hermit's rules refuses a blocked TCP connect, and how to read what it counted. Pure: the
// planner lists the reset rules as the firewall prints them back; apply/counters.ts reads the
// counters before and after the probe; probe/classify.ts attributes each refused connect.
import { type Family, inRange, isIp, nthAddress, parseCidr } from '../net/cidr.js';
import type { Profile } from '../profile/types.js';
import type { Attribution, ResetRule } from '../probe/types.js';
import type { HostFacts } from './host-facts.js';
import { firewallFor } from '../firewall/index.js';
import { buildRuleset, inputChain } from './ruleset.js';

export function planAttribution(profile: Profile, facts: Pick<HostFacts, 'addresses' | 'firewall'>): Attribution {
  const addresses = facts.addresses.map((a) => a.address);
  const backend = firewallFor(facts.firewall.backend);
  // IPv6 is refused (and so proven) only where the profile turns it on; allowlist mode never does.
  const families: Family[] = profile.network.ipv6 && !profile.proxy ? [4, 6] : [4];
  const rules: ResetRule[] = families.flatMap((family) => buildRuleset(profile, family, addresses).chains.flatMap((chain) =>
    chain.rules.filter((r) => r.verdict === 'reset').map((r) => ({
      family,
      path: chain.name === inputChain(profile.name) ? 'input' as const : 'forward' as const,
      ...(r.dst ? { dst: r.dst } : {}),
      ...backend.resetRule(chain.name, r, family),
    }))));
  const subnet6 = profile.network.subnet6 ? parseCidr(profile.network.subnet6) : null;
  const gateways = [profile.network.gateway, ...(profile.proxy ? [profile.proxy.network.gateway] : []), ...(families.includes(6) && subnet6 ? [nthAddress(subnet6, 1)] : [])];
  const table = backend.counterTable(profile.name);
  return {
    backend: backend.name,
    ...(table ? { table } : {}),
    rules,
    hostAddresses: [...new Set([...gateways, ...addresses.filter((a) => families.some((f) => isIp(a, f)))])],
  };
}

/** The rule that refuses a TCP connect to `address`: the first of its family on its path whose range covers it. */
export function resetRuleFor(att: Attribution, address: string): number | undefined {
  const path = att.hostAddresses.includes(address) ? 'input' : 'forward';
  const family = isIp(address, 6) ? 6 : 4;
  const i = att.rules.findIndex((r) => r.family === family && r.path === path && (!r.dst || inRange(address, r.dst)));
  return i < 0 ? undefined : i;
}

/**
 * Each rule's packet counter in a listing: `iptables-save -c -t filter`, or `nft list table` of the
 * profile's table; undefined for a rule that is not there (exactly as hermit wrote it).
 */
export function resetCounters(att: Attribution, listing: string, listing6 = ''): (number | undefined)[] {
  return firewallFor(att.backend).resetCounters(att, [listing, listing6]);
}

/** What each rule counted between two readings (undefined where either reading lacks it). */
export function counted(before: (number | undefined)[], after: (number | undefined)[]): (number | undefined)[] {
  return after.map((a, i) => {
    const b = before[i];
    // A counter that went down was reset (the rules were replaced): its packets are unknown.
    return a === undefined || b === undefined || a < b ? undefined : a - b;
  });
}
