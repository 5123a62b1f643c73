// The nftables backend: the rendering and reading of the ruleset model (plan/ruleset.ts), and the
// plan that makes the host's table agree with it (the interface is backend.ts).
//
// Each profile gets a table of its own, `inet hermit-<profile>`, with base chains on the forward and
// input hooks at a priority before Docker's (filter, 0) and firewalld's (filter + 10). Its chains hold
// the same rules as the iptables chains, rule for rule. In nftables an accept (or return) ends only
// this table's base chain, while a drop or reject is final for the packet: so the table protects
// beside Docker's nftables tables and beside iptables-nft's tables alike, and never touches them.
// A change is one `nft -f` transaction that declares, deletes and re-adds the whole table.
import type { Family } from '../net/cidr.js';
import { canonicalCidr, parseCidr } from '../net/cidr.js';
import type { Command } from '../apply/exec.js';
import { ICMP6_TYPES, type Icmp6Type, type Rule, type Ruleset, buildRuleset } from '../plan/ruleset.js';
import type { Firewall, FirewallChange } from './backend.js';

export const NFT_FAMILY = 'inet';
export const NFT_TABLE_PREFIX = 'hermit-';
export const nftTable = (profile: string) => `${NFT_TABLE_PREFIX}${profile}`;
/** Before Docker's chains (filter) and firewalld's (filter + 10): a reject here is final either way,
 * and hermit's log rules see a blocked packet before anything else drops it. */
export const NFT_PRIORITY = 'filter - 10';
const HOOKS = ['forward', 'input'] as const;
type Hook = (typeof HOOKS)[number];

/** IPv4 chains keep the model's names; IPv6 ones get a suffix (one inet table holds both). */
export const nftChain = (name: string, family: Family) => (family === 6 ? `${name}-ip6` : name);
const hookOf = (from: string): Hook => (from === 'INPUT' ? 'input' : 'forward');
const quote = (s: string) => `"${s}"`;

/** An address as nft prints it: a single host without its /32 or /128. */
function nftAddress(cidr: string): string {
  const c = parseCidr(cidr);
  if (!c) return cidr;
  return c.prefix === (c.family === 4 ? 32 : 128) ? cidr.replace(/\/\d+$/, '') : cidr;
}

/** One rule as `nft list` prints it. */
export function renderNftRule(rule: Rule, family: Family): string {
  const parts: string[] = [];
  if (rule.replies) parts.push('ct state established,related ct direction reply');
  if (rule.dst) parts.push(`${family === 4 ? 'ip' : 'ip6'} daddr ${nftAddress(rule.dst)}`);
  if (rule.inIface) parts.push(`iifname ${quote(rule.inIface)}`);
  if (rule.outIface) parts.push(`oifname ${quote(rule.outIface)}`);
  if (rule.icmp6Type) parts.push(`icmpv6 type ${ICMP6_TYPES[rule.icmp6Type]}`);
  if (rule.protocol) {
    const ports = rule.ports ?? [];
    if (ports.length === 0) parts.push(`meta l4proto ${rule.protocol}`);
    // A set: nft prints its elements sorted.
    else parts.push(`${rule.protocol} dport ${ports.length === 1 ? ports[0] : `{ ${[...ports].sort((a, b) => a - b).join(', ')} }`}`);
  }
  switch (rule.verdict) {
    case 'pass': parts.push('return'); break;
    case 'drop': parts.push('drop'); break;
    case 'reject': parts.push(`reject with ${family === 4 ? 'icmp' : 'icmpv6'} admin-prohibited`); break;
    // Counted: the probe reads the counter to tell hermit's resets from a host's (iptables counts every rule).
    case 'reset': parts.push('counter reject with tcp reset'); break;
    case 'log': parts.push(`limit rate 10/minute log prefix ${quote(rule.logPrefix ?? '')}`); break;
  }
  parts.push(`comment ${quote(rule.comment)}`);
  return parts.join(' ');
}

/** A table as hermit reads it: base chains with their hook line, and every chain's rule lines. */
export interface NftTable {
  name: string;
  chains: Map<string, { type?: string; rules: string[] }>;
}

/** The whole table, as the body of an `nft -f` script and as `nft list` prints it (tabs). */
export function wantedTable(profile: string, rulesets: Ruleset[]): NftTable {
  const chains: NftTable['chains'] = new Map();
  for (const hook of HOOKS) chains.set(hook, { type: `type filter hook ${hook} priority ${NFT_PRIORITY}; policy accept;`, rules: [] });
  for (const rs of rulesets) {
    const proto = rs.family === 4 ? 'ipv4' : 'ipv6';
    for (const j of rs.jumps) {
      chains.get(hookOf(j.from))!.rules.push(`iifname ${quote(j.bridge)} meta nfproto ${proto} jump ${nftChain(j.to, rs.family)} comment ${quote(j.comment)}`);
    }
    for (const c of rs.chains) chains.set(nftChain(c.name, rs.family), { rules: c.rules.map((r) => renderNftRule(r, rs.family)) });
  }
  return { name: nftTable(profile), chains };
}

