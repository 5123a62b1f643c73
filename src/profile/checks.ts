// Semantic checks of a normalized profile. Pure: the loader hands in anything that needs the
// filesystem (realpath), so these run on plain data.
import { type Cidr, cidrContains, formatCidr, isIp, nthAddress, broadcast, parseCidr, parseIp } from '../net/cidr.js';
import { splitVolume } from '../docker/args.js';
import { domainAllows } from './allowlist.js';
import { type CheckOptions, PORT_MESSAGE, dangerousCapability, dockerArgProblems, handOverProblem, isPort, publishProblem, sysctlProblem, volumeProblem } from './isolation.js';
import { NAME_RULES } from './names.js';
import { type KeyPath, type Problem, problemsError } from './problems.js';
import type { LoadedProfile, Profile, ProbeTargetSpec } from './types.js';

/** Throws one usage error listing every semantic problem of the profile. */
export function checkProfile(loaded: LoadedProfile, opts: CheckOptions = {}): void {
  const problems = profileProblems(loaded.profile, opts);
  if (problems.length > 0) throw problemsError(loaded.file, problems, (path) => loaded.locate(path));
}

// ---------------------------------------------------------------------------------------------
// The profile

export function profileProblems(p: Profile, opts: CheckOptions = {}): Problem[] {
  const out: Problem[] = [];
  const add = (path: KeyPath, message: string) => out.push({ path, message });
  const n = p.network;
  const c = p.container;

  if (!NAME_RULES.profile.re.test(p.name)) add(['name'], NAME_RULES.profile.message);
  if (!NAME_RULES.docker.re.test(n.name)) add(['network', 'name'], NAME_RULES.docker.message);
  if (!NAME_RULES.docker.re.test(c.name)) add(['container', 'name'], NAME_RULES.docker.message);
  if (!NAME_RULES.ifname.re.test(n.bridge)) add(['network', 'bridge'], NAME_RULES.ifname.message);

  // The bridge subnet and its gateway.
  const subnet = cidrProblem(n.subnet, 4, 'a valid IPv4 CIDR such as 172.30.0.0/24');
  if (typeof subnet === 'string') add(['network', 'subnet'], subnet);
  else if (subnet.prefix > 30) add(['network', 'subnet'], 'leaves no room for the gateway and a container; use a /30 or larger, such as /24');
  else {
    const gw = parseIp(n.gateway);
    const example = nthAddress(subnet, 1);
    if (!gw || gw.family !== 4) add(['network', 'gateway'], 'must be an IPv4 address such as 172.30.0.1');
    else if (!cidrContains(subnet, gw)) add(['network', 'gateway'], `is outside the subnet ${n.subnet}; use an address inside it, such as ${example}`);
    else if (gw.value === subnet.base || gw.value === broadcast(subnet)) {
      add(['network', 'gateway'], `is the ${gw.value === subnet.base ? 'network' : 'broadcast'} address of ${n.subnet}; use a host address such as ${example}`);
    }
  }
  if (n.mtu !== undefined && !(Number.isInteger(n.mtu) && n.mtu >= 576 && n.mtu <= 9000)) add(['network', 'mtu'], 'must be a whole number from 576 to 9000');
  if (n.ipv6) {
    if (n.subnet6 === undefined) add(['network'], 'ipv6 is true but subnet6 is missing; add subnet6 such as fd00:1234::/64');
    else {
      const s6 = cidrProblem(n.subnet6, 6, 'a valid IPv6 CIDR such as fd00:1234::/64');
      if (typeof s6 === 'string') add(['network', 'subnet6'], s6);
    }
  } else if (n.subnet6 !== undefined) {
    add(['network', 'subnet6'], 'is set but ipv6 is false; set ipv6: true, or remove subnet6');
  }

  // Resolvers.
  p.dns.forEach((r, i) => {
    const ip = parseIp(r);
    if (!ip) add(['dns', i], "must be an IP address such as 1.1.1.1 (the resolver's address, not its name)");
    else if (ip.family === 6 && !n.ipv6) add(['dns', i], 'is IPv6 but network.ipv6 is false; use an IPv4 resolver, or turn ipv6 on');
    else if (isLoopbackOrUnspecified(r)) add(['dns', i], 'is a loopback address, which inside the container is the container itself; use a resolver such as 1.1.1.1');
  });

  // Blocked ranges and exceptions.
  const userBlock = (list: readonly string[], family: 4 | 6, key: string, example: string) =>
    list.forEach((range, i) => {
      const r = cidrProblem(range, family, example);
      if (typeof r === 'string') add(['egress', key, i], r);
    });
  userBlock(p.egress.block, 4, 'block', 'a valid IPv4 CIDR such as 198.51.100.0/24');
  if (n.ipv6) userBlock(p.egress.block6, 6, 'block6', 'a valid IPv6 CIDR such as 2001:db8::/32');
  const blocked = validCidrs([...p.egress.block, ...(n.ipv6 ? p.egress.block6 : [])]);
  const gateway = parseIp(n.gateway);

  if (p.proxy) {
    if (n.ipv6) add(['network', 'ipv6'], 'allowlist mode (egress.domains) runs IPv4 only; set ipv6: false');
    p.egress.allow.forEach((_, i) => add(['egress', 'allow', i], 'has no effect in allowlist mode: the agent reaches nothing directly, and the proxy never connects to a private address; remove it'));
  }
  p.egress.allow.forEach((ex, i) => {
    if (p.proxy) return;
    const at: KeyPath = ['egress', 'allow', i];
    const to = cidrProblem(ex.to, undefined, 'an IP address or CIDR such as 192.168.1.20 or 192.168.1.0/24');
    if (typeof to === 'string') add([...at, 'to'], to);
    else if (to.family === 6 && !n.ipv6) add([...at, 'to'], 'is IPv6 but network.ipv6 is false, so this exception has no effect; remove it, or turn ipv6 on');
    else if (!blocked.some((b) => cidrInside(to, b))) {
      add([...at, 'to'], `is not inside a blocked range, so it is already reachable; remove this exception (blocked: ${blockedList(p)})`);
    } else if (gateway && cidrContains(to, gateway)) {
      add([...at, 'to'], `covers the bridge gateway ${n.gateway}, which is the host itself; to reach a port on the host, list it in hostPorts`);
    }
    ex.ports.forEach((port, j) => { if (!isPort(port)) add([...at, 'ports', j], PORT_MESSAGE); });
  });
  p.hostPorts.forEach((hp, i) => { if (!isPort(hp.port)) add(['hostPorts', i, 'port'], PORT_MESSAGE); });

  // The container.
  c.capAdd.forEach((cap, i) => {
    const why = dangerousCapability(cap);
    if (why) add(['container', 'capAdd', i], `${why}; remove it`);
  });
  c.mounts.forEach((m, i) => {
    const problem = volumeProblem(m, opts) ?? handOverProblem(m, c.sensitiveMounts, opts);
    if (problem) add(['container', 'mounts', i], problem);
  });
  const hostSides = c.mounts.map((m) => splitVolume(m)?.host);
  c.sensitiveMounts.forEach((m, i) => {
    if (!hostSides.includes(m)) add(['container', 'sensitiveMounts', i], `${m} is not the host side of any of container.mounts; write it exactly as the mount's host path, or remove it`);
  });
  for (const key of Object.keys(c.sysctls)) {
    const problem = sysctlProblem(key);
    if (problem) add(['container', 'sysctls', key], problem);
  }
  c.publish.forEach((spec, i) => {
    const problem = publishProblem(spec, false);
    if (problem) add(['container', 'publish', i], problem);
  });
  c.tmpfs.forEach((t, i) => { if (!t.startsWith('/')) add(['container', 'tmpfs', i], 'must be an absolute path inside the container, optionally with options: /tmp:size=64m'); });
  if (c.workdir !== undefined && !c.workdir.startsWith('/')) add(['container', 'workdir'], 'must be an absolute path inside the container, such as /workspace');
  if (c.user.trim() === '') add(['container', 'user'], 'must be uid[:gid] or a user name such as 1000:1000');
  for (const d of dockerArgProblems(c.dockerArgs, opts)) add(['container', 'dockerArgs', d.index], d.message);

  // Probe targets must agree with the firewall, or the probe fails on every start.
  const allowsTcp = (ip: { family: 4 | 6; value: bigint }, port: number) =>
    p.egress.allow.findIndex((ex) => {
      const to = parseCidr(ex.to);
      return to && ex.protocol !== 'udp' && (ex.ports.length === 0 || ex.ports.includes(port)) && cidrContains(to, ip);
    });
  const hostPortIndex = (port: number) => p.hostPorts.findIndex((hp) => hp.protocol === 'tcp' && hp.port === port);
  const targets = (list: ProbeTargetSpec[], key: 'mustReach' | 'mustBlock') =>
    list.forEach((t, i) => {
      const at: KeyPath = ['probe', key, i];
      if (!isPort(t.port)) add([...at, 'port'], PORT_MESSAGE);
      if (p.proxy) return allowlistTarget(p, t, key, (m) => add([...at, 'host'], m));
      const ip = parseIp(t.host);
      if (!ip) {
        if (!isDnsName(t.host)) add([...at, 'host'], 'must be an IP address or a DNS name such as api.anthropic.com');
        return;
      }
      const isGateway = gateway !== null && ip.family === gateway.family && ip.value === gateway.value;
      const range = blocked.find((b) => cidrContains(b, ip));
      const exception = allowsTcp(ip, t.port);
      const hostPort = hostPortIndex(t.port);
      if (key === 'mustReach') {
        if (ip.family === 6 && !n.ipv6) add([...at, 'host'], 'is IPv6 but network.ipv6 is false, so it cannot be reached; remove it, or turn ipv6 on');
        else if (isGateway && hostPort < 0) add([...at, 'host'], `is the bridge gateway (the host); add hostPorts: [{ port: ${t.port} }], or remove this target`);
        else if (!isGateway && range && exception < 0 && !(t.port === 53 && p.dns.includes(t.host))) {
          add([...at, 'host'], `is in blocked range ${formatCidr(range)}; add an egress.allow exception { to: ${t.host}, ports: [${t.port}] }, or move it to mustBlock`);
        }
      } else if (isGateway) {
        if (hostPort >= 0) add([...at, 'host'], `is allowed by hostPorts[${hostPort}]; remove one of them`);
      } else if (ip.family === 6 && !n.ipv6) {
        // Nothing to check: with IPv6 off the container has no IPv6 at all.
      } else if (!range) {
        add([...at, 'host'], `is not in a blocked range, so hermit does not block it; add its range to egress.${ip.family === 4 ? 'block' : 'block6'}, or remove it from mustBlock`);
      } else if (exception >= 0) {
        add([...at, 'host'], `is allowed by egress.allow[${exception}]; remove one of them`);
      }
    });
  targets(p.probe.mustReach, 'mustReach');
  targets(p.probe.mustBlock, 'mustBlock');
  if (!isDnsName(p.probe.dnsName) || isIp(p.probe.dnsName)) add(['probe', 'dnsName'], 'must be a DNS name such as api.anthropic.com');
  if (!(Number.isInteger(p.probe.timeoutMs) && p.probe.timeoutMs >= 100 && p.probe.timeoutMs <= 60000)) {
    add(['probe', 'timeoutMs'], 'must be a whole number of milliseconds from 100 to 60000');
  }
  return out;
}

