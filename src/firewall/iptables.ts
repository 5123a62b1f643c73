// The iptables backend: compares the wanted ruleset with the host's `iptables-save` text and plans
// the smallest iptables-restore --noflush payload that makes them agree, plus the payload that undoes
// it; hermit's chains are HERMIT-<profile> and HERMIT-IN-<profile>, jumped to from DOCKER-USER and
// INPUT. (The nftables backend's counterpart is nftables.ts; the interface is backend.ts.)
import type { Command } from '../apply/exec.js';
import type { Family } from '../net/cidr.js';
import { HermitError } from '../errors.js';
import type { Attribution } from '../probe/types.js';
import type { Profile } from '../profile/types.js';
import { CHAIN_PREFIX, type Ruleset, buildRuleset, forwardChain, inputChain, renderJump, renderRule } from '../plan/ruleset.js';
import type { CombinedChange, FamilyRules, Firewall, FirewallChange, FirewallState } from './backend.js';

export type { FirewallChange } from './backend.js';

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
export function asThisHostHoldsIt(rs: Ruleset, save: string): Ruleset {
  if (rs.family !== 6 || !parseSave(save).has('DOCKER-USER')) return rs;
  return { ...rs, jumps: rs.jumps.map((j) => (j.from === 'FORWARD' ? { ...j, from: 'DOCKER-USER' } : j)) };
}

/** One of hermit's jumps (to a HERMIT- chain, with its comment). */
export const isHermitJump = (line: string) => / --comment "hermit:[^"]*" -j HERMIT-\S+$/.test(line);
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

/**
 * The one comparison of a family's wanted ruleset with the host's save text: the change that makes
 * them agree (payload null: intact), and the same differences told for people (`problems`, one per
 * change) with what the host holds (`evidence`). `unplannable`: a jump's chain is missing, so no
 * payload can be written (planFirewall throws it; doctor reports it).
 */
export interface FamilyComparison {
  change: FirewallChange;
  problems: string[];
  evidence: string[];
  /** How many of the wanted chains and jumps the host has at all. */
  present: number;
  unplannable?: HermitError;
}

