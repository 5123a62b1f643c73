// The expected table the probe checks: what must be blocked (one live address per blocked range
// and path), what must connect, and which resolvers must answer.
import { inRange, isIp, nthAddress, parseCidr } from '../net/cidr.js';
import { domainAllows } from '../profile/allowlist.js';
import type { Profile } from '../profile/types.js';
import type { ExpectedDns, ExpectedTcp, ProbePlan } from '../probe/types.js';
import { planAttribution } from './attribution.js';
import type { HostFacts } from './host-facts.js';
import { blockedRangeOf } from './ruleset.js';
import { credentialTargets } from './credentials.js';

/** Docker's embedded resolver, which the container's resolv.conf points at. */
export const EMBEDDED_DNS = '127.0.0.11';
export const METADATA_ADDRESS = '169.254.169.254';

interface Candidate {
  address: string;
  port: number;
  label: string;
  /** Host-owned addresses are delivered through INPUT, everything else through FORWARD. */
  path: 'forward' | 'input';
}

const isV4 = (a: string) => isIp(a, 4);
const isLoopback = (a: string) => a.startsWith('127.');

export function planProbe(profile: Profile, facts: HostFacts): ProbePlan {
  if (profile.proxy) return planAllowlistProbe(profile, facts);
  const hostAddresses = [profile.network.gateway, ...facts.addresses.filter((a) => a.family === 4).map((a) => a.address)];
  const hostSet = new Set(hostAddresses);
  const declaredDns = new Set(profile.dns);
  const allowedPorts = new Set(profile.hostPorts.map((p) => p.port));
  const hostPort = [80, 443, 22, 8080, 8000].find((p) => !allowedPorts.has(p)) ?? 81;

  const candidates: Candidate[] = [];
  for (const r of facts.resolvers.filter((r) => isV4(r) && !isLoopback(r) && !declaredDns.has(r))) {
    candidates.push({ address: r, port: 53, label: `host's DNS resolver ${r}:53`, path: hostSet.has(r) ? 'input' : 'forward' });
  }
  for (const route of facts.routes.filter((r) => r.family === 4 && r.dst === 'default' && r.gateway)) {
    candidates.push({ address: route.gateway!, port: 80, label: `host's default gateway ${route.gateway}:80`, path: 'forward' });
  }
  candidates.push({ address: profile.network.gateway, port: hostPort, label: `bridge gateway (the host) ${profile.network.gateway}:${hostPort}`, path: 'input' });
  for (const a of facts.addresses.filter((a) => a.family === 4 && !isLoopback(a.address))) {
    candidates.push({ address: a.address, port: hostPort, label: `host address ${a.address}:${hostPort} (${a.ifname})`, path: 'input' });
  }
  candidates.push({ address: METADATA_ADDRESS, port: 80, label: `cloud metadata ${METADATA_ADDRESS}:80`, path: 'forward' });
  if (profile.network.ipv6) candidates.push(...ipv6Candidates(profile, facts, hostPort));

  const tcp: ExpectedTcp[] = [];
  const seenGroups = new Set<string>();
  const seenTargets = new Set<string>();
  const add = (e: Omit<ExpectedTcp, 'probe'> & { host: string; port: number; resolver?: string }) => {
    const key = `${e.host}:${e.port}`;
    if (seenTargets.has(key)) return;
    seenTargets.add(key);
    tcp.push({
      probe: { id: `tcp${tcp.length + 1}`, host: e.host, port: e.port, ...(e.resolver ? { resolver: e.resolver } : {}) },
      expect: e.expect, target: e.target, reason: e.reason,
    });
  };

  // One address per (path, blocked range): enough to prove each rule, and few enough that the
  // kernel's ICMP rate limit (a burst of about six per destination) never delays a reject.
  for (const c of candidates) {
    const range = blockedRangeOf(c.address, isV4(c.address) ? profile.egress.block : profile.egress.block6);
    if (c.path === 'forward' && !range) continue;
    const group = `${c.path}:${range ?? 'public'}`;
    if (seenGroups.has(group)) continue;
    seenGroups.add(group);
    const why = c.path === 'input' ? 'the host itself (INPUT)' : `blocked range ${range}`;
    add({ host: c.address, port: c.port, expect: 'blocked', target: c.label, reason: why });
  }
  for (const t of profile.probe.mustBlock) {
    add({ host: t.host, port: t.port, resolver: EMBEDDED_DNS, expect: 'blocked', target: `${t.host}:${t.port}`, reason: t.comment ?? 'profile: must be blocked' });
  }
  for (const ex of profile.egress.allow) {
    const c = parseCidr(ex.to);
    const single = c && (c.family === 4 ? c.prefix === 32 : c.prefix === 128);
    const address = ex.to.split('/')[0]!;
    if (!single || !(isV4(address) || (profile.network.ipv6 && isIp(address, 6))) || ex.protocol === 'udp' || ex.ports.length === 0) continue;
    for (const port of ex.ports.slice(0, 3)) {
      add({ host: address, port, expect: 'reachable', target: addressPort(address, port), reason: `exception${ex.comment ? `: ${ex.comment}` : ''}` });
    }
  }
  for (const t of profile.probe.mustReach) {
    add({ host: t.host, port: t.port, resolver: EMBEDDED_DNS, expect: 'reachable', target: `${t.host}:${t.port}`, reason: t.comment ?? 'profile: must be reachable' });
  }
  for (const t of credentialTargets(profile.credentialProxy)) {
    add({ host: t.host, port: t.port, expect: 'reachable', target: t.target, reason: t.reason });
  }

  const dnsName = profile.probe.dnsName;
  const dns: ExpectedDns[] = [
    { probe: { id: 'dns1', server: EMBEDDED_DNS, name: dnsName }, target: `${dnsName} via ${EMBEDDED_DNS}`, reason: "the container's resolver (Docker's, forwarding to the profile's dns)" },
    ...profile.dns.map((server, i) => ({
      probe: { id: `dns${i + 2}`, server, name: dnsName },
      target: `${dnsName} via ${server}`,
      reason: 'declared resolver',
    })),
  ];

  return {
    request: { timeoutMs: profile.probe.timeoutMs, tcp: tcp.map((t) => t.probe), dns: dns.map((d) => d.probe) },
    tcp,
    dns,
    ipv6Off: !profile.network.ipv6,
    attribution: planAttribution(profile, facts),
  };
}