/** In allowlist mode mustReach goes through the proxy (a listed name), and everything direct is blocked. */
function allowlistTarget(p: Profile, t: ProbeTargetSpec, key: 'mustReach' | 'mustBlock', problem: (m: string) => void): void {
  const ip = parseIp(t.host);
  if (!ip && !isDnsName(t.host)) return problem('must be an IP address or a DNS name such as api.anthropic.com');
  if (key === 'mustBlock') return;
  if (ip) problem('is an IP address, which the proxy refuses in allowlist mode; give a name listed in egress.domains');
  else if (!domainAllows(p.proxy!.domains, t.host, t.port, 'connect') && !domainAllows(p.proxy!.domains, t.host, t.port, 'http')) {
    problem(`is not reachable through the proxy: egress.domains allows neither CONNECT nor HTTP to ${t.host}:${t.port}; list it (e.g. ${[80, 443].includes(t.port) ? t.host : `${t.host}:${t.port}`}), or remove this target`);
  }
}

/** Parses a CIDR or address; a string says what is wrong (host bits set, wrong family, not one). */
function cidrProblem(text: string, family: 4 | 6 | undefined, example: string): Cidr | string {
  const c = parseCidr(text);
  if (!c || (family !== undefined && c.family !== family)) return `must be ${example}`;
  if (!parseCidr(text, { strict: true })) return `has host bits set; write ${formatCidr(c)}`;
  return c;
}

function validCidrs(list: readonly string[]): Cidr[] {
  return list.map((r) => parseCidr(r)).filter((c): c is Cidr => c !== null);
}

const cidrInside = (inner: Cidr, outer: Cidr) => inner.prefix >= outer.prefix && cidrContains(outer, { family: inner.family, value: inner.base });

function blockedList(p: Profile): string {
  return [...p.egress.block, ...(p.network.ipv6 ? p.egress.block6 : [])].join(', ');
}

function isLoopbackOrUnspecified(ip: string): boolean {
  return ['127.0.0.0/8', '0.0.0.0/32', '::1/128', '::/128'].some((r) => {
    const range = parseCidr(r)!;
    const addr = parseIp(ip);
    return addr !== null && cidrContains(range, addr);
  });
}

function isDnsName(text: string): boolean {
  return text.length <= 253 && text.split('.').every((label) => /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/.test(label));
}
