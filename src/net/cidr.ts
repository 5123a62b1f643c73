// Address arithmetic for IPv4 and IPv6, on bigints so one code path serves both families.

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  /** Network address (host bits cleared). */
  base: bigint;
  prefix: number;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.includes(':::')) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string | undefined): number[] | null => {
    if (!half) return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === null) return null;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

export function parseIp(text: string): { family: Family; value: bigint } | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  if (v6 !== null) return { family: 6, value: v6 };
  return null;
}

export function isIp(text: string, family?: Family): boolean {
  const ip = parseIp(text);
  return ip !== null && (family === undefined || ip.family === family);
}

function mask(family: Family, prefix: number): bigint {
  const bits = BigInt(BITS[family]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/**
 * Parses "a.b.c.d/n" or a bare address (a host route). With `strict`, host bits must be zero,
 * which is what Docker demands of a subnet.
 */
export function parseCidr(text: string, opts: { strict?: boolean } = {}): Cidr | null {
  const [addr, len, extra] = text.split('/');
  if (addr === undefined || extra !== undefined) return null;
  const ip = parseIp(addr);
  if (!ip) return null;
  let prefix = BITS[ip.family];
  if (len !== undefined) {
    if (!/^\d{1,3}$/.test(len)) return null;
    prefix = Number(len);
    if (prefix > BITS[ip.family]) return null;
  }
  const base = ip.value & mask(ip.family, prefix);
  if (opts.strict && base !== ip.value) return null;
  return { family: ip.family, base, prefix };
}

export function isCidr(text: string, opts: { strict?: boolean; family?: Family } = {}): boolean {
  const c = parseCidr(text, opts);
  return c !== null && (opts.family === undefined || c.family === opts.family);
}

export function formatIp(family: Family, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // Compress the longest run of zero groups (RFC 5952).
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  // Like glibc's inet_ntop (and so ip6tables-save): IPv4-compatible and IPv4-mapped addresses
  // end in dotted IPv4, e.g. ::ffff:0.0.0.0.
  if (best.at === 0 && (best.len === 6 || (best.len === 5 && groups[5] === 0xffff))) {
    return `::${best.len === 5 ? 'ffff:' : ''}${formatIp(4, value & 0xffffffffn)}`;
  }
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.family, c.base)}/${c.prefix}`;
}

/** Canonical "net/len" text for a CIDR or bare address, as iptables-save prints it. */
export function canonicalCidr(text: string): string {
  const c = parseCidr(text);
  if (!c) throw new Error(`not an address or CIDR: ${text}`);
  return formatCidr(c);
}

export function cidrContains(outer: Cidr, ip: { family: Family; value: bigint }): boolean {
  return outer.family === ip.family && (ip.value & mask(outer.family, outer.prefix)) === outer.base;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const prefix = Math.min(a.prefix, b.prefix);
  const m = mask(a.family, prefix);
  return (a.base & m) === (b.base & m);
}

/** True if `text` (address or CIDR) lies inside the CIDR `range` (both as text). */
export function inRange(text: string, range: string): boolean {
  const inner = parseCidr(text);
  const outer = parseCidr(range);
  if (!inner || !outer || inner.family !== outer.family || inner.prefix < outer.prefix) return false;
  return cidrContains(outer, { family: inner.family, value: inner.base });
}

/** The n-th address of a CIDR (1 = first host), e.g. Docker's default gateway. */
export function nthAddress(c: Cidr, n: number): string {
  return formatIp(c.family, c.base + BigInt(n));
}

export function broadcast(c: Cidr): bigint {
  return c.base | (((1n << BigInt(BITS[c.family])) - 1n) ^ mask(c.family, c.prefix));
}