export function compareFamily(wanted: Ruleset, save: string, opts: PlanFirewallOptions = {}): FamilyComparison {
  const { family } = wanted;
  const v = `IPv${family}`;
  const observed = parseSave(save);
  const viaDockerUser = wanted.jumps.some((j) => j.from === 'DOCKER-USER');
  const declare: string[] = [];
  const rules: string[] = [];
  const undoDeclare: string[] = [];
  const undoRules: string[] = [];
  const undoDrop: string[] = [];
  const changes: string[] = [];
  const problems: string[] = [];
  const evidence: string[] = [];
  let present = 0;
  let unplannable: HermitError | undefined;

  if (opts.createDockerUser && viaDockerUser && !observed.has('DOCKER-USER')) {
    observed.set('DOCKER-USER', []);
    declare.push(':DOCKER-USER - [0:0]');
    undoDrop.push('-X DOCKER-USER');
    changes.push('create chain DOCKER-USER');
    problems.push(`${v} has no DOCKER-USER chain`);
  }

  for (const chain of wanted.chains) {
    const want = chain.rules.map((r) => renderRule(chain.name, r, family));
    const have = observed.get(chain.name);
    if (have) present++;
    const same = sameLines(have, want);
    evidence.push(`${v} ${chain.name}: ${have ? countRules(have.length) : 'missing'}${same ? ', as planned' : `, hermit would write ${want.length}`}`);
    if (same) continue;
    declare.push(`:${chain.name} - [0:0]`);
    rules.push(...want);
    undoDeclare.push(`:${chain.name} - [0:0]`);
    if (have) {
      undoRules.push(...have);
      changes.push(`replace chain ${chain.name} (${have.length} → ${countRules(want.length)})`);
      problems.push(have.length === 0
        ? `${v} chain ${chain.name} is empty (flushed): it protects nothing`
        : `${v} chain ${chain.name} differs from the profile (${have.length} rules, hermit would write ${want.length})`);
    } else {
      undoDrop.push(`-X ${chain.name}`);
      changes.push(`create chain ${chain.name} (${countRules(want.length)})`);
      problems.push(`${v} chain ${chain.name} is missing`);
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
      evidence.push(`${v} ${jump.from} → ${jump.to}: missing`);
      problems.push(`${v} has no ${jump.from} chain to jump from`);
      unplannable ??= new HermitError(
        'host',
        `the ${family === 4 ? 'iptables' : 'ip6tables'} filter table has no ${jump.from} chain`,
        jump.from === 'DOCKER-USER'
          ? "Docker creates DOCKER-USER when it manages iptables: check that dockerd runs with iptables enabled (no \"iptables\": false in /etc/docker/daemon.json) and that Docker's firewall backend is iptables"
          : undefined,
      );
      continue;
    }
    const line = renderJump(jump);
    const at = from.indexOf(line);
    if (at >= 0) present++;
    // In place means: present once, with only other hermit jumps above it.
    const inPlace = at >= 0 && from.slice(0, at).every(isHermitJump);
    evidence.push(`${v} ${jump.from} → ${jump.to}: ${at < 0 ? 'missing' : inPlace ? `rule ${at + 1}, first` : `rule ${at + 1}, after ${from[0]}`}`);
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
      problems.push(at < 0
        ? `${v} jump ${jump.from} -i ${jump.bridge} → ${jump.to} is missing`
        : `${v} jump ${jump.from} → ${jump.to} is rule ${at + 1}, not first: rules above it decide first`);
    } else if (stale.length > 0) {
      changes.push(`remove ${stale.length} stale jump(s) to ${jump.to} from ${jump.from}`);
      problems.push(`${v} ${jump.from} holds ${stale.length} stale jump(s) to ${jump.to} besides hermit's`);
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
      problems.push(at >= 0
        ? `${v} FORWARD has ${at} rule(s) above Docker's jump to DOCKER-USER: they see the bridge's traffic before hermit's rules (see host.forward-order)`
        : `${v} FORWARD has no jump to DOCKER-USER: hermit's rules are never consulted`);
    }
  }

  const what = `IPv${family} rules`;
  const result = { problems, evidence, present, ...(unplannable ? { unplannable } : {}) };
  if (declare.length + deletes.length + inserts.length === 0) {
    return { change: { backend: 'iptables', family, what, payload: null, revert: null, changes: [] }, ...result };
  }
  return {
    change: {
      backend: 'iptables',
      family,
      what,
      payload: wrap([...declare, ...deletes, ...rules, ...inserts]),
      // Undo order: flush what we wrote, drop our jumps, put old jumps and rules back, delete new chains.
      revert: wrap([...undoDeclare, ...undoDrop.filter((l) => l.startsWith('-D')), ...undoRules, ...undoDrop.filter((l) => l.startsWith('-X'))]),
      changes,
    },
    ...result,
  };
}

