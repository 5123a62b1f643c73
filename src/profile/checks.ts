// Semantic checks of a normalized profile, and of docker run options passed through. Pure: the
// loader hands in anything that needs the filesystem (realpath), so these run on plain data.
import { HermitError, formatKeyPath } from '../errors.js';
import { type Cidr, cidrContains, formatCidr, isIp, nthAddress, broadcast, parseCidr, parseIp } from '../net/cidr.js';
import { domainAllows } from './allowlist.js';
import { looksSecret } from './secrets.js';
import type { LoadedProfile, Profile, ProbeTargetSpec, SourcePosition } from './types.js';

export type KeyPath = (string | number)[];

/** One thing wrong with a profile, at a key. `at: 'key'` points at the key itself, not its value. */
export interface Problem {
  path: KeyPath;
  message: string;
  at?: 'key';
}

export interface CheckOptions {
  /** Resolves symlinks of a host path (undefined when it does not exist), so a link to the Docker
   * socket is caught too. The loader passes fs.realpathSync; tests leave it out. */
  realpath?: (hostPath: string) => string | undefined;
  /** Engine sockets that exist on this host outside the usual places (Docker Desktop's
   * ~/.docker/desktop/docker.sock, rootless Docker, DOCKER_HOST): mounting a directory that
   * holds one is refused too. */
  sockets?: readonly string[];
  /** Places whose mount hands over the host (hermit's state, the engine's data, credential folders
   * of these homes); the loader fills it from the host. */
  sensitive?: SensitivePlaces;
}

export interface SensitivePlaces {
  /** Home directories whose credential folders (~/.ssh, ~/.aws, ...) are sensitive. */
  homes: readonly string[];
  /** hermit's state dir and config folders, the engine's data dirs: sensitive with everything inside. */
  dirs: readonly string[];
  /** Whether a path exists: a folder holding a credential folder (someone's home) is sensitive too. */
  exists?: (path: string) => boolean;
}

export const SCHEMA_HINT = 'See schema/profile.schema.json for every key, its default and what it accepts.';