export function renderTable(t: NftTable): string {
  const blocks = [...t.chains].map(([name, c]) =>
    [`\tchain ${name} {`, ...(c.type ? [`\t\t${c.type}`] : []), ...c.rules.map((r) => `\t\t${r}`), '\t}'].join('\n'));
  return `table ${NFT_FAMILY} ${t.name} {\n${blocks.join('\n\n')}\n}\n`;
}

/** `table X {}` + `delete table X`: removes the table if it exists, and is no error if it does not. */
const dropTable = (name: string) => `table ${NFT_FAMILY} ${name} {}\ndelete table ${NFT_FAMILY} ${name}\n`;

// ---- reading back ------------------------------------------------------------------------------

/** hermit's tables in `nft list ruleset` (or `nft list table`) output: name → its text. */
export function hermitTables(listing: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = listing.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = new RegExp(`^table ${NFT_FAMILY} (${NFT_TABLE_PREFIX}[a-z0-9-]+) \\{`).exec(lines[i]!);
    if (!m) continue;
    const end = lines.findIndex((l, k) => k > i && l === '}');
    out.set(m[1]!, `${lines.slice(i, end < 0 ? undefined : end + 1).join('\n')}\n`);
    if (end > 0) i = end;
  }
  return out;
}

export function parseTable(text: string): NftTable | undefined {
  const head = new RegExp(`^table ${NFT_FAMILY} (\\S+) \\{`).exec(text);
  if (!head) return undefined;
  const chains: NftTable['chains'] = new Map();
  let current: { type?: string; rules: string[] } | undefined;
  for (const raw of text.split('\n').slice(1)) {
    const line = raw.trim();
    const chain = /^chain (\S+) \{$/.exec(line);
    if (chain) { current = { rules: [] }; chains.set(chain[1]!, current); continue; }
    if (!current || line === '' || line === '}') continue;
    if (line.startsWith('type ')) current.type = line;
    else current.rules.push(line);
  }
  return { name: head[1]!, chains };
}

const TOKENS = /"[^"]*"|\{[^}]*\}|\S+/g;

/**
 * A rule line read back into the model and rendered again, so that what nft prints differently for
 * the same rule (a /32, the order of ct states, a default burst, "icmp type") compares equal.
 * A line hermit does not write comes back unchanged, and so never equals a wanted rule.
 */
