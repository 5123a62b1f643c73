// Human renderings of planned state, for --dry-run.
import type { HostFacts } from '../plan/facts.js';
import { buildRuleset, renderJump, renderRule } from '../plan/ruleset.js';
import type { Profile } from '../profile/types.js';

/** Both families' complete rulesets as iptables-save would show them. */
export function formatRuleset(profile: Profile, facts: HostFacts): string {
  const hostAddresses = facts.addresses.map((a) => a.address);
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
