// The firewall backends by name. A command chooses one (choose.ts) and asks it; the other is asked
// only for what a run with it left behind.
import type { FirewallBackend } from '../plan/host-facts.js';
import type { Firewall, FirewallChange } from './backend.js';
import { iptables } from './iptables.js';
import { nftables } from './nftables.js';

export type { Firewall, FirewallChange, FirewallState } from './backend.js';

const BACKENDS: Record<FirewallBackend, Firewall> = { iptables, nftables };

export const firewallFor = (name: FirewallBackend): Firewall => BACKENDS[name];

/** Every backend, in the order `hermit down` removes their rules. */
export const allFirewalls: readonly Firewall[] = [iptables, nftables];

/** The command that applies a change's payload (or its revert), with the backend it was planned for. */
export const firewallCommand = (change: FirewallChange, text: string) => firewallFor(change.backend).command(change, text);
