// Allowlist mode as a pure plan: Squid's configuration written from the profile, the proxy
// container's docker arguments, the agent's proxy environment, and what to do with a proxy that
// already exists (keep, reload its configuration, start, recreate).
import { join } from 'node:path';
import { HermitError } from '../errors.js';
import { domainPorts } from '../profile/allowlist.js';
import type { AllowedDomain, Profile, ProxyContainer, ProxySettings } from '../profile/types.js';
import { proxyContainerOf } from './egress.js';
import { type ImageAction, buildCall } from './image.js';
import type { HostFacts, ProxyFacts } from './host-facts.js';
import { LABEL_CONFIG, LABEL_PROFILE, LABEL_ROLE, configHash as hashOf, labelArgs } from './labels.js';
import { type ConfigFile, type Sidecar, type SidecarPlan, planSidecar } from './sidecar.js';
import { type NetworkAction, planNetwork } from './network.js';
import { CA_FILE, CREDENTIALS_FILE, SECRET_DIR_IN_PROXY, credentialPort, checkedValues, credentialSquidLines, credentialsFileText } from './credentials.js';

/** Debian's proxy user (fixed by base-passwd): Squid runs as it from the start, never as root. */
export const PROXY_USER = '13:13';
/** Inside the proxy container: the configuration (read-only) and the logs (hermit reads them). */
export const PROXY_CONF_DIR = '/etc/hermit-proxy';
export const PROXY_LOG_DIR = '/var/log/hermit-proxy';
const SQUID = '/usr/sbin/squid';
const CONF = `${PROXY_CONF_DIR}/squid.conf`;

/** Where hermit keeps a profile's proxy files on the host: conf/squid.conf and log/. */
export const proxyDir = (stateDir: string, profile: string) => join(stateDir, profile, 'proxy');

/** Addresses Squid never connects to, whatever a name resolves to (SSRF, DNS rebinding). */
const NEVER_V4 = ['0.0.0.0/8', '127.0.0.0/8'];
const NEVER_V6 = ['::/128', '::1/128', 'fc00::/7', 'fe80::/10', 'ff00::/8', '64:ff9b::/96'];
/** Squid keeps IPv4 addresses as IPv4-mapped IPv6: this range would be every IPv4 address. */
const MAPPED_V4 = '::ffff:0:0/96';

/** A dstdomain list without entries Squid calls redundant (x beside .x, a.x beside .x). */
function dstdomains(domains: readonly AllowedDomain[]): string[] {
  const wild = domains.filter((d) => d.subdomains).map((d) => d.name);
  const covered = (d: AllowedDomain) => wild.some((w) => (d.name === w && !d.subdomains) || d.name.endsWith(`.${w}`));
  const out = new Set(domains.filter((d) => !covered(d)).map((d) => `${d.subdomains ? '.' : ''}${d.name}`));
  return [...out].sort();
}

/** squid.conf for the profile. Rules are evaluated top to bottom; the first match decides. */
export function squidConf(profile: Profile): string {
  const proxy = proxyContainerOf(profile)!;
  const creds = credentialSquidLines(proxy, PROXY_CONF_DIR);
  const list = profile.proxy ? allowlistLines(profile, profile.proxy) : undefined;
  return [
    `# Squid configuration of hermit profile '${profile.name}', written by hermit from ${list ? 'egress.domains' : 'credentials'}.`,
    '# hermit rewrites it on every run: change the profile, not this file.',
    '',
    ...(list?.listen ?? ['# Only the agent, on its own bridge, may use the proxy.', `acl hermit_agent src ${profile.network.subnet}`]),
    ...creds.listen,
    '',
    'http_access deny !hermit_agent',
    ...creds.access,
    ...(list?.access ?? []),
    'http_access deny all',
    ...SQUID_COMMON(profile),
  ].join('\n');
}

