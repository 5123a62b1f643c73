// The seam between hermit and the host's firewall. The profile's rules are one model (plan/ruleset.ts);
// a backend fits them to the host, compares them with what the host holds, renders the change as the
// payload of one command, and reads counters and state back. iptables.ts and nftables.ts implement it;
// index.ts picks one by name. Everything here is pure: a backend returns commands and reads as data,
// and src/apply runs them (apply/firewall.ts).
import type { Command } from '../apply/exec.js';
import type { Family } from '../net/cidr.js';
import type { FirewallBackend, FirewallFacts } from '../plan/host-facts.js';
import type { Rule, Ruleset } from '../plan/ruleset.js';
import type { Profile } from '../profile/types.js';
import type { Attribution } from '../probe/types.js';

export interface FirewallChange {
  backend: FirewallBackend;
  /** iptables: the address family the payload is for; nftables: none (one inet table holds both). */
  family?: Family;
  /** What it changes, for people: "IPv4 rules", "nftables table inet hermit-x". */
  what: string;
  /** iptables-restore --noflush input, or an nft -f transaction; null when the host already has exactly these rules. */
  payload: string | null;
  /** Puts back what `payload` replaced, for rollback when a later step fails. */
  revert: string | null;
  /** What the payload does, for people: "create chain HERMIT-x (12 rules)". */
  changes: string[];
}

/** Changes run as one transaction: `change` carries every one of `parts`. */
export interface CombinedChange { change: FirewallChange; parts: FirewallChange[] }

/** What hermit reads of the host's firewall, one shape for both backends (a profile's rules can be
 * left in the backend not in use, so both are read where the host has them). */
export type FirewallState = Pick<FirewallFacts, 'save4' | 'save6' | 'nftTables'>;

/** A command's answer as the reader got it; `thrown` when it could not run at all. */
export interface Read { exitCode: number; stdout: string; stderr: string; thrown?: boolean }

/** What `hermit status` says of one family's rules. */
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

/** One family's rules in `hermit status`. */
export interface FamilyRules { family: Family; state: RulesState; detail?: string }

/** `hermit doctor`'s reading of one profile's rules: the comparison plan() makes, told for people. */
export interface RulesInspection {
  /** Whether any of the profile's rules are on the host at all. */
  present: boolean;
  /** What differs from the wanted rules, one line each; none exactly when plan() would change nothing. */
  problems: string[];
  /** What the host holds, chain by chain or table by table. */
  evidence: string[];
  /** The finding when intact, and what "not applied" means here ("no chains"). */
  intact: string;
  absent: string;
  /** What `hermit run <profile>` does about the problems, and where to look for their cause. */
  repair: string;
}

/** `hermit guard --boot`: a change to apply, or what keeps one from being planned (`fails`: the rules stay missing). */
export type BootStep = { fix: FirewallChange } | { note: string; fails: boolean };

export interface Firewall {
  readonly name: FirewallBackend;
  /** Its rules hang off Docker's DOCKER-USER chain: Docker's own backend, the iptables variant and
   * the order of FORWARD decide whether they protect (nftables hooks the kernel itself). */
  readonly needsDockerUser: boolean;
  /** Throws a HermitError when this backend's rules would not protect the container on this host. */
  check(fw: FirewallFacts): void;
  /** The profile's rulesets fitted to this backend on this host: the one source of the payload, the
   * comparison and the --dry-run text. */
  wanted(profile: Profile, hostAddresses: string[], host: FirewallState): Ruleset[];
  /** The changes that make the host hold exactly `wanted` (every payload null: intact), each with
   * its revert. Throws a HermitError when the host cannot hold them. */
  plan(profile: Profile, wanted: Ruleset[], host: FirewallState): FirewallChange[];
  /** Removes all the profile's rules from this backend (null payloads: nothing there). */
  teardown(profile: string, host: FirewallState): FirewallChange[];
  /** `hermit status`, per family: the profile's rules compared with `wanted` (without the profile: present or not). */
  rulesStatus(name: string, profile: Profile | undefined, hostAddresses: string[], host: FirewallState): FamilyRules[];
  /** `hermit doctor`: the host's rules of the profile against `wanted`, decided as plan() decides. */
  inspect(profile: Profile, wanted: Ruleset[], host: FirewallState): RulesInspection;
  /** Where the profile's rules live, for people, when one place holds them all (nftables: its table). */
  where(profile: string): string | undefined;
  /** Profiles this backend holds rules of. */
  profilesIn(host: FirewallState): string[];
  /** Several profiles' changes as one change per transaction this backend runs (iptables: one per
   * family; nftables: one), each with the changes it carries (`parts`), so a guard pass restores
   * them all at once. Changes without a payload are left out. */
  combine(changes: FirewallChange[]): CombinedChange[];
  /** The command that applies a change's payload, or its revert. */
  command(change: FirewallChange, text: string): Command;
  /** The wanted rulesets as this backend lists them, for --dry-run. */
  render(profile: string, wanted: Ruleset[], reason: string): string;
  /** A reset rule as the backend prints it back (its counter is read by that text), and its chain there. */
  resetRule(chain: string, rule: Rule, family: Family): { chain: string; text: string };
  /** Where the profile's counters live, when the backend reads one table of the profile's. */
  counterTable(profile: string): string | undefined;
  /** The reads of the reset rules' counters. */
  counterReads(att: Attribution): Command[];
  /** Each reset rule's packet count in those reads (undefined: read failed, or rule not there exactly as written). */
  resetCounters(att: Attribution, reads: (string | undefined)[]): (number | undefined)[];
  /** `hermit guard --boot`, before dockerd: the reads that the restore of `rulesets` is planned from. */
  bootReads(rulesets: Ruleset[]): Command[];
  /** What puts the recorded rulesets back, from those reads. */
  bootPlan(profile: string, rulesets: Ruleset[], reads: Read[]): BootStep[];
}
