// Settings that undo the isolation, shared by profile keys and docker run options passed through
// (profile dockerArgs, and CLI arguments after `--`). Pure: the loader hands in anything that
// needs the filesystem (realpath), so these run on plain data.
import { isIp } from '../net/cidr.js';
import { type MountSpec, type ParsedOption, mountHostPaths, parseDockerArgs, parseMount, splitPublish, splitVolume } from '../docker/args.js';
import { NAME_RULES } from './names.js';
import { looksSecret } from './secrets.js';

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

export const PORT_MESSAGE = 'must be a port number from 1 to 65535';
export const isPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;

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
export function handOverProblem(spec: string, allowed: readonly string[], opts: CheckOptions): string | undefined {
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

const VOLUME_OPTIONS = new Set(['ro', 'rw', 'z', 'Z', 'shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate', 'nocopy', 'consistent', 'cached', 'delegated']);
const SOCKET_MESSAGE = "gives the container the container engine's API (the Docker socket), which undoes every isolation; remove it";

export function volumeProblem(spec: string, opts: CheckOptions = {}): string | undefined {
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
export function sysctlProblem(key: string): string | undefined {
  const k = key.replace(/\//g, '.');
  if (/^net\.ipv6\.conf\.[^.]+\.disable_ipv6$/.test(k)) return `${k} is set by hermit (IPv6 is off unless network.ipv6 is true); remove it and use network.ipv6`;
  if (k === 'net.ipv4.ip_forward' || /^net\.ipv[46]\.conf\.[^.]+\.forwarding$/.test(k)) return `${k} turns the container into a router; remove it`;
  if (/^net\.ipv6\.conf\.[^.]+\.accept_ra/.test(k)) return `${k} lets router advertisements configure the container's IPv6; remove it`;
  return undefined;
}

const portRange = (text: string) => {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  return m !== null && isPort(Number(m[1])) && (m[2] === undefined || (isPort(Number(m[2])) && Number(m[2]) >= Number(m[1])));
};

export function publishProblem(spec: string, fromArgs: boolean): string | undefined {
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

// docker run options passed through: what each one may not do (docker/args.ts reads them).

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
  const refuse = (o: ParsedOption, message: string, shown = o.text) => problems.push({ index: o.index, message: `${shown}: ${message}` });
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
        const m = parseMount(v);
        if ('problem' in m) refuse(o, `${m.problem}; docker would refuse it (its form: type=bind,source=/path,target=/path[,readonly])`);
        else {
          const problem = mountProblem(m, opts) ?? (mountHostPaths(m).length > 0 ? UNPINNED_BIND : undefined);
          if (problem) refuse(o, problem);
        }
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
          // The message must not repeat the secret it refuses: the value is left out.
          const secret = value.join('=');
          const shown = o.text.endsWith(secret) ? `${o.text.slice(0, o.text.length - secret.length)}…` : `--env ${name}=…`;
          refuse(o, `puts the value of ${name} on docker's command line, where ps shows it; pass it by name with container.passEnv: [${name}], or as a container.env value`, shown);
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

/** Checks docker run options passed through; `where` names them in messages ("arguments after --"). */
export function checkDockerArgs(args: readonly string[], where: string, opts: CheckOptions = {}): string[] {
  return dockerArgProblems(args, opts).map((p) => `${where}: ${p.message}`);
}

/** --mount: a host path it binds that hands over the host. */
function mountProblem(m: MountSpec, opts: CheckOptions = {}): string | undefined {
  for (const hostPath of mountHostPaths(m)) {
    const why = engineSocketProblem(hostPath) ?? hostPathHandOver(hostPath, [], opts, m.readOnly);
    if (why !== undefined) return `mounts ${hostPath}, ${why}`;
  }
  return undefined;
}