/** Allowlist mode's part: the forward proxy's port, and the list as ACLs and http_access rules. */
function allowlistLines(profile: Profile, proxy: ProxySettings): { listen: string[]; access: string[] } {
  const byPort = new Map<number, { connect: AllowedDomain[]; http: AllowedDomain[] }>();
  for (const d of proxy.domains) {
    const { connect, http } = domainPorts(d);
    for (const p of connect) { const e = byPort.get(p) ?? { connect: [], http: [] }; e.connect.push(d); byPort.set(p, e); }
    for (const p of http) { const e = byPort.get(p) ?? { connect: [], http: [] }; e.http.push(d); byPort.set(p, e); }
  }
  const ports = [...byPort.keys()].sort((a, b) => a - b);
  const never = [...new Set([...NEVER_V4, ...profile.egress.block, ...NEVER_V6, ...profile.egress.block6])].filter((r) => r !== MAPPED_V4);

  const acls: string[] = [];
  const allows: string[] = [];
  for (const p of ports) {
    const { connect, http } = byPort.get(p)!;
    acls.push(`acl hermit_port_${p} port ${p}`);
    if (connect.length > 0) {
      acls.push(`acl hermit_connect_${p} dstdomain -n ${dstdomains(connect).join(' ')}`);
      allows.push(`http_access allow CONNECT hermit_port_${p} hermit_connect_${p}`);
    }
    if (http.length > 0) {
      acls.push(`acl hermit_http_${p} dstdomain -n ${dstdomains(http).join(' ')}`);
      allows.push(`http_access allow !CONNECT hermit_port_${p} hermit_http_${p}`);
    }
  }

  return { listen: [
    '# Only the agent, on its internal network, may use the proxy.',
    `http_port ${proxy.address}:${proxy.port}`,
    `acl hermit_agent src ${proxy.network.subnet}`,
    'acl CONNECT method CONNECT',
    '# IP literals would bypass a list of names.',
    'acl hermit_ip_literal dstdom_regex -n ^[0-9.]+$ ^\\[?[0-9a-fA-F]*:[0-9a-fA-F:.]*\\]?$',
    `acl hermit_listed dstdomain -n ${dstdomains(proxy.domains).join(' ')}`,
    '# Never connect to private, CGNAT, link-local (cloud metadata), loopback or multicast',
    '# addresses, even for a listed name that resolves to one (DNS rebinding, split horizon).',
    `acl hermit_never dst ${never.join(' ')}`,
    ...acls,
  ], access: [
    'http_access deny hermit_ip_literal',
    'http_access deny !hermit_listed',
    'http_access deny hermit_never',
    ...allows,
  ] };
}

/** What every proxy's squid.conf ends with: names, no cache, the logs hermit reads. */
const SQUID_COMMON = (profile: Profile) => [
    '# A plain HTTP request whose Host header names another host than its URL is refused.',
    'host_verify_strict on',
    '',
    '# Names resolve through the profile\'s dns only (the agent itself resolves nothing).',
    `dns_nameservers ${profile.dns.join(' ')}`,
    'hosts_file none',
    'dns_defnames off',
    '',
    '# A forwarder, not a cache; nothing about the agent is added to requests.',
    'cache deny all',
    'cache_mem 8 MB',
    'forwarded_for delete',
    'via off',
    'httpd_suppress_version_string on',
    'visible_hostname hermit-proxy',
    '',
    `# Logs hermit reads (hermit logs --blocked); Squid runs as uid ${PROXY_USER.split(':')[0]} and writes only here.`,
    'logformat hermit %ts.%03tu %>a %Ss/%03>Hs %rm %ru %<a',
    `access_log stdio:${PROXY_LOG_DIR}/access.log hermit`,
    `cache_log ${PROXY_LOG_DIR}/cache.log`,
    '# SIGUSR1 (hermit sends it when a log passes a few MB) keeps one older file: log.0.',
    'logfile_rotate 1',
    `pid_filename ${PROXY_LOG_DIR}/squid.pid`,
    'netdb_filename none',
    'pinger_enable off',
    'max_filedescriptors 4096',
    'shutdown_lifetime 1 seconds',
    '',
];