// Name rules, worded like the schema's errorMessage for the same keys.
export const NAME_RULES = {
  profile: {
    re: /^[a-z0-9][a-z0-9-]{0,17}$/,
    message: "must be 1-18 characters of a-z, 0-9 and '-', starting with a letter or digit (it becomes the iptables chains HERMIT-<name> and HERMIT-IN-<name>)",
  },
  docker: {
    re: /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/,
    message: "must be at least 2 characters of letters, digits, '_', '.', '-', starting with a letter or digit (Docker's rule for names)",
  },
  ifname: {
    re: /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,15}$/,
    message: "must be a Linux interface name: 1-15 characters of A-Z, a-z, 0-9, '_', '.', '-' (and not '.' or '..')",
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Formatting

/** "file:line:col: key.path: problem" lines, in file order. */
export function formatProblems(
  file: string,
  problems: readonly Problem[],
  locate: (path: KeyPath, at?: 'key') => SourcePosition | undefined,
): string {
  const located = problems.map((p) => ({ p, pos: locate(p.path, p.at) }));
  // The profile's own file first, then each file it extends (a value inherited through extends).
  const files = [file, ...new Set(located.map((l) => l.pos?.file ?? file))];
  const order = (pos: SourcePosition | undefined) => files.indexOf(pos?.file ?? file);
  located.sort((a, b) => order(a.pos) - order(b.pos) || (a.pos?.line ?? 0) - (b.pos?.line ?? 0) || (a.pos?.col ?? 0) - (b.pos?.col ?? 0));
  return located
    .map(({ p, pos }) => {
      const where = pos ? `${pos.file ?? file}:${pos.line}:${pos.col}` : file;
      const key = formatKeyPath(p.path);
      return `${where}: ${key ? `${key}: ` : ''}${p.message}`;
    })
    .join('\n');
}

export function problemsError(file: string, problems: readonly Problem[], locate: Parameters<typeof formatProblems>[2]): HermitError {
  return new HermitError('usage', formatProblems(file, problems, locate), SCHEMA_HINT);
}

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

const PORT_MESSAGE = 'must be a port number from 1 to 65535';
const isPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;

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

// ---------------------------------------------------------------------------------------------
// Settings that undo the isolation, shared by profile keys and docker run options

const DANGEROUS_CAPS: Record<string, string> = {
  ALL: 'gives every capability, including NET_ADMIN',
  NET_ADMIN: "lets the container change its own addresses, routes and firewall",
  NET_RAW: 'lets the container forge packets and spoof addresses on the bridge',
  SYS_ADMIN: 'allows mounts and namespace changes that lead out of the container',
  SYS_MODULE: "loads modules into the host's kernel",
  SYS_RAWIO: "gives raw access to the host's memory and I/O ports",
  DAC_READ_SEARCH: 'opens host files by handle (the "shocker" escape)',
  BPF: 'loads BPF programs into the kernel',
};

/** Why a capability undoes the isolation, or undefined. Accepts any case, with or without CAP_. */
export function dangerousCapability(cap: string): string | undefined {
  const name = cap.trim().toUpperCase().replace(/^CAP_/, '');
  const why = DANGEROUS_CAPS[name];
  return why ? `capability ${name} ${why}` : undefined;
}

const SOCKET_NAMES = new Set(['docker.sock', 'containerd.sock', 'podman.sock', 'buildkitd.sock']);
const RUNTIME_DIRS = new Set(['/', '/run', '/var/run', '/run/docker', '/var/run/docker', '/run/containerd', '/var/run/containerd', '/run/podman', '/var/run/podman', '/run/user', '/var/run/user']);

/** Why mounting a host path hands over a container engine's API socket, or undefined. */
function engineSocketProblem(hostPath: string, sockets: readonly string[] = []): string | undefined {
  const clean = normalizePosix(hostPath);
  const base = clean.slice(clean.lastIndexOf('/') + 1);
  if (SOCKET_NAMES.has(base) || RUNTIME_DIRS.has(clean) || /^\/(var\/)?run\/user\/[^/]+$/.test(clean)) return `which ${SOCKET_MESSAGE}`;
  const inside = sockets.find((s) => normalizePosix(s).startsWith(`${clean}/`));
  return inside === undefined ? undefined : `which contains ${inside} and so ${SOCKET_MESSAGE}`;
}

// Mounting these, or anything inside them, hands over the host; so does mounting a folder that
// holds one of them (/, /var, a whole home). /etc itself too, and anything in it writable: a
// read-only file from it (/etc/localtime:ro) is common and harmless.
const SYSTEM_SENSITIVE = ['/root', '/boot', '/dev', '/proc', '/sys', '/var/lib/docker', '/var/lib/containerd',
  '/etc/hermit', '/etc/docker', '/etc/ssh', '/etc/shadow', '/etc/gshadow', '/etc/sudoers', '/etc/sudoers.d', '/etc/ssl/private'];
// In a home: keys, cloud and registry credentials, cluster access, hermit's own configuration.
export const CREDENTIAL_FOLDERS = ['.ssh', '.aws', '.gnupg', '.docker', '.kube', '.azure', '.config/gh', '.config/gcloud', '.config/hermit', '.netrc', '.git-credentials'];
// Folders that mark anyone's home (a project may well have a .docker folder; these it would not).
const HOME_MARKERS = ['.ssh', '.gnupg', '.aws', '.kube', '.azure'];

/** Why mounting a host path hands over the host (its system, hermit's state, a home's credentials), or undefined. */
export function sensitivePathProblem(hostPath: string, places: SensitivePlaces, readOnly = false): string | undefined {
  const clean = normalizePosix(hostPath);
  if (clean === '/') return 'which is the whole host filesystem';
  if (clean === '/etc' || (!readOnly && clean.startsWith('/etc/'))) return `which is ${clean === '/etc' ? '' : 'inside '}/etc, the host's configuration${clean === '/etc' ? '' : ', writable'}`;
  const sensitive = [
    ...SYSTEM_SENSITIVE.map((d) => ({ path: d, what: d })),
    ...places.dirs.map((d) => ({ path: normalizePosix(d), what: `${normalizePosix(d)} (hermit's or the engine's state)` })),
    ...places.homes.flatMap((h) => CREDENTIAL_FOLDERS.map((f) => ({ path: normalizePosix(`${h}/${f}`), what: `${normalizePosix(`${h}/${f}`)} (credentials)` }))),
  ];
  const inside = sensitive.find((s) => clean === s.path || clean.startsWith(`${s.path}/`));
  if (inside) return `which is ${clean === inside.path ? '' : 'inside '}${inside.what}`;
  const holds = sensitive.find((s) => s.path.startsWith(`${clean}/`));
  if (holds) return `which holds ${holds.what}`;
  const folder = places.exists && HOME_MARKERS.find((f) => places.exists!(`${clean}/${f}`));
  if (folder) return `which holds ${clean}/${folder} (credentials: a home directory?)`;
  const named = clean.split('/').find((seg) => HOME_MARKERS.includes(seg));
  return named ? `which is inside a ${named} folder (credentials)` : undefined;
}

/** A bind mount that hands over the host, unless container.sensitiveMounts names it. */
function handOverProblem(spec: string, allowed: readonly string[], opts: CheckOptions): string | undefined {
  const v = splitVolume(spec);
  const host = v?.host;
  const why = host === undefined ? undefined : hostPathHandOver(host, allowed, opts, !!v?.options?.split(',').includes('ro'));
  return why === undefined ? undefined : `mounts ${host}, ${why}`;
}

function hostPathHandOver(host: string, allowed: readonly string[], opts: CheckOptions, readOnly = false): string | undefined {
  if (!opts.sensitive || !host.startsWith('/') || allowed.includes(host)) return undefined;
  const real = opts.realpath?.(host);
  const why = sensitivePathProblem(host, opts.sensitive, readOnly) ?? (real === undefined ? undefined : sensitivePathProblem(real, opts.sensitive, readOnly));
  return why === undefined ? undefined
    : `${why}: that hands the host over to the agent. Mount a narrower folder (a project directory), or, if you mean it, list ${host} under container.sensitiveMounts in the profile (hermit trust then asks you to approve it)`;
}

function normalizePosix(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

export interface VolumeSpec {
  /** Host path or volume name; undefined for an anonymous volume ("/data"). */
  host?: string;
  container: string;
  options?: string;
}

/** Splits docker -v syntax "host:container[:options]"; null when it has too many parts. */
export function splitVolume(spec: string): VolumeSpec | null {
  const parts = spec.split(':');
  if (parts.length === 1) return { container: parts[0]! };
  if (parts.length === 2) return { host: parts[0]!, container: parts[1]! };
  if (parts.length === 3) return { host: parts[0]!, container: parts[1]!, options: parts[2]! };
  return null;
}

const VOLUME_OPTIONS = new Set(['ro', 'rw', 'z', 'Z', 'shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate', 'nocopy', 'consistent', 'cached', 'delegated']);
const SOCKET_MESSAGE = "gives the container the container engine's API (the Docker socket), which undoes every isolation; remove it";

function volumeProblem(spec: string, opts: CheckOptions = {}): string | undefined {
  const v = splitVolume(spec);
  if (!v) return 'must be host-path:container-path[:options], such as ./src:/workspace:ro';
  if (!v.container.startsWith('/')) return `container side '${v.container}' must be an absolute path such as /workspace`;
  const bad = v.options?.split(',').find((o) => !VOLUME_OPTIONS.has(o));
  if (bad !== undefined) return `unknown mount option '${bad}'; use ro, rw, z, Z or a propagation mode such as rslave`;
  if (v.host === undefined) return undefined;
  if (v.host === '') return 'host side is empty; write host-path:container-path';
  if (v.host.startsWith('/')) {
    const real = opts.realpath?.(v.host);
    const why = engineSocketProblem(v.host, opts.sockets) ?? (real === undefined ? undefined : engineSocketProblem(real, opts.sockets));
    return why === undefined ? undefined : `mounts ${v.host}, ${why}`;
  }
  if (!NAME_RULES.docker.re.test(v.host)) return `host side '${v.host}' must be an absolute path, ./relative, ~/path, or a volume name`;
  return undefined;
}

/** Sysctls hermit sets itself, or that turn the container into a router. */
function sysctlProblem(key: string): string | undefined {
  const k = key.replace(/\//g, '.');
  if (/^net\.ipv6\.conf\.[^.]+\.disable_ipv6$/.test(k)) return `${k} is set by hermit (IPv6 is off unless network.ipv6 is true); remove it and use network.ipv6`;
  if (k === 'net.ipv4.ip_forward' || /^net\.ipv[46]\.conf\.[^.]+\.forwarding$/.test(k)) return `${k} turns the container into a router; remove it`;
  if (/^net\.ipv6\.conf\.[^.]+\.accept_ra/.test(k)) return `${k} lets router advertisements configure the container's IPv6; remove it`;
  return undefined;
}

export interface PublishSpec {
  /** Host address without brackets; undefined when the spec names none. */
  address?: string;
  /** Host port or range; '' lets Docker pick one. */
  hostPort: string;
  containerPort: string;
  protocol?: string;
}

/** Splits docker -p syntax "[address:][hostPort:]containerPort[/protocol]"; null if malformed. */
export function splitPublish(spec: string): PublishSpec | null {
  let rest = spec;
  let protocol: string | undefined;
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) [rest, protocol] = [rest.slice(0, slash), rest.slice(slash + 1)];
  let address: string | undefined;
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']:');
    if (end < 0) return null;
    address = rest.slice(1, end);
    rest = `:${rest.slice(end + 2)}`;
  }
  const parts = rest.split(':');
  if (address !== undefined) parts.shift();
  if (address === undefined && parts.length === 3) address = parts.shift();
  if (parts.length === 1) return { address, hostPort: '', containerPort: parts[0]!, protocol };
  if (parts.length === 2) return { address, hostPort: parts[0]!, containerPort: parts[1]!, protocol };
  return null;
}

