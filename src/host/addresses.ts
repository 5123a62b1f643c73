// The host's addresses and routes, read in-process (os.networkInterfaces and /proc/net) rather
// than by starting `ip`: same facts, no processes on the hot path.
import { readFile } from 'node:fs/promises';
import { endianness, networkInterfaces } from 'node:os';
import { formatIp } from '../net/cidr.js';
import type { HostAddress, HostRoute } from '../plan/host-facts.js';

export function hostAddresses(): HostAddress[] {
  return Object.entries(networkInterfaces()).flatMap(([ifname, addrs]) =>
    (addrs ?? []).map((a) => ({
      ifname,
      family: a.family === 'IPv4' ? 4 : 6,
      // Link-local IPv6 addresses come with a zone (%eth0) from some Node versions.
      address: a.address.replace(/%.*$/, ''),
      prefixlen: Number(a.cidr?.split('/')[1] ?? 0),
    }) as HostAddress),
  );
}

/** /proc/net/route prints each IPv4 address as the hex of a 32-bit word in host byte order. */
function procIpv4(hex: string, little: boolean): bigint {
  const bytes = Buffer.from(hex, 'hex');
  return BigInt(`0x${(little ? bytes.reverse() : bytes).toString('hex')}`);
}

const prefixOfMask = (mask: bigint) => mask.toString(2).replace(/0+$/, '').length;

export function parseProcRoute(text: string, little = endianness() === 'LE'): HostRoute[] {
  return text.split('\n').slice(1).filter((l) => l.trim()).flatMap((line) => {
    const [dev, dst, gateway, flags, , , , mask] = line.trim().split(/\s+/);
    if (!dev || !dst || !gateway || !flags || !mask) return [];
    const prefix = prefixOfMask(procIpv4(mask, little));
    const gw = procIpv4(gateway, little);
    const route: HostRoute = { family: 4, dst: prefix === 0 ? 'default' : `${formatIp(4, procIpv4(dst, little))}/${prefix}`, dev };
    if (gw !== 0n) route.gateway = formatIp(4, gw);
    return [route];
  });
}

/** /proc/net/ipv6_route: dst, dst prefix, src, src prefix, next hop, metric, refcnt, use, flags, dev. */
export function parseProcIpv6Route(text: string): HostRoute[] {
  return text.split('\n').filter((l) => l.trim()).flatMap((line) => {
    const [dst, plen, , , hop, , , , , dev] = line.trim().split(/\s+/);
    if (!dst || !plen || !hop || !dev || dev === 'lo') return [];
    const prefix = parseInt(plen, 16);
    const gw = BigInt(`0x${hop}`);
    const route: HostRoute = { family: 6, dst: prefix === 0 ? 'default' : `${formatIp(6, BigInt(`0x${dst}`))}/${prefix}`, dev };
    if (gw !== 0n) route.gateway = formatIp(6, gw);
    return [route];
  });
}

export async function hostRoutes(): Promise<HostRoute[]> {
  const [v4, v6] = await Promise.all([
    readFile('/proc/net/route', 'utf8').catch(() => ''),
    readFile('/proc/net/ipv6_route', 'utf8').catch(() => ''),
  ]);
  return [...parseProcRoute(v4), ...parseProcIpv6Route(v6)];
}
