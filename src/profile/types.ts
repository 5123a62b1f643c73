// The profile after loading: schema-checked, defaults applied, paths absolute. Plan code reads
// only this shape; the YAML spelling lives in schema/profile.schema.json.

export type Protocol = 'tcp' | 'udp';

export interface EgressException {
  /** An IPv4/IPv6 address or CIDR, as written. */
  to: string;
  /** Destination ports; empty means every port. */
  ports: number[];
  /** 'any' allows tcp and udp (and, with no ports, every protocol). */
  protocol: Protocol | 'any';
  comment?: string;
}

export interface HostPort {
  port: number;
  protocol: Protocol;
  comment?: string;
}

export interface ProbeTargetSpec {
  /** An IP address or a DNS name (resolved inside the container). */
  host: string;
  port: number;
  comment?: string;
}

export type RestartPolicy = 'no' | 'on-failure' | 'unless-stopped' | 'always';

export interface ContainerSettings {
  name: string;
  /** uid[:gid] or user name; defaults to 1000:1000, root only when written explicitly. */
  user: string;
  /** Literal environment values. Passed to docker by name, never in argv. */
  env: Record<string, string>;
  /** Names taken from hermit's own environment. */
  passEnv: string[];
  /** Absolute path. */
  envFile?: string;
  /** envFile's entries, read by hermit itself where it runs as root (withEnvFile), never by docker;
   * in the approval form each value is a digest. Absent until read. */
  envFileValues?: Record<string, string>;
  /** docker -v syntax, host side made absolute: "/abs/src:/dst[:ro]". */
  mounts: string[];
  /** Host paths (absolute) of mounts that hand over the host, mounted because the profile says it means to. */
  sensitiveMounts: string[];
  workdir?: string;
  restart: RestartPolicy;
  sysctls: Record<string, string>;
  readOnly: boolean;
  /** docker -p syntax; the loader adds 127.0.0.1 where no address is given. */
  publish: string[];
  capAdd: string[];
  tmpfs: string[];
  /** Extra docker run options (checked like pass-through arguments). */
  dockerArgs: string[];
  /** docker run --health-*: how Docker decides the container is healthy. */
  healthcheck?: HealthCheck;
}

export interface HealthCheck {
  /** One shell command line (docker runs it with /bin/sh -c); the loader quotes a list form. */
  command: string;
  /** Go durations as docker takes them: 30s, 1m30s. */
  interval?: string;
  timeout?: string;
  startPeriod?: string;
  retries?: number;
}

export interface ProbeSettings {
  mustReach: ProbeTargetSpec[];
  mustBlock: ProbeTargetSpec[];
  /** The name resolved through each resolver to prove DNS works. */
  dnsName: string;
  timeoutMs: number;
  /** A breach (something that must be blocked was reachable) or a probe that cannot run. */
  onFailure: 'stop' | 'warn';
  /** An outage (a must-reach target or a resolver did not answer, nothing blocked was reachable),
   * after retrying for outageRetrySec: keep the container running and report it, or stop it. */
  onOutage: 'warn' | 'stop';
  outageRetrySec: number;
}

export interface NetworkSettings {
  name: string;
  subnet: string;
  gateway: string;
  /** Linux interface name of the bridge (at most 15 characters). */
  bridge: string;
  mtu?: number;
  ipv6: boolean;
  /** Required when ipv6 is true. */
  subnet6?: string;
}

export interface ImageBuild {
  /** Absolute path of the build context. */
  context: string;
  /** Absolute path of the Dockerfile; default <context>/Dockerfile. */
  dockerfile?: string;
}

/** One name of egress.domains (allowlist mode). */
export interface AllowedDomain {
  /** Lower case, without a leading dot. */
  name: string;
  /** Written ".name": the name and every subdomain. */
  subdomains: boolean;
  /** Ports for CONNECT and plain HTTP; empty means the default, CONNECT to 443 and HTTP to 80. */
  ports: number[];
}

