// What hermit observed on the host before planning. Gathered once (src/host/read.ts) and
// passed to pure planning functions, so tests can build it by hand.
import type { Family } from '../net/cidr.js';
import type { CredentialValue } from './credentials.js';
import type { BindFact } from './binds.js';

export interface HostAddress {
  ifname: string;
  family: Family;
  address: string;
  prefixlen: number;
}

export interface HostRoute {
  family: Family;
  /** "default" or a CIDR. */
  dst: string;
  gateway?: string;
  dev?: string;
}

export interface DockerNetwork {
  id: string;
  name: string;
  driver: string;
  subnets: string[];
  gateways: string[];
  /** com.docker.network.bridge.name, when set. */
  bridge?: string;
  mtu?: number;
  ipv6: boolean;
  /** docker network create --internal: no route out. */
  internal?: boolean;
  labels: Record<string, string>;
  /** Names of attached containers. */
  containers: string[];
}

/** Facts about the proxy, gathered beside the agent's. */
export interface ProxyFacts {
  /** The host directory of the proxy's files (under hermit's state dir). */
  dir: string;
  container?: ExistingContainer;
  imageId?: string;
  /** squid.conf as it is on the host now, if written. */
  config?: string;
  /** The other files hermit writes for the proxy (credentials.ts), by host path, as they are now. */
  files?: Record<string, string>;
  /** The host folder of the proxy's secrets (credentials.conf), mounted into it. */
  secretDir?: string;
  /** Credentials: each value as read where hermit runs (proxy.credentials' order), or why not. Never printed. */
  credentialValues?: CredentialValue[];
  /** egress.caFile's certificates, or why they cannot be used. */
  ca?: { text: string } | { problem: string };
}

/** Facts about the agent's Docker engine (`docker:`), gathered beside the agent's. */
export interface EngineFacts {
  container?: ExistingContainer;
  imageId?: string;
  /** Its named volumes (data, socket) that exist. */
  volumes: string[];
  /** The host's /dev/net/tun can be opened by any uid (mode o+rw): the engine uses it. */
  hostTun: boolean;
  /** hermit's own tun node for the profile exists (host/read.ts tunNodePath). */
  tunNode: boolean;
  /** Agent and engine both run, in different network namespaces: the agent restarted since the
   * engine started, and the engine's containers have no way out. */
  netnsStale?: boolean;
}

export interface ExistingContainer {
  id: string;
  name: string;
  running: boolean;
  /** Docker's word for the state: created, running, restarting, exited, paused, dead. */
  status: string;
  pid: number;
  /** ID of the image it was created from (sha256:...). */
  image: string;
  /** When it last started (ISO time; Docker's zero time if never). */
  startedAt: string;
  labels: Record<string, string>;
  networks: string[];
  /** Docker's id of each network it is attached to, by name: a network removed and created again
   * under the same name has another id, and Docker cannot start the container on the old one. */
  networkIds?: Record<string, string>;
  restartPolicy: string;
  /** Its bind mounts as Docker reports them (host path → container path). */
  binds?: { source: string; destination: string }[];
  /** Its network namespace's file (Docker's SandboxKey), while it runs. */
  netns?: string;
}

export type FirewallBackend = 'iptables' | 'nftables';
export type IptablesVariant = 'nft' | 'legacy';

export interface FirewallFacts {
  /** The firewall backend dockerd reports (Docker 29+); "iptables" when it says nothing. */
  dockerBackend: FirewallBackend;
  /** The backend hermit writes its rules with (HERMIT_FIREWALL, or chosen from the host), and why. */
  backend: FirewallBackend;
  backendReason: string;
  /** hermit's nftables tables (`inet hermit-<profile>`) as `nft list ruleset` prints them; empty without nft. */
  nftTables: Record<string, string>;
  /** The variant hermit's own iptables binaries use. */
  variant: IptablesVariant;
  /** Docker's chains were found only with the other variant (legacy vs nft disagreement). */
  dockerChainsInOtherVariant: boolean;
  /** `iptables-save -t filter` output. */
  save4: string;
  /** `ip6tables-save -t filter` output; empty when ip6tables is unavailable. */
  save6: string;
}

export interface HostFacts {
  addresses: HostAddress[];
  routes: HostRoute[];
  /** Nameservers from the host's resolv.conf. */
  resolvers: string[];
  dockerVersion: string;
  networks: DockerNetwork[];
  firewall: FirewallFacts;
  /** The profile's container, if one exists under its name. */
  container?: ExistingContainer;
  /** Local ID of the profile's image; absent when the image is not on this host. */
  imageId?: string;
  /** Allowlist mode: the proxy's container, image and configuration. */
  proxy?: ProxyFacts;
  /** `docker:`: the engine's container, image, volumes and tun device. */
  engine?: EngineFacts;
  /** The profile's pinned binds as found (apply/binds.ts); read by run and the guard. */
  binds?: BindFact[];
}

/** What `down`, `status` and `ps` look at: every container and network, and the rule dumps. */
export interface Inventory {
  containers: ExistingContainer[];
  networks: DockerNetwork[];
  /** `iptables-save -t filter` / `ip6tables-save -t filter`; empty without iptables / ip6tables. */
  save4: string;
  save6: string;
  /** hermit's nftables tables, name → listing; empty without nft. */
  nftTables: Record<string, string>;
  /** The backend hermit uses here; absent when it cannot write rules at all. */
  backend?: FirewallBackend;
  /** `down`: the profile's pinned bind targets present on this host (apply/binds.ts). */
  binds?: string[];
  /** `down`: the named volumes labelled with the profile (the engine's). */
  volumes?: { name: string; labels: Record<string, string> }[];
}
