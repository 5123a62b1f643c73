// Compares the wanted ruleset with the host's `iptables-save` text and plans the smallest
// iptables-restore --noflush payload that makes them agree, plus the payload that undoes it.
// (The nftables backend's counterpart is nft.ts.)
import type { Family } from '../net/cidr.js';
import { HermitError } from '../errors.js';
import type { FirewallBackend } from '../plan/facts.js';
import { type Ruleset, forwardChain, inputChain, renderJump, renderRule } from '../plan/ruleset.js';

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

/** Chains of the filter table in a save dump: name → its -A lines, in order. */
export function parseSave(save: string): Map<string, string[]> {
  const chains = new Map<string, string[]>();
  let inFilter = false;
  for (const raw of save.split('\n')) {
    const line = raw.trimEnd();
    if (line.startsWith('*')) inFilter = line === '*filter';
    if (!inFilter) continue;
    if (line.startsWith(':')) {
      const name = line.slice(1).split(' ')[0];
      if (name && !chains.has(name)) chains.set(name, []);
    } else if (line.startsWith('-A ')) {
      const name = line.split(' ')[1];
      if (!name) continue;
      if (!chains.has(name)) chains.set(name, []);
      chains.get(name)!.push(line);
    }
  }
  return chains;
}

/**
 * The ruleset as this host's iptables holds it. Docker 27+ keeps a DOCKER-USER chain in ip6tables too
 * and, when it restarts, puts its own jumps (DOCKER-USER, DOCKER-FORWARD) back on top of FORWARD: there,
 * hermit's IPv6 forward jump goes into DOCKER-USER, like the IPv4 one, so nothing of Docker's sees the
 * bridge's IPv6 first. (Docker 20.10 has no IPv6 DOCKER-USER; the jump stays in FORWARD.)
 */
export function onHost(rs: Ruleset, save: string): Ruleset {
  if (rs.family !== 6 || !parseSave(save).has('DOCKER-USER')) return rs;
  return { ...rs, jumps: rs.jumps.map((j) => (j.from === 'FORWARD' ? { ...j, from: 'DOCKER-USER' } : j)) };
}

const isHermitJump = (line: string) => / --comment "hermit:[^"]*" -j HERMIT-\S+$/.test(line);
const jumpsTo = (line: string, chain: string) => line.endsWith(` -j ${chain}`);
const asDelete = (line: string) => `-D ${line.slice(3)}`;
const asInsert = (line: string) => {
  const [, chain, ...rest] = line.split(' ');
  return ['-I', chain, '1', ...rest].join(' ');
};

/** An iptables-restore --noflush payload of the filter table. */
const wrap = (lines: string[]) => ['*filter', ...lines, 'COMMIT', ''].join('\n');
const countRules = (n: number) => `${n} rule${n === 1 ? '' : 's'}`;
const sameLines = (a: readonly string[] | undefined, b: readonly string[]) =>
  a !== undefined && a.length === b.length && a.every((l, i) => l === b[i]);

/** Docker's own jump into DOCKER-USER; anything above it in FORWARD bypasses hermit's rules. */
const DOCKER_USER_JUMP = '-A FORWARD -j DOCKER-USER';

export interface PlanFirewallOptions {
  /** At boot, before dockerd: create DOCKER-USER (Docker keeps an existing chain's rules). */
  createDockerUser?: boolean;
}