export function formatPublish(p: PublishSpec): string {
  const addr = p.address === undefined ? '' : `${p.address.includes(':') ? `[${p.address}]` : p.address}:`;
  return `${addr}${p.hostPort}:${p.containerPort}${p.protocol ? `/${p.protocol}` : ''}`;
}

const portRange = (text: string) => {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  return m !== null && isPort(Number(m[1])) && (m[2] === undefined || (isPort(Number(m[2])) && Number(m[2]) >= Number(m[1])));
};

function publishProblem(spec: string, fromArgs: boolean): string | undefined {
  const p = splitPublish(spec);
  const shape = 'must be [address:][hostPort:]containerPort[/protocol] such as 127.0.0.1:8080:8080 (IPv6 addresses in brackets)';
  if (!p) return shape;
  if (p.address === undefined || p.address === '') {
    return fromArgs
      ? `publishes ${spec} on every host address; write 127.0.0.1:${p.hostPort || p.containerPort}:${p.containerPort}, or 0.0.0.0:... to expose it to the LAN deliberately`
      : shape;
  }
  if (!isIp(p.address)) return `'${p.address}' is not an IP address; ${shape}`;
  if (!portRange(p.containerPort) || (p.hostPort !== '' && !portRange(p.hostPort))) return `has a port outside 1-65535; ${shape}`;
  if (p.protocol !== undefined && !['tcp', 'udp', 'sctp'].includes(p.protocol)) return `protocol '${p.protocol}' must be tcp, udp or sctp`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// docker run options passed through (profile dockerArgs, and CLI arguments after `--`)
//
// Recognized spellings: --flag value, --flag=value, -f value, -f=value, -fvalue, and clusters of
// short flags (-it, -itv /a:/b, -itp8080:80), as Docker's flag parser (pflag) reads them. Only
// docker run options are accepted, and only those listed below: an option hermit does not know
// could be one that undoes the isolation (as --use-api-socket did when it appeared), so it is
// refused rather than passed blindly. Everything that is not an option is refused as well.

const BOOLEAN_OPTIONS = new Set([
  'detach', 'disable-content-trust', 'help', 'init', 'interactive', 'no-healthcheck', 'oom-kill-disable',
  'privileged', 'publish-all', 'quiet', 'read-only', 'rm', 'sig-proxy', 'tty', 'use-api-socket',
]);
const VALUE_OPTIONS = new Set([
  'add-host', 'annotation', 'attach', 'blkio-weight', 'blkio-weight-device', 'cap-add', 'cap-drop', 'cgroup-parent',
  'cgroupns', 'cidfile', 'cpu-count', 'cpu-percent', 'cpu-period', 'cpu-quota', 'cpu-rt-period', 'cpu-rt-runtime',
  'cpu-shares', 'cpus', 'cpuset-cpus', 'cpuset-mems', 'detach-keys', 'device', 'device-cgroup-rule',
  'device-read-bps', 'device-read-iops', 'device-write-bps', 'device-write-iops', 'dns', 'dns-option', 'dns-search',
  'domainname', 'entrypoint', 'env', 'env-file', 'expose', 'gpus', 'group-add', 'health-cmd', 'health-interval',
  'health-retries', 'health-start-interval', 'health-start-period', 'health-timeout', 'hostname', 'io-maxbandwidth',
  'io-maxiops', 'ip', 'ip6', 'ipc', 'isolation', 'kernel-memory', 'label', 'label-file', 'link', 'link-local-ip',
  'log-driver', 'log-opt', 'mac-address', 'memory', 'memory-reservation', 'memory-swap', 'memory-swappiness', 'mount',
  'name', 'network', 'network-alias', 'oom-score-adj', 'pid', 'pids-limit', 'platform', 'publish', 'pull', 'restart',
  'runtime', 'security-opt', 'shm-size', 'stop-signal', 'stop-timeout', 'storage-opt', 'sysctl', 'tmpfs', 'ulimit',
  'user', 'userns', 'uts', 'volume', 'volume-driver', 'volumes-from', 'workdir',
]);
const ALIASES: Record<string, string> = { net: 'network', 'net-alias': 'network-alias' };
const SHORT: Record<string, string> = {
  d: 'detach', i: 'interactive', t: 'tty', P: 'publish-all', q: 'quiet',
  a: 'attach', c: 'cpu-shares', e: 'env', h: 'hostname', l: 'label', m: 'memory', p: 'publish', u: 'user', v: 'volume', w: 'workdir',
};

interface ParsedOption {
  /** Long name, aliases resolved. */
  name: string;
  value?: string;
  /** The option as written, for messages ("--net host", "-v /a:/b"). */
  text: string;
  index: number;
}

/** Splits arguments into options; anything it cannot read becomes a problem. */
function parseDockerArgs(args: readonly string[]): { options: ParsedOption[]; problems: { index: number; message: string }[] } {
  const options: ParsedOption[] = [];
  const problems: { index: number; message: string }[] = [];
  const takeValue = (name: string, written: string, inline: string | undefined, i: number): number => {
    if (inline !== undefined) {
      options.push({ name, value: inline, text: args[i]!, index: i });
      return i;
    }
    const next = args[i + 1];
    if (next === undefined) problems.push({ index: i, message: `${written} needs a value; give it as ${written}=VALUE or in the next item` });
    else options.push({ name, value: next, text: `${args[i]} ${next}`, index: i });
    return i + 1;
  };

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const written = eq < 0 ? arg : arg.slice(0, eq);
      const raw = written.slice(2);
      const name = ALIASES[raw] ?? raw;
      const inline = eq < 0 ? undefined : arg.slice(eq + 1);
      if (BOOLEAN_OPTIONS.has(name)) options.push({ name, value: inline, text: arg, index: i });
      else if (VALUE_OPTIONS.has(name)) i = takeValue(name, written, inline, i);
      else problems.push({ index: i, message: `${written} is not a docker run option hermit knows; check the spelling (hermit refuses options it cannot check)` });
    } else if (arg.startsWith('-') && arg.length > 1 && arg !== '--') {
      // A cluster: boolean letters, then at most one letter that takes the rest (or the next item).
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        const name = SHORT[letter];
        if (!name) {
          problems.push({ index: i, message: `-${letter} (in ${arg}) is not a docker run option hermit knows; check the spelling` });
          break;
        }
        if (BOOLEAN_OPTIONS.has(name)) {
          options.push({ name, text: arg, index: i });
          continue;
        }
        const rest = arg.slice(j + 1);
        i = takeValue(name, `-${letter}`, rest === '' ? undefined : rest.replace(/^=/, ''), i);
        break;
      }
    } else {
      problems.push({ index: i, message: `'${arg}' is not an option; only docker run options go here (the image and command come from the profile)` });
    }
  }
  return { options, problems };
}