/** The change that makes the host's family hold exactly `wanted`; throws when a jump's chain is missing. */
export function planFirewall(wanted: Ruleset, save: string, opts: PlanFirewallOptions = {}): FirewallChange {
  const compared = compareFamily(wanted, save, opts);
  if (compared.unplannable) throw compared.unplannable;
  return compared.change;
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

/**
 * Several payloads of one family as one iptables-restore --noflush input, in the order planFirewall
 * writes one: chains declared (emptied), lines deleted, chains filled, jumps inserted, chains
 * dropped. A line two payloads share is written once: Docker's DOCKER-USER jump, which each
 * profile's plan moves back on top of FORWARD, would otherwise be deleted twice (the second
 * delete fails the whole restore) or added twice. Each profile's chains and jumps are its own, so
 * nothing else is shared.
 */
export function combinePayloads(payloads: string[]): string {
  const order = [':', '-D ', '-A ', '-I ', '-X '];
  const groups = order.map(() => [] as string[]);
  // A line is written as often as the one payload that has it most often has it (one payload may
  // delete two identical stale jumps).
  const written = new Map<string, number>();
  for (const p of payloads) {
    const here = new Map<string, number>();
    for (const line of p.split('\n')) {
      const g = order.findIndex((prefix) => line.startsWith(prefix));
      if (g < 0) continue; // *filter, COMMIT, blank: written once around the whole
      const n = (here.get(line) ?? 0) + 1;
      here.set(line, n);
      if (n <= (written.get(line) ?? 0)) continue;
      written.set(line, n);
      groups[g]!.push(line);
    }
  }
  // Docker's jump goes in last, so it ends up on top of FORWARD, as in one profile's plan.
  const inserts = groups[3]!;
  const docker = inserts.indexOf(asInsert(DOCKER_USER_JUMP));
  if (docker >= 0) inserts.push(...inserts.splice(docker, 1));
  return wrap(groups.flat());
}

function combineFamily(family: Family, parts: FirewallChange[]): CombinedChange {
  if (parts.length === 1) return { change: parts[0]!, parts };
  const reverts = parts.map((c) => c.revert).filter((r): r is string => r !== null);
  return {
    change: {
      backend: 'iptables',
      family,
      what: `IPv${family} rules`,
      payload: combinePayloads(parts.map((c) => c.payload ?? '')),
      // Undone in reverse: the last profile's change first.
      revert: reverts.length > 0 ? combinePayloads([...reverts].reverse()) : null,
      changes: parts.flatMap((c) => c.changes),
    },
    parts,
  };
}

export const restoreCommand = (family: Family, payload: string): Command => ({
  file: family === 4 ? 'iptables-restore' : 'ip6tables-restore',
  // --noflush: touch only the chains named in the payload; --wait: queue behind the xtables lock.
  args: ['--noflush', '--wait', '10'],
  input: payload,
});

const saveOf = (host: FirewallState, family: Family) => (family === 4 ? host.save4 : host.save6);

const ipv6Unavailable = (profile: Profile, host: FirewallState) => (profile.network.ipv6 && host.save6 === ''
  ? new HermitError('host', 'the profile turns IPv6 on, but ip6tables is not available on this host', 'Install ip6tables, or set network.ipv6: false')
  : undefined);

/** One family's rules in `hermit status`: the same comparison as the plan's (planFirewall). */
function familyStatus(name: string, family: Family, save: string, wanted: Ruleset | undefined): FamilyRules {
  if (family === 6 && save === '') return { family, state: 'unavailable' };
  const chains = parseSave(save);
  const ours = [forwardChain(name), inputChain(name)];
  const present = ours.some((c) => chains.has(c)) || [...chains.values()].some((lines) => lines.some((l) => ours.some((c) => l.endsWith(` -j ${c}`))));
  if (!wanted) return { family, state: present ? 'present' : 'missing' };
  try {
    const change = planFirewall(wanted, save);
    if (change.payload === null) return { family, state: 'intact' };
    return present ? { family, state: 'differs', detail: `to fix: ${change.changes.join(', ')}` } : { family, state: 'missing' };
  } catch (e) {
    return { family, state: 'broken', detail: (e as Error).message };
  }
}

/** Each reset rule's counter in `iptables-save -c` text (ip6tables-save read apart: a rule without an address reads the same in both families). */
function countersIn(att: Attribution, v4: string | undefined, v6: string | undefined): (number | undefined)[] {
  const countsOf = (text: string) => {
    const counts = new Map<string, number>();
    for (const line of text.split('\n')) {
      const m = /^\[(\d+):\d+\] (-A .*)$/.exec(line);
      if (m) counts.set(m[2]!, Number(m[1]));
    }
    return counts;
  };
  const counts = { 4: countsOf(v4 ?? ''), 6: countsOf(v6 ?? '') };
  return att.rules.map((r) => ((r.family === 6 ? v6 : v4) === undefined ? undefined : counts[r.family].get(r.text)));
}

export const iptables: Firewall = {
  name: 'iptables',
  needsDockerUser: true,

  check(fw) {
    if (fw.dockerBackend === 'nftables') {
      throw new HermitError(
        'host',
        "Docker's firewall backend is nftables: it has no DOCKER-USER chain, so hermit's iptables rules would not protect the container",
        'Unset HERMIT_FIREWALL (or set it to nftables): hermit then writes its rules as an nftables table of its own',
      );
    }
    if (fw.dockerChainsInOtherVariant) {
      const other = fw.variant === 'nft' ? 'legacy' : 'nft';
      throw new HermitError(
        'host',
        `Docker's chains are in iptables-${other}, but this host's iptables is iptables-${fw.variant}: rules hermit wrote would be invisible to Docker's`,
        `Make both use one variant: update-alternatives --set iptables /usr/sbin/iptables-${other} (and ip6tables likewise), or restart dockerd after switching`,
      );
    }
  },

  // IPv6 where ip6tables exists, its forward jump where this host's Docker wants it (asThisHostHoldsIt).
  wanted: (profile, hostAddresses, host) =>
    ([4, 6] as const).filter((f) => f === 4 || host.save6 !== '').map((f) => asThisHostHoldsIt(buildRuleset(profile, f, hostAddresses), saveOf(host, f))),

  plan(profile, wanted, host) {
    const noIp6 = ipv6Unavailable(profile, host);
    if (noIp6) throw noIp6;
    return wanted.map((rs) => planFirewall(rs, saveOf(host, rs.family)));
  },

  // The comparison plan() makes, family by family; a problem for each change it would make.
  inspect(profile, wanted, host) {
    const compared = wanted.map((rs) => compareFamily(rs, saveOf(host, rs.family)));
    const noIp6 = ipv6Unavailable(profile, host);
    return {
      present: compared.some((c) => c.present > 0),
      problems: [...compared.flatMap((c) => c.problems), ...(noIp6 ? [noIp6.message] : [])],
      evidence: compared.flatMap((c) => c.evidence),
      intact: `hermit's chains for '${profile.name}' hold exactly the planned rules, and every jump is first`,
      absent: 'no chains',
      repair: 'puts the rules and jumps back in one step (the running container is kept); then find what removed them: a firewalld reload, a restored iptables save, or a reboot (see changes.services)',
    };
  },

  teardown: (profile, host) => [teardownFirewall(profile, 4, host.save4), ...(host.save6 === '' ? [] : [teardownFirewall(profile, 6, host.save6)])],

  rulesStatus(name, profile, hostAddresses, host) {
    const wanted = profile ? this.wanted(profile, hostAddresses, host) : [];
    return ([4, 6] as const).map((f) => familyStatus(name, f, saveOf(host, f), profile ? wanted.find((rs) => rs.family === f) : undefined));
  },

  // Chains in two tables, listed family by family by status.
  where: () => undefined,

  profilesIn(host) {
    const names = new Set<string>();
    for (const save of [host.save4, host.save6]) {
      for (const chain of parseSave(save).keys()) {
        if (chain.startsWith(CHAIN_PREFIX)) names.add(chain.slice(CHAIN_PREFIX.length).replace(/^IN-/, ''));
      }
    }
    return [...names];
  },

  combine: (changes) => ([4, 6] as const)
    .map((f) => changes.filter((c) => (c.family ?? 4) === f && c.payload !== null))
    .filter((group) => group.length > 0)
    .map((group) => combineFamily(group[0]!.family ?? 4, group)),

  command: (change, text) => restoreCommand(change.family ?? 4, text),

  render: (_profile, wanted) => wanted
    .map((rs) => [
      `# IPv${rs.family} (${rs.family === 4 ? 'iptables' : 'ip6tables'}, filter table)`,
      ...rs.jumps.map(renderJump),
      ...rs.chains.flatMap((c) => c.rules.map((r) => renderRule(c.name, r, rs.family))),
    ].join('\n'))
    .join('\n'),

  resetRule: (chain, rule, family) => ({ chain, text: renderRule(chain, rule, family) }),
  counterTable: () => undefined,

  counterReads: (att) => [
    { file: 'iptables-save', args: ['-c', '-t', 'filter'] },
    ...(att.rules.some((r) => r.family === 6) ? [{ file: 'ip6tables-save', args: ['-c', '-t', 'filter'] }] : []),
  ],
  // No read of ip6tables-save: there is no IPv6 rule to count.
  resetCounters: (att, reads) => countersIn(att, reads[0], reads.length > 1 ? reads[1] : ''),

  bootReads: (rulesets) => rulesets.map((rs) => ({ file: rs.family === 4 ? 'iptables-save' : 'ip6tables-save', args: ['-t', 'filter'] })),

  bootPlan(profile, rulesets, reads) {
    return rulesets.map((rs, i): ReturnType<Firewall['bootPlan']>[number] => {
      const save = reads[i];
      if (!save || save.thrown || save.exitCode !== 0 || !parseSave(save.stdout).has('INPUT')) {
        if (rs.family === 6) return { note: 'no ip6tables here; IPv6 rules not restored', fails: false };
        return { note: `cannot read the IPv4 filter table: ${save && !save.thrown ? save.stderr.trim() : 'iptables-save missing'}`, fails: true };
      }
      // Before dockerd: DOCKER-USER is created here, and Docker keeps an existing chain's rules.
      return { fix: planFirewall(rs, save.stdout, { createDockerUser: true }) };
    });
  },
};