export function planFirewall(wanted: Ruleset, save: string, opts: PlanFirewallOptions = {}): FirewallChange {
  const { family } = wanted;
  const observed = parseSave(save);
  const viaDockerUser = wanted.jumps.some((j) => j.from === 'DOCKER-USER');
  const declare: string[] = [];
  const rules: string[] = [];
  const undoDeclare: string[] = [];
  const undoRules: string[] = [];
  const undoDrop: string[] = [];
  const changes: string[] = [];

  if (opts.createDockerUser && viaDockerUser && !observed.has('DOCKER-USER')) {
    observed.set('DOCKER-USER', []);
    declare.push(':DOCKER-USER - [0:0]');
    undoDrop.push('-X DOCKER-USER');
    changes.push('create chain DOCKER-USER');
  }

  for (const chain of wanted.chains) {
    const want = chain.rules.map((r) => renderRule(chain.name, r, family));
    const have = observed.get(chain.name);
    if (sameLines(have, want)) continue;
    declare.push(`:${chain.name} - [0:0]`);
    rules.push(...want);
    undoDeclare.push(`:${chain.name} - [0:0]`);
    if (have) {
      undoRules.push(...have);
      changes.push(`replace chain ${chain.name} (${have.length} → ${countRules(want.length)})`);
    } else {
      undoDrop.push(`-X ${chain.name}`);
      changes.push(`create chain ${chain.name} (${countRules(want.length)})`);
    }
  }

  const deletes: string[] = [];
  const inserts: string[] = [];
  // Lines already marked stale ("chain:index"): two wanted jumps into one chain (allowlist mode's
  // two bridges) must not delete the same stale line twice, nor each other.
  const marked = new Set<string>();
  for (const jump of wanted.jumps) {
    const from = observed.get(jump.from);
    if (!from) {
      throw new HermitError(
        'host',
        `the ${family === 4 ? 'iptables' : 'ip6tables'} filter table has no ${jump.from} chain`,
        jump.from === 'DOCKER-USER'
          ? "Docker creates DOCKER-USER when it manages iptables: check that dockerd runs with iptables enabled (no \"iptables\": false in /etc/docker/daemon.json) and that Docker's firewall backend is iptables"
          : undefined,
      );
    }
    const line = renderJump(jump);
    const at = from.indexOf(line);
    // In place means: present once, with only other hermit jumps above it.
    const inPlace = at >= 0 && from.slice(0, at).every(isHermitJump);
    const wantedHere = new Set(wanted.jumps.filter((j) => j.from === jump.from && j.to === jump.to && j !== jump).map(renderJump));
    const stale = from.filter((l, i) => {
      if (!jumpsTo(l, jump.to) || (inPlace && i === at) || (l !== line && wantedHere.has(l)) || marked.has(`${jump.from}:${i}`)) return false;
      marked.add(`${jump.from}:${i}`);
      return true;
    });
    for (const l of stale) deletes.push(asDelete(l));
    undoRules.push(...stale.map(asInsert));
    if (!inPlace) {
      inserts.push(asInsert(line));
      undoDrop.unshift(asDelete(line));
      changes.push(`${at >= 0 ? 'move' : 'add'} jump ${jump.from} -i ${jump.bridge} → ${jump.to}`);
    } else if (stale.length > 0) {
      changes.push(`remove ${stale.length} stale jump(s) to ${jump.to} from ${jump.from}`);
    }
  }

  // A rule inserted above Docker's jump (a firewall manager, a VPN, a person) sees the bridge's
  // traffic first and may accept it: Docker's jump goes back on top, as dockerd itself puts it.
  if (viaDockerUser) {
    const forward = observed.get('FORWARD') ?? [];
    const at = forward.indexOf(DOCKER_USER_JUMP);
    if (!(at >= 0 && forward.slice(0, at).every(isHermitJump))) {
      if (at >= 0) {
        deletes.push(asDelete(DOCKER_USER_JUMP));
        undoRules.push(`-I FORWARD ${at + 1} -j DOCKER-USER`);
      }
      inserts.push(asInsert(DOCKER_USER_JUMP));
      undoDrop.unshift(asDelete(DOCKER_USER_JUMP));
      changes.push(at >= 0 ? `move jump FORWARD → DOCKER-USER back to the top (${at} rule(s) above it)` : 'add missing jump FORWARD → DOCKER-USER');
    }
  }

  if (declare.length + deletes.length + inserts.length === 0) {
    return { backend: 'iptables', family, what: `IPv${family} rules`, payload: null, revert: null, changes: [] };
  }
  return {
    backend: 'iptables',
    family,
    what: `IPv${family} rules`,
    payload: wrap([...declare, ...deletes, ...rules, ...inserts]),
    // Undo order: flush what we wrote, drop our jumps, put old jumps and rules back, delete new chains.
    revert: wrap([...undoDeclare, ...undoDrop.filter((l) => l.startsWith('-D')), ...undoRules, ...undoDrop.filter((l) => l.startsWith('-X'))]),
    changes,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `hermit down`: deletes every jump to the profile's chains, then the chains; the revert rebuilds both in place. */
export function teardownFirewall(profile: string, family: Family, save: string): FirewallChange {
  const ours = [forwardChain(profile), inputChain(profile)];
  const chains = parseSave(save);
  const deletes: string[] = [];
  const reinserts: string[] = [];
  const changes: string[] = [];
  for (const [chain, lines] of chains) {
    if (ours.includes(chain)) continue;
    lines.forEach((line, i) => {
      const to = ours.find((c) => line.endsWith(` -j ${c}`));
      if (!to) return;
      deletes.push(`-D ${line.slice(3)}`);
      // Ascending positions: inserting each at its old index rebuilds the chain as it was.
      reinserts.push(`-I ${chain} ${i + 1} ${line.split(' ').slice(2).join(' ')}`);
      changes.push(`remove jump ${chain} → ${to}`);
    });
  }
  const present = ours.filter((c) => chains.has(c));
  for (const c of present) changes.push(`remove chain ${c} (${plural(chains.get(c)!.length, 'rule')})`);
  const what = `IPv${family} rules`;
  if (deletes.length + present.length === 0) return { backend: 'iptables', family, what, payload: null, revert: null, changes: [] };
  const declare = present.map((c) => `:${c} - [0:0]`);
  return {
    backend: 'iptables',
    family,
    what,
    // Declaring a chain under --noflush empties it; -X then drops it, once nothing jumps to it.
    payload: wrap([...deletes, ...declare, ...present.map((c) => `-X ${c}`)]),
    revert: wrap([...declare, ...present.flatMap((c) => chains.get(c)!), ...reinserts]),
    changes,
  };
}