/** address:port as people write it: [v6]:port. */
const addressPort = (address: string, port: number) => (isIp(address, 6) ? `[${address}]:${port}` : `${address}:${port}`);

/**
 * IPv6 mode: the host's IPv6 addresses (the bridge's gateway first), its default IPv6 gateway, and
 * one address of each IPv6 route into a blocked range; link-local addresses are left out (the
 * container reaches none of them but its own link's).
 */
function ipv6Candidates(profile: Profile, facts: HostFacts, port: number): Candidate[] {
  const out: Candidate[] = [];
  const subnet6 = profile.network.subnet6 ? parseCidr(profile.network.subnet6) : null;
  const linkLocal = (a: string) => inRange(a, 'fe80::/10');
  if (subnet6) {
    const gw = nthAddress(subnet6, 1);
    out.push({ address: gw, port, label: `bridge IPv6 gateway (the host) ${addressPort(gw, port)}`, path: 'input' });
  }
  for (const a of facts.addresses.filter((a) => a.family === 6 && a.address !== '::1' && !linkLocal(a.address))) {
    out.push({ address: a.address, port, label: `host address ${addressPort(a.address, port)} (${a.ifname})`, path: 'input' });
  }
  for (const r of facts.routes.filter((r) => r.family === 6)) {
    if (r.dst === 'default') {
      if (r.gateway && !linkLocal(r.gateway)) out.push({ address: r.gateway, port: 80, label: `host's default IPv6 gateway ${addressPort(r.gateway, 80)}`, path: 'forward' });
      continue;
    }
    const c = parseCidr(r.dst);
    if (!c || c.family !== 6 || linkLocal(r.dst) || (subnet6 && inRange(r.dst.split('/')[0]!, profile.network.subnet6!))) continue;
    const address = c.prefix === 128 ? r.dst.split('/')[0]! : nthAddress(c, 1);
    out.push({ address, port: 80, label: `IPv6 route ${r.dst}${r.dev ? ` (${r.dev})` : ''}: ${addressPort(address, 80)}`, path: 'forward' });
  }
  return out;
}

/** A name no allowlist lists (.invalid never resolves, RFC 6761): the proxy must refuse it unseen. */
export const UNLISTED_NAME = 'unlisted.hermit-probe.invalid';
/** An IP literal for the proxy to refuse; never connected to (the refusal comes first). */
export const IP_LITERAL = '1.1.1.1';

/**
 * Allowlist mode, from inside the agent: direct connections anywhere fail (the internal network
 * has no route; the host rejects through INPUT), the proxy refuses what is not listed, IP
 * literals, the LAN and the metadata address, listed names (mustReach) get through it, and an
 * outside name does not resolve.
 */