/** Allowlist mode: the agent sits on an internal network whose only way out is a Squid proxy. */
export interface ProxySettings {
  domains: AllowedDomain[];
  image: string;
  /** Built from hermit's recipe (profiles/squid) when the default image is missing. */
  build?: ImageBuild;
  /** The proxy container: <container.name>-proxy. */
  container: string;
  /** The agent's internal network (the upper half of network.subnet; the proxy's bridge keeps the lower). */
  network: { name: string; subnet: string; gateway: string; bridge: string };
  /** The proxy's address on the internal network (the agent's HTTP(S)_PROXY) and on hermit's bridge. */
  address: string;
  bridgeAddress: string;
  port: number;
  /** Keys the proxy adds to the agent's requests (profile key credentials:); absent when none. */
  credentials?: Credential[];
  /** Absolute path of extra CA certificates (PEM) for the proxy's TLS to a credential's host (egress.caFile). */
  caFile?: string;
}

/** The proxy container in either mode: allowlist mode's (ProxySettings), or the default mode's for
 * credentials alone, on the agent's own bridge (no internal network, no list; address = bridgeAddress). */
export type ProxyContainer = Omit<ProxySettings, 'network' | 'domains'> & Partial<Pick<ProxySettings, 'network' | 'domains'>>;

/** One key hermit's proxy adds on the way out: the agent talks plain HTTP to the proxy at its base
 * URL, the proxy sets `header` and forwards over verified TLS to host:port. */
export interface Credential {
  /** Lower case. */
  host: string;
  /** The host's TLS port (443 unless written host:port). */
  port: number;
  header: string;
  /** As written, naming variables of hermit's environment as ${NAME}: read at run time, never stored. */
  value?: string;
  /** Absolute path of a root-only file holding the whole value. */
  valueFile?: string;
  /** The variable the agent gets holding http://<proxy>:<port>. */
  baseUrlEnv: string;
}

export interface Profile {
  name: string;
  /** The image tag to run (and, with `build`, the tag to build it as). */
  image: string;
  /** Build the image from this context when it is missing (and on `hermit update`). */
  build?: ImageBuild;
  command: string[];
  network: NetworkSettings;
  dns: string[];
  /** block/block6: the profile's extra ranges followed by the built-in ones (never fewer). */
  egress: { block: string[]; block6: string[]; allow: EgressException[] };
  hostPorts: HostPort[];
  /** Present in allowlist mode (egress.domains). */
  proxy?: ProxySettings;
  /** The default mode with credentials: the proxy that adds them, beside the agent on its bridge. */
  credentialProxy?: ProxyContainer;
  container: ContainerSettings;
  probe: ProbeSettings;
  /** Present when the profile gives the agent a Docker engine of its own (`docker:`). */
  docker?: EngineSettings;
}

/** The rootless engine beside the agent, in the agent's network namespace (src/plan/engine.ts). */
export interface EngineSettings {
  image: string;
  /** Built from hermit's recipe (profiles/engine) when the default image is missing. */
  build?: ImageBuild;
  /** The engine container: <container.name>-docker. */
  container: string;
  /** Named volumes: the engine's images and containers (kept by stop), and its socket (the agent mounts it). */
  dataVolume: string;
  socketVolume: string;
}

/** Where a key sits in the profile file, for error messages. */
export interface SourcePosition {
  line: number;
  col: number;
  /** The file, when it is not the profile's own (a value inherited through extends). */
  file?: string;
}

export interface LoadedProfile {
  profile: Profile;
  /** Absolute path of the file it came from. */
  file: string;
  /** That file and each one it extends, in order (absolute paths); just `file` without extends. */
  chain?: string[];
  /** More trusted profiles of the same name that this file hides (a project file over the built-in one). */
  shadows?: string[];
  /** Finds a key's position: locate(['egress', 'allow', 0, 'to']). */
  locate(path: readonly (string | number)[]): SourcePosition | undefined;
}

export const DEFAULT_BLOCKED_V4 = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '169.254.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
] as const;

/** Used only when a profile turns IPv6 on: ULA, link-local, multicast, and NAT64/IPv4-mapped. */
export const DEFAULT_BLOCKED_V6 = ['fc00::/7', 'fe80::/10', 'ff00::/8', '64:ff9b::/96', '::ffff:0:0/96'] as const;
