// Human renderings of planned state, for --dry-run.
import type { HostFacts } from '../plan/facts.js';
import { renderTable, wantedTable } from '../firewall/nftables.js';
import { buildRuleset, renderJump, renderRule } from '../plan/ruleset.js';
import type { Profile } from '../profile/types.js';

/** Both families' complete rulesets as the backend in use would show them (iptables-save, or nft list). */
export function formatRuleset(profile: Profile, facts: HostFacts): string {
  const hostAddresses = facts.addresses.map((a) => a.address);
  if (facts.firewall.backend === 'nftables') {
    const rulesets = ([4, 6] as const).map((family) => buildRuleset(profile, family, hostAddresses));
    return `# IPv4 and IPv6 (nftables, ${facts.firewall.backendReason})\n${renderTable(wantedTable(profile.name, rulesets)).trimEnd()}`;
  }
  return ([4, 6] as const)
    .map((family) => {
      const rs = buildRuleset(profile, family, hostAddresses);
      return [
        `# IPv${family} (${family === 4 ? 'iptables' : 'ip6tables'}, filter table)`,
        ...rs.jumps.map(renderJump),
        ...rs.chains.flatMap((c) => c.rules.map((r) => renderRule(c.name, r, family))),
      ].join('\n');
    })
    .join('\n');
}