function planAllowlistProbe(profile: Profile, facts: HostFacts): ProbePlan {
  const proxy = profile.proxy!;
  const via = `${proxy.address}:${proxy.port}`;
  const tcp: ExpectedTcp[] = [];
  const seen = new Set<string>();
  const add = (e: Omit<ExpectedTcp, 'probe'>, host: string, port: number, extra: Partial<ExpectedTcp['probe']> = {}) => {
    const key = `${extra.proxy ? 'proxy ' : ''}${host}:${port}`;
    if (seen.has(key)) return;
    seen.add(key);
    tcp.push({ probe: { id: `tcp${tcp.length + 1}`, host, port, ...extra }, ...e });
  };
  const allowedPorts = new Set(profile.hostPorts.map((p) => p.port));
  const hostPort = [80, 443, 22, 8080, 8000].find((p) => !allowedPorts.has(p)) ?? 81;
  const lanGateway = facts.routes.find((r) => r.family === 4 && r.dst === 'default' && r.gateway)?.gateway;

  // Direct: nothing but the proxy is reachable.
  add({ expect: 'blocked', target: `internal network gateway (the host) ${proxy.network.gateway}:${hostPort}`, reason: 'the host itself (INPUT)' }, proxy.network.gateway, hostPort);
  for (const a of facts.addresses.filter((a) => a.family === 4 && !isLoopback(a.address)).slice(0, 3)) {
    add({ expect: 'blocked', target: `host address ${a.address}:${hostPort} (${a.ifname})`, reason: 'direct: no route out of the internal network' }, a.address, hostPort);
  }
  if (lanGateway) add({ expect: 'blocked', target: `host's default gateway ${lanGateway}:80`, reason: 'direct: the LAN' }, lanGateway, 80);
  add({ expect: 'blocked', target: `cloud metadata ${METADATA_ADDRESS}:80`, reason: 'direct: metadata' }, METADATA_ADDRESS, 80);
  for (const r of profile.dns.filter(isV4)) add({ expect: 'blocked', target: `resolver ${r}:53 (tcp)`, reason: 'direct: the internet and outside DNS' }, r, 53);
  for (const t of profile.probe.mustBlock.filter((t) => isIp(t.host))) {
    add({ expect: 'blocked', target: `${t.host}:${t.port}`, reason: t.comment ?? 'profile: must be blocked (direct)' }, t.host, t.port);
  }

  // Through the proxy: refused unless listed, never to an address.
  const refused = (target: string, reason: string, host: string, port: number) =>
    add({ expect: 'denied', target: `${target} via proxy`, reason }, host, port, { proxy: via, method: 'connect' });
  refused(`unlisted name ${UNLISTED_NAME}:443`, 'not in egress.domains', UNLISTED_NAME, 443);
  refused(`IP literal ${IP_LITERAL}:443`, 'IP addresses bypass a list of names', IP_LITERAL, 443);
  if (lanGateway) refused(`LAN address ${lanGateway}:80`, 'the LAN', lanGateway, 80);
  refused(`cloud metadata ${METADATA_ADDRESS}:80`, 'metadata', METADATA_ADDRESS, 80);
  for (const t of profile.probe.mustBlock.filter((t) => !isIp(t.host))) {
    refused(`${t.host}:${t.port}`, t.comment ?? 'profile: must be refused', t.host, t.port);
  }
  for (const t of profile.probe.mustReach) {
    const method = domainAllows(proxy.domains, t.host, t.port, 'connect') ? 'connect' : 'http';
    add({ expect: 'reachable', target: `${t.host}:${t.port} via proxy (${method === 'http' ? 'HTTP' : 'CONNECT'})`, reason: t.comment ?? 'listed in egress.domains' },
      t.host, t.port, { proxy: via, method });
  }
  for (const t of credentialTargets(proxy)) add({ expect: 'reachable', target: t.target, reason: t.reason }, t.host, t.port);

  const name = profile.probe.dnsName;
  const dns: ExpectedDns[] = [
    { probe: { id: 'dns1', server: EMBEDDED_DNS, name }, expect: 'no answer', target: `${name} via ${EMBEDDED_DNS}`, reason: 'the agent resolves nothing outside (DNS is a channel out)' },
    ...profile.dns.filter(isV4).map((server, i): ExpectedDns => ({
      probe: { id: `dns${i + 2}`, server, name }, expect: 'no answer', target: `${name} via ${server}`, reason: 'direct DNS to the profile\'s resolver',
    })),
  ];
  return {
    request: { timeoutMs: profile.probe.timeoutMs, tcp: tcp.map((t) => t.probe), dns: dns.map((d) => d.probe) },
    tcp,
    dns,
    ipv6Off: true,
    attribution: planAttribution(profile, facts),
  };
}