export interface ProxyRun {
  /** `docker create ...` on hermit's bridge; then `connect`, then `docker start`. */
  create: string[];
  /** `docker network connect --ip ... <internal> <proxy>`: the agent's side (allowlist mode; in the
   * default mode the proxy sits on the agent's own bridge). */
  connect?: string[];
  configHash: string;
}

export function proxyRun(profile: Profile, dirs: { config: string; log: string; secret?: string }): ProxyRun {
  const proxy = proxyContainerOf(profile)!;
  const opts = [
    '--network', profile.network.name, '--ip', proxy.bridgeAddress,
    ...profile.dns.flatMap((d) => ['--dns', d]),
    '--user', PROXY_USER, '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
    '--sysctl', 'net.ipv6.conf.all.disable_ipv6=1', '--sysctl', 'net.ipv6.conf.default.disable_ipv6=1',
    '--read-only', '--tmpfs', '/tmp',
    ...(profile.container.restart !== 'no' ? ['--restart', profile.container.restart] : []),
    '--volume', `${dirs.config}:${PROXY_CONF_DIR}:ro`, '--volume', `${dirs.log}:${PROXY_LOG_DIR}`,
    ...(dirs.secret ? ['--volume', `${dirs.secret}:${SECRET_DIR_IN_PROXY}:ro`] : []),
    '--entrypoint', SQUID,
  ];
  const tail = [proxy.image, '-N', '-d', '1', '-f', CONF];
  const configHash = hashOf({ opts, tail, internal: proxy.network, address: proxy.address });
  return {
    create: ['create', '--name', proxy.container, ...labelArgs({ [LABEL_PROFILE]: profile.name, [LABEL_ROLE]: 'proxy', [LABEL_CONFIG]: configHash }), ...opts, ...tail],
    ...(proxy.network ? { connect: ['network', 'connect', '--ip', proxy.address, proxy.network.name, proxy.container] } : {}),
    configHash,
  };
}

/** Squid's logs on the host, and what rotates them. */
export const proxyLogs = (proxy: ProxyContainer, logDir: string) =>
  ({ files: [join(logDir, 'access.log'), join(logDir, 'cache.log')], rotate: rotateArgs(proxy) });

/** What `squid -k rotate` does, SIGUSR1: access.log and cache.log move to .0, new ones start. */
export const rotateArgs = (proxy: ProxyContainer) => ['kill', '--signal', 'USR1', proxy.container];

/** What `squid -k reconfigure` does, SIGHUP, sent by Docker (Squid runs as PID 1, which `squid -k`
 * refuses to signal): the new list without recreating anything. */
export const reconfigureArgs = (proxy: ProxyContainer) => ['kill', '--signal', 'HUP', proxy.container];

/** The proxy beside the agent, and (allowlist mode) the agent's internal network it is the way out of. */
export interface ProxyPlan extends SidecarPlan {
  /** Allowlist mode: the agent's internal network (the default mode's proxy sits on the agent's bridge). */
  network?: NetworkAction;
  /** squid.conf as hermit writes it; `changed` when the file on the host differs. */
  config: { file: string; text: string; changed: boolean };
  /** Its other files (credentials' keys, the CA), written before squid.conf, which includes them. */
  files: ConfigFile[];
}

/** The proxy as a container beside the agent: created on hermit's bridge, connected to the
 * agent's internal network (allowlist mode), started; its files written first; reloaded when only
 * they changed. */