export function canonicalNftRule(line: string, family: Family): string {
  const t = line.match(TOKENS) ?? [];
  const rule: Partial<Rule> = {};
  const unq = (s: string | undefined) => (s ?? '').replace(/^"|"$/g, '');
  let counted = false;
  let i = 0;
  const next = () => t[i++];
  while (i < t.length) {
    const w = next();
    if (w === 'ct' && t[i] === 'state') {
      i++;
      const states = (next() ?? '').split(',').sort().join(',');
      if (states !== 'established,related' || next() !== 'ct' || next() !== 'direction' || next() !== 'reply') return line;
      rule.replies = true;
    } else if ((w === 'ip' || w === 'ip6') && t[i] === 'daddr') {
      i++;
      if ((w === 'ip') !== (family === 4)) return line;
      const a = next() ?? '';
      if (parseCidr(a)?.family !== family) return line;
      rule.dst = canonicalCidr(a);
    } else if (w === 'iifname' || w === 'oifname') {
      const name = next() ?? '';
      if (!/^"[^"]+"$/.test(name)) return line;
      if (w === 'iifname') rule.inIface = unq(name); else rule.outIface = unq(name);
    } else if (w === 'meta' && t[i] === 'l4proto') {
      i++;
      const p = next();
      if (p !== 'tcp' && p !== 'udp') return line;
      rule.protocol = p;
    } else if (w === 'icmpv6' && t[i] === 'type' && family === 6) {
      i++;
      const name = next();
      const type = Object.entries(ICMP6_TYPES).find(([, n]) => n === name)?.[0];
      if (!type) return line;
      rule.icmp6Type = Number(type) as Icmp6Type;
    } else if ((w === 'tcp' || w === 'udp') && t[i] === 'dport') {
      i++;
      const ports = (next() ?? '').replace(/[{}]/g, '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
      if (ports.length === 0 || ports.some((p) => !Number.isInteger(p))) return line;
      rule.protocol = w;
      rule.ports = ports;
    } else if (w === 'limit' && t[i] === 'rate') {
      i++;
      if (next() !== '10/minute') return line;
      if (t[i] === 'burst') { i++; if (next() !== '5' || next() !== 'packets') return line; }
      if (next() !== 'log' || next() !== 'prefix') return line;
      rule.verdict = 'log';
      rule.logPrefix = unq(next());
    } else if (w === 'return' || w === 'accept') {
      // Only return: an accept would end hermit's base chain early, which return also does, but hermit never writes it.
      if (w === 'accept') return line;
      rule.verdict = 'pass';
    } else if (w === 'drop') {
      rule.verdict = 'drop';
    } else if (w === 'counter') {
      // Only in front of a reset, where hermit writes it; its values are the kernel's, not the rule's.
      if (t[i] === 'packets') { i++; next(); if (next() !== 'bytes') return line; next(); }
      if (t[i] !== 'reject' || t[i + 1] !== 'with' || t[i + 2] !== 'tcp') return line;
      counted = true;
    } else if (w === 'reject' && t[i] === 'with' && t[i + 1] === 'tcp') {
      i += 2;
      if (next() !== 'reset' || !counted) return line;
      rule.verdict = 'reset';
    } else if (w === 'reject' && t[i] === 'with') {
      i++;
      const kind = next();
      if (t[i] === 'type') i++;
      if (kind !== (family === 4 ? 'icmp' : 'icmpv6') || next() !== 'admin-prohibited') return line;
      rule.verdict = 'reject';
    } else if (w === 'comment') {
      rule.comment = unq(next());
    } else {
      return line;
    }
  }
  if (!rule.verdict || rule.comment === undefined) return line;
  return renderNftRule(rule as Rule, family);
}

/** Each chain's rules in canonical form (base chains: as read; family from the chain name). */
function canonicalTable(t: NftTable): NftTable {
  const chains: NftTable['chains'] = new Map();
  for (const [name, c] of t.chains) {
    const family: Family = name.endsWith('-ip6') ? 6 : 4;
    chains.set(name, { ...(c.type ? { type: c.type } : {}), rules: c.type ? c.rules : c.rules.map((r) => canonicalNftRule(r, family)) });
  }
  return { name: t.name, chains };
}

const sameChain = (a: { type?: string; rules: string[] } | undefined, b: { type?: string; rules: string[] }) =>
  !!a && a.type === b.type && a.rules.length === b.rules.length && a.rules.every((l, i) => l === b.rules[i]);

/** What differs between the host's table and the wanted one, for people (empty: identical). */
export function tableDifferences(have: NftTable | undefined, want: NftTable): string[] {
  if (!have) return [`create table ${NFT_FAMILY} ${want.name} (${want.chains.size} chains)`];
  const canon = canonicalTable(have);
  const out: string[] = [];
  for (const [name, c] of want.chains) {
    const h = canon.chains.get(name);
    if (!h) out.push(`add chain ${name}`);
    else if (!sameChain(h, c)) out.push(`replace chain ${name} (${h.rules.length} → ${c.rules.length} rules)`);
  }
  for (const name of canon.chains.keys()) if (!want.chains.has(name)) out.push(`remove chain ${name}`);
  return out;
}

/**
 * The nft transaction that makes the host's table of this profile exactly the wanted one, with the
 * transaction that puts back what it replaced.
 * @param listing the host's table as `nft list table` printed it; undefined when there is none.
 */
export function planNft(profile: string, rulesets: Ruleset[], listing: string | undefined): FirewallChange {
  const want = wantedTable(profile, rulesets);
  const have = listing ? parseTable(listing) : undefined;
  const diff = tableDifferences(have, want);
  const what = `nftables table ${NFT_FAMILY} ${want.name}`;
  if (diff.length === 0) return { backend: 'nftables', what, payload: null, revert: null, changes: [] };
  return {
    backend: 'nftables',
    what,
    payload: dropTable(want.name) + renderTable(want),
    revert: dropTable(want.name) + (listing ?? ''),
    changes: have ? [`replace table ${NFT_FAMILY} ${want.name}: ${diff.join(', ')}`] : diff,
  };
}

/** `hermit down`: delete the profile's table (a revert puts it back as it was). */
export function teardownNft(profile: string, listing: string | undefined): FirewallChange {
  const name = nftTable(profile);
  const what = `nftables table ${NFT_FAMILY} ${name}`;
  if (!listing) return { backend: 'nftables', what, payload: null, revert: null, changes: [] };
  const rules = parseTable(listing)?.chains;
  const count = rules ? [...rules.values()].reduce((n, c) => n + c.rules.length, 0) : 0;
  return { backend: 'nftables', what, payload: dropTable(name), revert: dropTable(name) + listing, changes: [`remove table ${NFT_FAMILY} ${name} (${count} rules)`] };
}

/** One `nft -f` transaction: the whole table is replaced at once, or nothing changes. */
export const nftCommand = (script: string): Command => ({ file: 'nft', args: ['-f', '-'], input: script });

export const nftables: Firewall = {
  name: 'nftables',
  needsDockerUser: false,
  // Its table hooks the kernel itself: it needs no chain of Docker's.
  check: () => undefined,
  // Both families always, in the one inet table.
  wanted: (profile, hostAddresses) => ([4, 6] as const).map((f) => buildRuleset(profile, f, hostAddresses)),
  plan: (profile, wanted, host) => [planNft(profile.name, wanted, host.nftTables[nftTable(profile.name)])],
  teardown: (profile, host) => [teardownNft(profile, host.nftTables[nftTable(profile)])],

  // The comparison plan() makes: the whole table, missing or not exactly the wanted one.
  inspect(profile, wanted, host) {
    const table = `${NFT_FAMILY} ${nftTable(profile.name)}`;
    const listing = host.nftTables[nftTable(profile.name)];
    const [change] = this.plan(profile, wanted, host) as [FirewallChange];
    const problems = change.payload === null ? []
      : listing ? [`hermit's table ${table} differs from the profile: ${change.changes.join(', ')}`]
      : [`hermit's table ${table} is missing: nothing isolates the profile's bridge`];
    return {
      present: !!listing,
      problems,
      evidence: [`table ${table}: ${listing ? `${listing.split('\n').length} lines` : 'missing'}`, ...change.changes],
      intact: `hermit's table ${table} holds exactly the planned rules`,
      absent: 'no table',
      repair: listing
        ? 'replaces it in one transaction (the running container is kept); then find what changed it'
        : 'puts it back in one transaction; then find what removed it: nftables.service (its config starts with flush ruleset), a reboot (see changes.services)',
    };
  },

  // One table holds both families: one comparison, reported per family.
  rulesStatus(name, profile, hostAddresses, host) {
    const listing = host.nftTables[nftTable(name)];
    const one = (): { state: 'intact' | 'differs' | 'missing' | 'present'; detail?: string } => {
      if (!profile) return { state: listing ? 'present' : 'missing' };
      const [change] = this.plan(profile, this.wanted(profile, hostAddresses, host), host);
      if (change!.payload === null) return { state: 'intact' };
      return listing ? { state: 'differs', detail: `to fix: ${change!.changes.join(', ')}` } : { state: 'missing' };
    };
    const s = one();
    return [{ family: 4, ...s }, { family: 6, ...s }];
  },

  where: (profile) => `table ${NFT_FAMILY} ${nftTable(profile)}`,
  profilesIn: (host) => Object.keys(host.nftTables).map((table) => table.slice(NFT_TABLE_PREFIX.length)),
  // Each profile has its own table: one `nft -f` carries every table's replacement, all or nothing.
  combine: (changes) => {
    const parts = changes.filter((c) => c.payload !== null);
    if (parts.length <= 1) return parts.map((c) => ({ change: c, parts: [c] }));
    const reverts = parts.map((c) => c.revert).filter((r): r is string => r !== null);
    return [{
      change: {
        backend: 'nftables',
        what: `nftables tables ${parts.map((c) => c.what.replace(/^nftables table /, '')).join('; ')}`,
        payload: parts.map((c) => c.payload).join(''),
        revert: reverts.length > 0 ? [...reverts].reverse().join('') : null,
        changes: parts.flatMap((c) => c.changes),
      },
      parts,
    }];
  },
  command: (_change, text) => nftCommand(text),
  render: (profile, wanted, reason) => `# IPv4 and IPv6 (nftables, ${reason})\n${renderTable(wantedTable(profile, wanted)).trimEnd()}`,

  resetRule: (chain, rule, family) => ({ chain: nftChain(chain, family), text: renderNftRule(rule, family) }),
  counterTable: nftTable,
  counterReads: (att) => [{ file: 'nft', args: ['list', 'table', NFT_FAMILY, att.table ?? ''] }],
  resetCounters(att, [listing]) {
    const chains = listing === undefined ? undefined : parseTable(listing)?.chains;
    return att.rules.map((r) => {
      const line = chains?.get(r.chain)?.rules.find((l) => canonicalNftRule(l, r.family) === r.text);
      const m = line && /\bcounter packets (\d+) bytes \d+/.exec(line);
      return m ? Number(m[1]) : undefined;
    });
  },

  bootReads: () => [{ file: 'nft', args: ['list', 'ruleset'] }],
  bootPlan(profile, rulesets, [listing]) {
    if (!listing || listing.exitCode !== 0) return [{ note: `cannot read the nftables ruleset: ${listing?.stderr.trim() ?? ''}`, fails: true }];
    return [{ fix: planNft(profile, rulesets, hermitTables(listing.stdout).get(nftTable(profile))) }];
  },
};