const isFalse = (v: string | undefined) => v !== undefined && /^(false|0)$/i.test(v);
/** Set to anything but true, as Go's strconv.ParseBool reads it (docker's flags and --security-opt values). */
const notTrue = (v: string | undefined) => v !== undefined && !/^(1|t|T|true|TRUE|True)$/.test(v);
const UNCONFINED = /^(seccomp[=:]unconfined|apparmor[=:]unconfined|systempaths=unconfined|label[=:]disable)$/;
const HOST_DISK = /^\/dev\/(mem|kmem|port|sd|hd|vd|xvd|nvme|mmcblk|loop|dm-|md|mapper\/|disk\/|zd)/;
const SAFE_LOG_DRIVERS = new Set(['json-file', 'local', 'journald', 'none']);
const SET_IN_PROFILE: Record<string, string> = { name: 'container.name', user: 'container.user', restart: 'container.restart', workdir: 'container.workdir' };

/** Problems with docker run options, each with the index of the argument it starts at. */
export function dockerArgProblems(args: readonly string[], opts: CheckOptions = {}): { index: number; message: string }[] {
  const { options, problems } = parseDockerArgs(args);
  const refuse = (o: ParsedOption, message: string) => problems.push({ index: o.index, message: `${o.text}: ${message}` });
  for (const o of options) {
    const v = o.value ?? '';
    switch (o.name) {
      case 'privileged':
        if (!isFalse(o.value)) refuse(o, 'gives the container every capability and device, which undoes the isolation; remove it (give single capabilities with container.capAdd)');
        break;
      case 'use-api-socket':
        if (!isFalse(o.value)) refuse(o, SOCKET_MESSAGE);
        break;
      case 'network':
        refuse(o, 'hermit always runs the container on its own bridge (network: in the profile); remove this option');
        break;
      case 'dns':
        refuse(o, "hermit sets the container's resolvers and opens the firewall for them only; remove it and put resolvers in the profile's dns:");
        break;
      case 'ip6':
        refuse(o, 'hermit manages IPv6 (network.ipv6 and network.subnet6 in the profile); remove it');
        break;
      case 'publish-all':
        if (!isFalse(o.value)) refuse(o, 'publishes every exposed port on every host address, reachable from the LAN; publish single ports as 127.0.0.1:8080:8080 instead');
        break;
      case 'cap-add':
        for (const cap of v.split(',')) {
          const why = dangerousCapability(cap);
          if (why) refuse(o, `${why}; remove it`);
        }
        break;
      case 'pid': case 'ipc': case 'uts': case 'userns': case 'cgroupns':
        if (v === 'host') refuse(o, `shares the host's ${o.name} namespace, a way out of the container; remove it`);
        else if (v.startsWith('container:') && (o.name === 'pid' || o.name === 'ipc')) {
          refuse(o, `joins another container's ${o.name} namespace, which hermit does not isolate; remove it`);
        }
        break;
      case 'security-opt': {
        const [key = '', setting] = v.split(/[=:](.*)/s);
        if (UNCONFINED.test(v)) refuse(o, 'turns off a kernel confinement Docker applies; remove it');
        else if (key === 'seccomp') refuse(o, `makes docker read a seccomp profile from the host (${setting ?? ''}), a file hermit cannot approve; remove it (Docker's default seccomp profile applies)`);
        else if (key === 'no-new-privileges') {
          if (notTrue(setting)) refuse(o, 'turns off no-new-privileges, which hermit sets so that no setuid program gains privileges in the container; remove it');
        } else if (key !== 'apparmor' && key !== 'label') {
          refuse(o, `'${key}' is not a security option hermit knows (apparmor=PROFILE, label=..., no-new-privileges); hermit refuses options it cannot check`);
        }
        break;
      }
      case 'env-file':
        refuse(o, `makes docker read ${v} as root, following links, content hermit cannot approve; use container.envFile in the profile (hermit reads it itself and its content is approved)`);
        break;
      case 'label-file':
        refuse(o, `makes docker read ${v} as root, following links; give labels with --label`);
        break;
      case 'cidfile':
        refuse(o, `makes docker write ${v} as root, through whatever link is there; remove it (docker ps, hermit status name the container)`);
        break;
      case 'label':
        if (/^hermit\./.test(v)) refuse(o, "sets a label hermit uses to recognize its own containers; remove it (hermit sets its hermit.* labels itself)");
        break;
      case 'read-only':
        if (notTrue(o.value)) refuse(o, 'overrides container.readOnly; set container.readOnly in the profile instead');
        break;
      case 'detach':
        if (notTrue(o.value)) refuse(o, 'hermit starts the container detached and then probes it; remove it');
        break;
      case 'sysctl': {
        const problem = sysctlProblem(v.split('=')[0] ?? '');
        if (problem) refuse(o, problem);
        break;
      }
      case 'volume': {
        const problem = volumeProblem(v) ?? handOverProblem(v, [], opts);
        if (problem) refuse(o, problem);
        else if (/^[/.~]/.test(splitVolume(v)?.host ?? '')) refuse(o, UNPINNED_BIND);
        break;
      }
      case 'mount': {
        const problem = mountProblem(v, opts);
        if (problem) refuse(o, problem);
        else if (dockerArgBinds([`--mount=${v}`]).length > 0) refuse(o, UNPINNED_BIND);
        break;
      }
      case 'volumes-from':
        refuse(o, "copies another container's mounts, which hermit cannot check; mount what is needed with container.mounts");
        break;
      case 'device':
        // /dev/net/tun and the like are harmless without NET_ADMIN: a tunnel interface cannot be
        // configured, and whatever leaves the container still crosses the bridge and its rules.
        // Host disks and memory are a way out of the container, and with it out of the firewall.
        if (HOST_DISK.test(v.split(':')[0] ?? '')) refuse(o, "gives the container raw access to the host's disks or memory; remove it");
        break;
      case 'device-cgroup-rule':
        refuse(o, 'grants access to host devices by number, which hermit cannot check; use --device for the single device needed');
        break;
      case 'log-driver':
        if (!SAFE_LOG_DRIVERS.has(v)) refuse(o, "makes dockerd send the container's output over the host's network, outside the firewall; use json-file, local or journald");
        break;
      case 'env': {
        const [name = '', ...value] = v.split('=');
        if (value.length > 0 && looksSecret(name)) {
          refuse(o, `puts the value of ${name} on docker's command line, where ps shows it; pass it by name with container.passEnv: [${name}], or as a container.env value`);
        }
        break;
      }
      case 'publish': {
        const problem = publishProblem(v, true);
        if (problem) refuse(o, problem);
        break;
      }
      default: {
        const key = SET_IN_PROFILE[o.name];
        if (key) refuse(o, `hermit sets this itself; set ${key} in the profile instead`);
      }
    }
  }
  return problems.sort((a, b) => a.index - b.index);
}