export function proxySidecar(profile: Profile, dirs: { config: string; log: string; secret?: string }, files: ConfigFile[]): Sidecar {
  const proxy = proxyContainerOf(profile)!;
  const run = proxyRun(profile, dirs);
  const cacheLog = join(dirs.log, 'cache.log');
  return {
    role: 'proxy',
    noun: 'proxy',
    name: proxy.container,
    profile: profile.name,
    configHash: run.configHash,
    create: { args: run.create },
    joins: run.connect ? [run.connect] : [],
    dirs: [
      { path: dirs.config, mode: 0o755 }, { path: dirs.log, mode: 0o750, owner: PROXY_USER },
      // The keys' folder: only the proxy's user enters it.
      ...(dirs.secret ? [{ path: dirs.secret, mode: 0o700, owner: PROXY_USER }] : []),
    ],
    files,
    reload: { args: reconfigureArgs(proxy), reason: `its configuration changed: reload proxy ${proxy.container} (SIGHUP: squid reconfigures)` },
    logs: proxyLogs(proxy, dirs.log),
    // The default mode's proxy has only reverse-proxy ports: ready when the first credential's listens.
    ready: { log: cacheLog, ready: /Accepting (reverse-proxy )?HTTP Socket connections/, fatal: /FATAL|ERROR: .*(configuration|parse)/i,
      tcp: { host: proxy.address, port: proxy.network ? proxy.port : credentialPort(proxy, 0) }, timeoutMs: 30_000 },
  };
}

/** credentials.conf (the values, the proxy's user alone reads it) and the CA file, when the profile has credentials. */
function credentialFiles(proxy: ProxyContainer, pf: ProxyFacts, confDir: string): ConfigFile[] {
  const creds = proxy.credentials ?? [];
  if (creds.length === 0) return [];
  if (!pf.secretDir) throw new Error('planProxy: facts.proxy.secretDir missing (credentialFacts was not read)');
  const file = (path: string, text: string, mode: number, more: Partial<ConfigFile> = {}): ConfigFile =>
    ({ path, text, mode, changed: pf.files?.[path] !== text, ...more });
  const ca = pf.ca;
  if (ca && 'problem' in ca) throw new HermitError('usage', `egress.caFile ${proxy.caFile}: ${ca.problem}`, 'Give a PEM file of CA certificates that only root can change', ['egress', 'caFile']);
  return [
    file(join(pf.secretDir, CREDENTIALS_FILE), credentialsFileText(proxy, checkedValues(creds, pf.credentialValues)), 0o400, { owner: PROXY_USER, secret: true }),
    ...(ca ? [file(join(confDir, CA_FILE), ca.text, 0o644)] : []),
  ];
}

function proxyImage(profile: Profile, imageId: string | undefined): ImageAction {
  const proxy = proxyContainerOf(profile)!;
  if (imageId) return { kind: 'present', id: imageId };
  const call = proxy.build && buildCall({ ...profile, image: proxy.image, build: proxy.build }, false);
  if (call) return { kind: 'build', reason: `build proxy image ${proxy.image} (not on this host)`, ...call };
  return { kind: 'pull', reason: `proxy image ${proxy.image} is not on this host: docker pull it first` };
}

export function planProxy(profile: Profile, facts: HostFacts, opts: { replace: boolean }): ProxyPlan | undefined {
  const proxy = proxyContainerOf(profile);
  if (!proxy) return undefined;
  const pf = facts.proxy;
  if (!pf) throw new Error('planProxy: facts.proxy missing (gatherFacts was not asked about the proxy)');
  const image = proxyImage(profile, pf.imageId);
  if (image.kind === 'pull') {
    throw new HermitError('usage', image.reason, `Load or pull it (docker pull ${proxy.image}), or leave out egress.proxyImage to build hermit's own`, ['egress', 'proxyImage']);
  }
  const dirs = { config: join(pf.dir, 'conf'), log: join(pf.dir, 'log'), ...(proxy.credentials && pf.secretDir ? { secret: pf.secretDir } : {}) };
  const text = squidConf(profile);
  const config = { file: join(dirs.config, 'squid.conf'), text, changed: pf.config !== text };
  const files = credentialFiles(proxy, pf, dirs.config);
  // Squid reads the others through squid.conf: they are written first.
  const sidecar = proxySidecar(profile, dirs, [...files, { path: config.file, text, mode: 0o644, changed: config.changed }]);
  // The default mode's proxy sits on the agent's bridge, which the plan's own network step makes.
  const network = proxy.network && planNetwork({ ...profile, network: { ...proxy.network, ipv6: false } }, facts, { internal: true });
  return {
    sidecar,
    image,
    ...(network ? { network } : {}),
    config,
    files,
    container: planSidecar(sidecar, pf.container, opts),
  };
}
