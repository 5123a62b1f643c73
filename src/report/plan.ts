// Human renderings of planned state, for --dry-run.
import { firewallFor } from '../firewall/index.js';
import type { HostFacts } from '../plan/host-facts.js';
import { wantedRulesets } from '../plan/plan.js';
import type { Profile } from '../profile/types.js';

/** The complete rulesets as the backend in use would list them (iptables-save, or nft list): the
 * very rulesets the payload is planned from. */
export function formatRuleset(profile: Profile, facts: HostFacts): string {
  return firewallFor(facts.firewall.backend).render(profile.name, wantedRulesets(profile, facts), facts.firewall.backendReason);
}