/** Docker looks a bind's source up again at every start, following links: only container.mounts
 * are pinned (hermit binds them itself, plan/binds.ts). */
const UNPINNED_BIND = 'binds a host path, which docker would look up again at every start (following any link the agent puts there); list it under container.mounts instead, where hermit pins it';

/** Index of the first argument that is not a docker run option or an option's value (args.length
 * if there is none), for splitting `hermit up x -- --memory 2g bash` into options and a command. */
export function dockerOptionsEnd(args: readonly string[]): number {
  // The parser reports each word that is not an option, in order; values of options are not among them.
  const isWord = (a: string) => a === '--' || a === '-' || !a.startsWith('-');
  return parseDockerArgs(args).problems.find((p) => isWord(args[p.index]!))?.index ?? args.length;
}

/** Checks docker run options passed through; `where` names them in messages ("arguments after --"). */
export function checkDockerArgs(args: readonly string[], where: string, opts: CheckOptions = {}): string[] {
  return dockerArgProblems(args, opts).map((p) => `${where}: ${p.message}`);
}

export interface HostBind {
  /** Absolute host path, as written. */
  host: string;
  container: string;
  readOnly: boolean;
  /** The option as written, for messages. */
  text: string;
}

/** The host paths docker run options bind into the container (-v, --volume, --mount), so the
 * "who can write the profile" check sees them as it sees container.mounts. */
