// The probe contract: the parent builds a request, the worker (src/probe/worker.ts) runs it
// inside the container's network namespace and answers with raw outcomes; the parent classifies.
import type { FirewallBackend } from '../plan/host-facts.js';

/** 'denied': the proxy answered and refused (Squid's ERR_ACCESS_DENIED). */
export type TcpOutcome = 'connected' | 'refused' | 'unreachable' | 'timeout' | 'error' | 'denied';
export type DnsOutcome = 'answered' | 'nxdomain' | 'nodata' | 'refused' | 'timeout' | 'error';

export interface TcpProbe {
  id: string;
  /** IP address or name; a name is resolved through `resolver` first. */
  host: string;
  port: number;
  resolver?: string;
  /** Through an HTTP proxy ("ip:port"): CONNECT host:port, or a plain HTTP request (method 'http'). */
  proxy?: string;
  method?: 'connect' | 'http';
}

export interface DnsProbe {
  id: string;
  /** Resolver IP to ask directly. */
  server: string;
  name: string;
}

export interface ProbeRequest {
  timeoutMs: number;
  tcp: TcpProbe[];
  dns: DnsProbe[];
}

export interface TcpResult {
  id: string;
  outcome: TcpOutcome;
  /** errno code such as EHOSTUNREACH, when the connect failed. */
  code?: string;
  /** The address actually connected to (after resolution). */
  address?: string;
  ms: number;
}

export interface DnsResult {
  id: string;
  outcome: DnsOutcome;
  addresses: string[];
  code?: string;
  ms: number;
}

export interface Ipv6State {
  /** /proc/sys/net/ipv6/conf/all/disable_ipv6 == 1 (or IPv6 absent from the kernel). */
  disabled: boolean;
  /** Non-loopback IPv6 addresses seen on the namespace's interfaces. */
  addresses: string[];
}

export interface ProbeResponse {
  tcp: TcpResult[];
  dns: DnsResult[];
  ipv6: Ipv6State;
  /** Added on the host, never by the worker: how many packets each of `ProbePlan.attribution`'s
   * rules counted while the probe ran (same order); absent when the counters could not be read. */
  resets?: (number | undefined)[];
}

/**
 * One of hermit's TCP-reset rules (IPv4). A blocked TCP connect is answered with a reset, which the
 * client sees as "connection refused", just like a host with the port closed. So a refused connect
 * counts as blocked only if the rule that should have refused it counted the packet.
 */
export interface ResetRule {
  /** The address family it refuses (IPv6 only in a profile that turns IPv6 on). */
  family: 4 | 6;
  /** Forwarded, or to the host itself (INPUT). */
  path: 'forward' | 'input';
  /** Destination range it refuses; none: anything on its path. */
  dst?: string;
  /** The chain, and the rule as the firewall prints it back (iptables-save line, or nft canonical rule). */
  chain: string;
  text: string;
}

export interface Attribution {
  backend: FirewallBackend;
  /** nftables: the profile's table (inet). */
  table?: string;
  /** In chain order: the first whose `dst` covers an address is the one that refuses it. */
  rules: ResetRule[];
  /** The host's own addresses: a connect to one goes through INPUT. */
  hostAddresses: string[];
}

/** One row of the expected-vs-observed table. */
export interface ProbeRow {
  id: string;
  /** 'env': the agent's environment holds no credential's value (held-keys.ts). */
  kind: 'tcp' | 'dns' | 'ipv6' | 'env';
  /** What the row checks, e.g. "LAN gateway 192.168.1.1:80". */
  target: string;
  /** Why it is in the table, e.g. "blocked range 192.168.0.0/16". */
  reason: string;
  expected: 'blocked' | 'reachable' | 'resolves' | 'off' | 'refused by proxy' | 'no answer' | 'no key';
  observed: string;
  ok: boolean;
  /** On a failed row: 'breach' when what must be blocked (or off) was not, 'outage' when what must
   * connect or resolve did not (see judgement.ts). */
  failure?: 'breach' | 'outage';
  ms?: number;
}

export interface ProbeReport {
  container: string;
  profile: string;
  ok: boolean;
  rows: ProbeRow[];
}

/** What the planner expects of each probe; the classifier turns these plus a response into rows. */
export interface ExpectedTcp {
  probe: TcpProbe;
  /** 'denied': the proxy must answer and refuse. */
  expect: 'blocked' | 'reachable' | 'denied';
  /** Human label of the destination, e.g. "LAN gateway 192.168.1.1:80". */
  target: string;
  /** Why it is in the table, e.g. "blocked range 192.168.0.0/16". */
  reason: string;
  /** Not sent to the worker: the address is one of the probed namespace's own (the docker:
   * engine's bridge where the host's docker0 has the same address), so a connect there never
   * leaves it and proves nothing about the host; the row says so. */
  shadowed?: string;
}

export interface ExpectedDns {
  probe: DnsProbe;
  /** Default 'resolves'; 'no answer' in allowlist mode, where the agent must resolve nothing. */
  expect?: 'resolves' | 'no answer';
  target: string;
  reason: string;
}

export interface ProbePlan {
  request: ProbeRequest;
  tcp: ExpectedTcp[];
  dns: ExpectedDns[];
  /** The profile has IPv6 off: the namespace must have no IPv6. */
  ipv6Off: boolean;
  /** hermit's reset rules, read before and after the probe to attribute refused connects. */
  attribution?: Attribution;
}
