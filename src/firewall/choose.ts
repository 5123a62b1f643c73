// Which firewall hermit writes its rules with, as a pure function of the environment and what the
// host has: HERMIT_FIREWALL=auto|iptables|nftables. Auto picks nftables when Docker's own backend
// is nftables (it has no DOCKER-USER chain) or the host has no iptables, and iptables otherwise.
import { HermitError } from '../errors.js';
import type { FirewallBackend } from '../plan/host-facts.js';

export interface BackendChoice {
  backend: FirewallBackend;
  /** Why, for people (doctor, errors). */
  reason: string;
}

export interface FirewallTools {
  /** iptables-save runs (any variant). */
  iptables: boolean;
  /** nft runs. */
  nft: boolean;
}

const INSTALL = 'Install nftables (apt-get install nftables / dnf install nftables) or iptables (apt-get install iptables / dnf install iptables-nft)';

export function chooseBackend(setting: string | undefined, dockerBackend: FirewallBackend, tools: FirewallTools): BackendChoice {
  const want = (setting ?? '').trim() || 'auto';
  if (want !== 'auto' && want !== 'iptables' && want !== 'nftables') {
    throw new HermitError('usage', `HERMIT_FIREWALL is '${want}', not one of auto, iptables, nftables`, 'Unset it (auto), or set it to iptables or nftables');
  }
  if (want === 'iptables') {
    if (!tools.iptables) throw new HermitError('host', 'HERMIT_FIREWALL=iptables, but iptables is not usable on this host', 'Install iptables (apt-get install iptables), or unset HERMIT_FIREWALL');
    return { backend: 'iptables', reason: 'HERMIT_FIREWALL=iptables' };
  }
  if (want === 'nftables') {
    if (!tools.nft) throw new HermitError('host', 'HERMIT_FIREWALL=nftables, but nft is not usable on this host', 'Install nftables (apt-get install nftables), or unset HERMIT_FIREWALL');
    return { backend: 'nftables', reason: 'HERMIT_FIREWALL=nftables' };
  }
  if (!tools.iptables && !tools.nft) {
    throw new HermitError('host', 'this host has neither nft nor a usable iptables: hermit cannot write firewall rules', INSTALL);
  }
  if (dockerBackend === 'nftables') {
    if (!tools.nft) throw new HermitError('host', "Docker's firewall backend is nftables, but nft is not usable on this host", 'Install nftables (apt-get install nftables)');
    return { backend: 'nftables', reason: "auto: Docker's firewall backend is nftables (no DOCKER-USER chain)" };
  }
  if (!tools.iptables) return { backend: 'nftables', reason: 'auto: this host has no usable iptables' };
  return { backend: 'iptables', reason: "auto: Docker's firewall backend is iptables" };
}

/**
 * Whether the choice could be nftables, before nft was looked at: asked to decide whether the
 * whole nft ruleset is worth reading. Only where iptables works and would be chosen without nft
 * is the answer no.
 */
export function mightChooseNftables(setting: string | undefined, dockerBackend: FirewallBackend, iptables: boolean): boolean {
  try {
    return !iptables || chooseBackend(setting, dockerBackend, { iptables, nft: false }).backend !== 'iptables';
  } catch {
    return true;
  }
}