export function dockerArgBinds(args: readonly string[]): HostBind[] {
  const out: HostBind[] = [];
  for (const o of parseDockerArgs(args).options) {
    const v = o.value ?? '';
    if (o.name === 'volume') {
      const vol = splitVolume(v);
      if (vol?.host?.startsWith('/')) out.push({ host: vol.host, container: vol.container, readOnly: !!vol.options?.split(',').includes('ro'), text: o.text });
    } else if (o.name === 'mount') {
      const fields = v.split(',').map((f) => { const [k = '', ...rest] = f.split('='); return [k.toLowerCase(), rest.join('=')] as const; });
      const get = (...keys: string[]) => fields.find(([k]) => keys.includes(k))?.[1];
      const readOnly = fields.some(([k, val]) => (k === 'readonly' || k === 'ro') && (val === '' || /^(true|1)$/i.test(val)));
      const container = get('target', 'dst', 'destination') ?? '';
      for (const [k, val] of fields) {
        const host = ['source', 'src'].includes(k) ? val : k === 'volume-opt' && val.startsWith('device=') ? val.slice('device='.length) : undefined;
        if (host?.startsWith('/')) out.push({ host, container, readOnly, text: o.text });
      }
    }
  }
  return out;
}

/** --mount type=bind,source=...: the source, and a local volume's device= option, are host paths. */
function mountProblem(spec: string, opts: CheckOptions = {}): string | undefined {
  const readOnly = spec.split(',').some((f) => /^(readonly|ro)(=(true|1))?$/i.test(f));
  for (const field of spec.split(',')) {
    const [key = '', ...rest] = field.split('=');
    const value = rest.join('=');
    const hostPath =
      ['source', 'src'].includes(key.toLowerCase()) ? value
      : key.toLowerCase() === 'volume-opt' && value.startsWith('device=') ? value.slice('device='.length)
      : undefined;
    const why = hostPath?.startsWith('/') ? engineSocketProblem(hostPath) ?? hostPathHandOver(hostPath, [], opts, readOnly) : undefined;
    if (why !== undefined) return `mounts ${hostPath}, ${why}`;
  }
  return undefined;
}
