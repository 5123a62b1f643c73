// Gathers HostFacts: every read-only look at the host, run concurrently, once per command.
import { readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { proxyDir } from '../plan/proxy.js';
import { credentialFacts } from './credentials.js';
import type { EngineSettings, Profile, ProxyContainer } from '../profile/types.js';
import { tunNodePath } from '../plan/engine.js';
import { proxyContainerOf } from '../plan/egress.js';
import { stateDir } from '../state/store.js';
import { HermitError } from '../errors.js';
import { chooseBackend, mightChooseNftables } from '../firewall/choose.js';
import { firewallFor } from '../firewall/index.js';
import type { DockerNetwork, EngineFacts, ExistingContainer, FirewallBackend, FirewallFacts, HostAddress, HostFacts, HostRoute, Inventory, IptablesVariant, ProxyFacts } from '../plan/host-facts.js';
import { LABEL_PROFILE } from '../plan/labels.js';
import { NFT_FAMILY, NFT_TABLE_PREFIX, hermitTables } from '../firewall/nftables.js';
import { engineGet, engineGetOk, localEngineSocket } from '../apply/engine.js';
import { type Command, type Output, type Runner, exec, execOk, hostRunner } from '../apply/exec.js';
import { hostAddresses as readHostAddresses, hostRoutes } from './addresses.js';

const docker = (...args: string[]) => ({ file: 'docker', args });

/** The resolv.conf to read; HERMIT_RESOLV_CONF lets a test world give its own. */
export const resolvConfPath = () => process.env.HERMIT_RESOLV_CONF ?? '/etc/resolv.conf';

export function parseResolvConf(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((w) => w[0] === 'nameserver' && w[1])
    .map((w) => w[1]!.replace(/%.*$/, ''));
}

interface IpAddrJson { ifname: string; addr_info?: { family: string; local: string; prefixlen: number }[] }
interface IpRouteJson { dst: string; gateway?: string; dev?: string }

export function parseAddresses(json: string): HostAddress[] {
  return (JSON.parse(json || '[]') as IpAddrJson[]).flatMap((link) =>
    (link.addr_info ?? [])
      .filter((a) => a.family === 'inet' || a.family === 'inet6')
      .map((a) => ({ ifname: link.ifname, family: a.family === 'inet' ? 4 : 6, address: a.local, prefixlen: a.prefixlen }) as HostAddress),
  );
}

export function parseRoutes(json: string, family: 4 | 6): HostRoute[] {
  return (JSON.parse(json || '[]') as IpRouteJson[]).map((r) => ({
    family,
    dst: r.dst,
    ...(r.gateway ? { gateway: r.gateway } : {}),
    ...(r.dev ? { dev: r.dev } : {}),
  }));
}

interface NetworkJson {
  Id: string; Name: string; Driver: string; EnableIPv6: boolean; Internal?: boolean;
  IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] | null };
  Options?: Record<string, string> | null; Labels?: Record<string, string> | null;
  Containers?: Record<string, { Name: string }> | null;
}

const isHermits = (n: NetworkJson) => !!n.Labels?.[LABEL_PROFILE];

export const parseNetworks = (json: string): DockerNetwork[] => networksOf(JSON.parse(json || '[]') as NetworkJson[]);

function networksOf(list: NetworkJson[]): DockerNetwork[] {
  return list.map((n) => {
    const config = n.IPAM?.Config ?? [];
    const mtu = n.Options?.['com.docker.network.driver.mtu'];
    const bridge = n.Options?.['com.docker.network.bridge.name'];
    return {
      id: n.Id, name: n.Name, driver: n.Driver, ipv6: n.EnableIPv6, ...(n.Internal ? { internal: true } : {}),
      subnets: config.map((c) => c.Subnet).filter((s): s is string => !!s),
      gateways: config.map((c) => c.Gateway).filter((s): s is string => !!s),
      ...(bridge ? { bridge } : {}),
      ...(mtu ? { mtu: Number(mtu) } : {}),
      labels: n.Labels ?? {},
      containers: Object.values(n.Containers ?? {}).map((c) => c.Name),
    };
  });
}

interface ContainerJson {
  Id: string; Name: string; Image: string;
  State: { Running: boolean; Pid: number; Status?: string; StartedAt?: string };
  Config: { Labels?: Record<string, string> | null };
  HostConfig: { RestartPolicy?: { Name?: string } };
  NetworkSettings: { Networks?: Record<string, { NetworkID?: string }> | null; SandboxKey?: string };
  Mounts?: { Type?: string; Source?: string; Destination?: string }[] | null;
}

export const parseContainers = (json: string): ExistingContainer[] => containersOf(JSON.parse(json || '[]') as ContainerJson[]);

function containersOf(list: ContainerJson[]): ExistingContainer[] {
  return list.map((c) => ({
    id: c.Id, name: c.Name.replace(/^\//, ''), running: c.State.Running, pid: c.State.Pid,
    status: c.State.Status ?? (c.State.Running ? 'running' : 'exited'), image: c.Image, startedAt: c.State.StartedAt ?? '',
    labels: c.Config.Labels ?? {}, networks: Object.keys(c.NetworkSettings.Networks ?? {}),
    networkIds: Object.fromEntries(Object.entries(c.NetworkSettings.Networks ?? {}).flatMap(([name, n]) => (n?.NetworkID ? [[name, n.NetworkID]] : []))),
    restartPolicy: c.HostConfig.RestartPolicy?.Name || 'no',
    binds: (c.Mounts ?? []).filter((m) => m.Type === 'bind').map((m) => ({ source: m.Source ?? '', destination: m.Destination ?? '' })),
    ...(c.NetworkSettings.SandboxKey ? { netns: c.NetworkSettings.SandboxKey } : {}),
  }));
}

export const parseContainer = (json: string): ExistingContainer | undefined => parseContainers(json)[0];

/** Docker 29 reports its firewall backend in `docker info`; older engines only have iptables. */
export function firewallBackendOf(info: Record<string, unknown>): FirewallBackend {
  const fb = info.FirewallBackend as { Driver?: string } | undefined;
  return fb?.Driver?.startsWith('nftables') ? 'nftables' : 'iptables';
}

/** The engine's local socket, when the docker CLI would use one: reads then skip the CLI. */
const socket = localEngineSocket;

async function dockerInfo(): Promise<{ version: string; backend: FirewallBackend }> {
  let info: Record<string, unknown> | undefined;
  let detail = '';
  if (socket) {
    info = await engineGetOk<Record<string, unknown>>(socket, '/info');
  } else {
    const out = await exec(docker('info', '--format', '{{json .}}'));
    try { info = JSON.parse(out.stdout) as Record<string, unknown>; } catch { info = undefined; }
    if (out.exitCode !== 0) info = undefined;
    detail = (out.stderr || out.stdout).trim().split('\n')[0] ?? '';
  }
  if (!info?.ServerVersion) {
    throw new HermitError('host', `cannot reach the Docker engine: ${detail}`,
      'Start Docker (systemctl start docker) or point DOCKER_HOST at a running engine, then check with: docker info');
  }
  return { version: String(info.ServerVersion), backend: firewallBackendOf(info) };
}

/** GET each object; a 404 (removed meanwhile) is skipped, like `docker inspect` does. */
async function inspectAll<T>(sock: string, paths: string[]): Promise<T[]> {
  const replies = await Promise.all(paths.map((p) => engineGet<T>(sock, p)));
  return replies.filter((r) => r.status === 200).map((r) => r.body);
}

async function networks(): Promise<DockerNetwork[]> {
  if (socket) {
    // The list omits attached containers, which only hermit's own networks need (down removes
    // them, a plan's advice names them): only those are inspected (a request each).
    const list = await engineGetOk<NetworkJson[]>(socket, '/networks');
    const mine = new Map((await inspectAll<NetworkJson>(socket, list.filter(isHermits).map((n) => `/networks/${n.Id}`))).map((n) => [n.Id, n]));
    // One removed between the list and its inspection is left out, as `docker network inspect` would.
    return networksOf(list.flatMap((n) => (isHermits(n) ? (mine.has(n.Id) ? [mine.get(n.Id)!] : []) : [n])));
  }
  const ids = (await execOk(docker('network', 'ls', '--quiet', '--no-trunc'), 'host')).split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  return parseNetworks(await execOk(docker('network', 'inspect', ...ids), 'host'));
}

/** The named container, or undefined when there is none; any other failure is an error.
 * @param via the engine's socket, else the docker CLI through the runner (apply passes its own). */
export async function container(name: string, via: { socket?: string | undefined; runner: Runner } = { socket, runner: hostRunner }): Promise<ExistingContainer | undefined> {
  if (via.socket) {
    const reply = await engineGet<ContainerJson & { message?: string }>(via.socket, `/containers/${name}/json`);
    if (reply.status === 404) return undefined;
    if (reply.status !== 200) throw new HermitError('host', `cannot ask Docker about container ${name}: ${reply.body.message ?? reply.status}`);
    return containersOf([reply.body])[0];
  }
  const out = await via.runner.run(docker('container', 'inspect', name));
  if (out.exitCode === 0) return parseContainer(out.stdout);
  if (/no such (container|object)/i.test(out.stderr)) return undefined;
  throw new HermitError('host', `cannot ask Docker about container ${name}: ${out.stderr.trim().split('\n')[0]}`,
    /permission denied/i.test(out.stderr) ? 'Run hermit as root (sudo hermit ...)' : 'Start Docker or point DOCKER_HOST at a running engine, then check with: docker info');
}

/** Every container on the engine (running or not), inspected. */
export async function containers(): Promise<ExistingContainer[]> {
  if (socket) {
    const list = await engineGetOk<{ Id: string }[]>(socket, '/containers/json?all=1');
    return containersOf(await inspectAll<ContainerJson>(socket, list.map((c) => `/containers/${c.Id}/json`)));
  }
  const ids = (await execOk(docker('container', 'ls', '--all', '--quiet', '--no-trunc'), 'host')).split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  // A container removed between ls and inspect makes inspect exit 1 but still print the others.
  const out = await exec(docker('container', 'inspect', ...ids));
  return parseContainers(out.stdout);
}

/** Local ID of an image, or undefined when it is not on this host. */
export async function imageId(image: string): Promise<string | undefined> {
  if (socket) {
    const reply = await engineGet<{ Id?: string }>(socket, `/images/${image}/json`);
    return reply.status === 200 ? reply.body.Id : undefined;
  }
  const out = await exec(docker('image', 'inspect', '--format', '{{.Id}}', image));
  return out.exitCode === 0 && out.stdout.trim() ? out.stdout.trim() : undefined;
}

const hasDockerChains = (save: string) => /^:DOCKER(-USER|-FORWARD)? /m.test(save);

/** A tool that is not installed gives nothing; one that fails for another reason is an error. */
async function readOrNothing(cmd: Command): Promise<Output | undefined> {
  return exec(cmd).catch((e: unknown) => {
    if (e instanceof HermitError && /was not found/.test(e.message)) return undefined;
    throw e;
  });
}

const needsRoot = () => (process.getuid?.() === 0 ? undefined : 'Reading and changing the firewall needs root: run hermit with sudo');

/**
 * The filter tables of iptables and ip6tables, and hermit's nftables tables, as far as the host has the tools.
 * @param wantNft whether nftables is read too, decided from iptables-save's answer; by default it is,
 *   from the start.
 */
async function dumps(wantNft?: (save4: Output | undefined) => Promise<boolean>): Promise<{ save4: string; save6: string; nftTables: Record<string, string>; iptables: boolean; nft: boolean }> {
  const readNft = () => readOrNothing({ file: 'nft', args: ['list', 'ruleset'] });
  const save4Read = readOrNothing({ file: 'iptables-save', args: ['-t', 'filter'] });
  const [save4, save6, nft] = await Promise.all([
    save4Read,
    readOrNothing({ file: 'ip6tables-save', args: ['-t', 'filter'] }).catch(() => undefined),
    wantNft ? save4Read.then(wantNft).then((yes) => (yes ? readNft() : undefined)) : readNft(),
  ]);
  if (save4 && save4.exitCode !== 0 && (!nft || nft.exitCode !== 0)) {
    throw new HermitError('host', `iptables-save failed: ${save4.stderr.trim()}`, needsRoot());
  }
  if (!save4 && nft && nft.exitCode !== 0) throw new HermitError('host', `nft list ruleset failed: ${nft.stderr.trim()}`, needsRoot());
  const iptables = !!save4 && save4.exitCode === 0;
  const nftOk = !!nft && nft.exitCode === 0;
  return {
    save4: iptables ? save4.stdout : '',
    save6: iptables && save6?.exitCode === 0 ? save6.stdout : '',
    nftTables: nftOk ? Object.fromEntries(hermitTables(nft.stdout)) : {},
    iptables,
    nft: nftOk,
  };
}

/** iptables-save names its variant in its first line: "(nf_tables)", or nothing for legacy. */
export function variantOfSave(save: string): IptablesVariant | undefined {
  const header = save.split('\n').find((l) => l.startsWith('# Generated by'));
  return header ? (header.includes('(nf_tables)') ? 'nft' : 'legacy') : undefined;
}

/** What a command knows that spares a read of the host's firewall. */
export interface FirewallReads {
  /**
   * Whether to look for hermit's nftables tables where iptables serves (`nft list tables`, a
   * process). By default yes: the guard, status and doctor look at every profile's. A run of one
   * profile whose record says its last successful run used iptables passes false: that run removed
   * the profile's table (the plan removes what the other backend holds), and tables of other
   * profiles are not the run's to change.
   */
  nftTables?: Promise<boolean>;
}

async function firewall(dockerBackend: Promise<FirewallBackend>, reads: FirewallReads = {}): Promise<FirewallFacts> {
  // The whole nft ruleset only when the backend could be nftables, or a table of hermit's is there
  // (left by a run with HERMIT_FIREWALL=nftables: the plan removes it). Otherwise `nft list tables`
  // (names only, read meanwhile) is all, and where iptables serves the choice is the same without nft.
  const listTables = () => readOrNothing({ file: 'nft', args: ['list', 'tables'] }).catch(() => undefined);
  const tables = reads.nftTables ? reads.nftTables.then((yes) => (yes ? listTables() : undefined), listTables) : listTables();
  const d = await dumps(async (save4) => {
    const docker = await dockerBackend.catch(() => undefined);
    if (!docker || mightChooseNftables(process.env.HERMIT_FIREWALL, docker, save4?.exitCode === 0)) return true;
    return new RegExp(`^table ${NFT_FAMILY} ${NFT_TABLE_PREFIX}`, 'm').test((await tables)?.stdout ?? '');
  });
  const choice = chooseBackend(process.env.HERMIT_FIREWALL, await dockerBackend, { iptables: d.iptables, nft: d.nft });
  let variant: IptablesVariant = 'nft';
  let dockerChainsInOtherVariant = false;
  if (d.iptables) {
    variant = variantOfSave(d.save4)
      ?? ((await execOk({ file: 'iptables', args: ['--version'] }, 'host')).includes('legacy') ? 'legacy' : 'nft');
    if (firewallFor(choice.backend).needsDockerUser && !hasDockerChains(d.save4)) {
      const other = await exec({ file: `iptables-${variant === 'nft' ? 'legacy' : 'nft'}-save`, args: ['-t', 'filter'] }).catch(() => undefined);
      dockerChainsInOtherVariant = !!other && other.exitCode === 0 && hasDockerChains(other.stdout);
    }
  }
  return {
    dockerBackend: await dockerBackend, backend: choice.backend, backendReason: choice.reason,
    variant, dockerChainsInOtherVariant, save4: d.save4, save6: d.save6, nftTables: d.nftTables,
  };
}

/** The host's own addresses (for the INPUT rules that `status` compares). */
export async function hostAddresses(): Promise<HostAddress[]> {
  return readHostAddresses();
}

/** Everything `down` and `status` compare against: containers, networks, rule dumps. */
export async function gatherInventory(): Promise<Inventory> {
  const [cs, nets, d, engine] = await Promise.all([containers(), networks(), dumps(), dockerInfo().catch(() => undefined)]);
  let backend: FirewallBackend | undefined;
  try {
    backend = chooseBackend(process.env.HERMIT_FIREWALL, engine?.backend ?? 'iptables', { iptables: d.iptables, nft: d.nft }).backend;
  } catch { /* neither tool: status says the rules are missing, down removes what it can read */ }
  return { containers: cs, networks: nets, save4: d.save4, save6: d.save6, nftTables: d.nftTables, ...(backend ? { backend } : {}) };
}

/** Allowlist mode: the proxy's container, its image, and the squid.conf hermit last wrote. */
async function proxyFacts(proxy: ProxyContainer, profile: string, keys = true): Promise<ProxyFacts> {
  const dir = proxyDir(stateDir(), profile);
  const [c, id, config] = await Promise.all([
    container(proxy.container), imageId(proxy.image), readFile(join(dir, 'conf', 'squid.conf'), 'utf8').catch(() => undefined),
  ]);
  return { dir, ...(c ? { container: c } : {}), ...(id ? { imageId: id } : {}), ...(config !== undefined ? { config } : {}), ...(keys ? await credentialFacts(proxy, profile, join(dir, 'conf')) : {}) };
}

/** What every profile on this host is verified against: the engine, networks, firewall dumps,
 * routes and resolvers. One read serves a guard pass over many profiles. */
export type SharedFacts = Omit<HostFacts, 'container' | 'imageId' | 'proxy' | 'binds'>;

export async function sharedFacts(reads: FirewallReads = {}): Promise<SharedFacts> {
  const info = dockerInfo();
  const dockerBackend = info.then((i) => i.backend);
  dockerBackend.catch(() => undefined); // reported through `info`; firewall() awaits it only after its own reads
  const settled = await Promise.allSettled([
    info,
    networks(),
    firewall(dockerBackend, reads),
    hostRoutes(),
    readFile(resolvConfPath(), 'utf8').catch(() => ''),
  ] as const);
  // Report the most basic failure first: no Docker engine explains every docker error after it.
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  const [engine, nets, fw, routes, resolv] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
    Awaited<ReturnType<typeof dockerInfo>>, DockerNetwork[], FirewallFacts, HostRoute[], string,
  ];
  return { addresses: readHostAddresses(), routes, resolvers: parseResolvConf(resolv), dockerVersion: engine.version, networks: nets, firewall: fw };
}

/** The containers beside the agent to look at too: the proxy (allowlist mode, credentials), the engine (`docker:`). */
export interface Beside {
  profile: string; proxy?: ProxyContainer | undefined; engine?: EngineSettings | undefined;
  /** Read the credentials' values (only a plan that writes the proxy's key file needs them; the guard does not). */
  keys?: boolean;
}

/** The profile's sidecars to look at, from the profile. */
export const besideOf = (p: Profile): Beside => ({ profile: p.name, proxy: proxyContainerOf(p), engine: p.docker });

/** One profile's own facts (its container, image, proxy, engine), added to the shared ones. */
export async function profileFacts(shared: SharedFacts, containerName: string, image?: string, beside?: Beside, containerRead = container(containerName)): Promise<HostFacts> {
  const [existing, localImage, proxyState, engineState] = await Promise.all([
    containerRead,
    image ? imageId(image) : Promise.resolve(undefined),
    beside?.proxy ? proxyFacts(beside.proxy, beside.profile, beside.keys ?? true) : Promise.resolve(undefined),
    beside?.engine ? engineFacts(beside.engine, beside.profile, containerRead) : Promise.resolve(undefined),
  ]);
  return {
    ...shared,
    ...(existing ? { container: existing } : {}),
    ...(localImage ? { imageId: localImage } : {}),
    ...(proxyState ? { proxy: proxyState } : {}),
    ...(engineState ? { engine: engineState } : {}),
  };
}

/** The named volumes of these that exist. */
export async function existingVolumes(names: string[]): Promise<string[]> {
  if (socket) {
    const s = socket;
    const found = await Promise.all(names.map(async (n) => ((await engineGet(s, `/volumes/${encodeURIComponent(n)}`)).status === 200 ? [n] : [])));
    return found.flat();
  }
  // Prints the ones that exist (and exits 1 when one does not).
  const out = await exec(docker('volume', 'inspect', '--format', '{{.Name}}', ...names));
  return out.stdout.split('\n').map((l) => l.trim()).filter((n) => names.includes(n));
}

/** The named volumes labelled with the profile (for `down`). */
export async function profileVolumes(profile: string): Promise<NonNullable<Inventory['volumes']>> {
  const out = await execOk(docker('volume', 'ls', '--filter', `label=${LABEL_PROFILE}=${profile}`, '--format', '{{json .Labels}}\t{{.Name}}'), 'host');
  return out.split('\n').filter(Boolean).map((line) => {
    const [labels, name] = line.split('\t') as [string, string];
    // docker prints the labels as "a=b,c=d" (a JSON string).
    const text = JSON.parse(labels) as string;
    return { name, labels: Object.fromEntries(text.split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) };
  });
}

/** The network namespace of a process (its /proc link), or undefined when it is gone. */
export const netnsOf = (pid: number): Promise<string | undefined> => (pid > 0 ? readlink(`/proc/${pid}/ns/net`).catch(() => undefined) : Promise.resolve(undefined));

/** Whether both run and the engine is not in the agent's network namespace. */
export async function netnsStale(agent: ExistingContainer | undefined, engine: ExistingContainer | undefined): Promise<boolean> {
  if (!agent?.running || !engine?.running) return false;
  const [a, e] = await Promise.all([netnsOf(agent.pid), netnsOf(engine.pid)]);
  return !!a && !!e && a !== e;
}

/** `docker:`: the engine's container, image and volumes, and which tun device it can use. */
async function engineFacts(engine: EngineSettings, profile: string, agentRead: Promise<ExistingContainer | undefined>): Promise<EngineFacts> {
  const hostTun = stat('/dev/net/tun').then((st) => st.isCharacterDevice() && (st.mode & 0o006) === 0o006, () => false);
  const ownTun = stat(tunNodePath(stateDir(), profile)).then((st) => st.isCharacterDevice(), () => false);
  const [c, id, volumes, usable, node, agent] = await Promise.all([
    container(engine.container), imageId(engine.image), existingVolumes([engine.dataVolume, engine.socketVolume]), hostTun, ownTun, agentRead.catch(() => undefined),
  ]);
  const stale = await netnsStale(agent, c);
  return { ...(c ? { container: c } : {}), ...(id ? { imageId: id } : {}), volumes, hostTun: usable, tunNode: node, ...(stale ? { netnsStale: true } : {}) };
}

/**
 * @param image the profile's image, to learn whether it is here (omit when it does not matter).
 * @param beside also look at the profile's proxy (allowlist mode) and engine (`docker:`).
 * @param containerRead the named container's read, when the caller has begun it (container()).
 * @param reads what spares a firewall read (FirewallReads); by default everything is read.
 */
export async function gatherFacts(containerName: string, image?: string, beside?: Beside, containerRead = container(containerName), reads: FirewallReads = {}): Promise<HostFacts> {
  // Begun together; the shared read's failure (no Docker engine) is reported first.
  const own = profileFacts({} as SharedFacts, containerName, image, beside, containerRead);
  own.catch(() => undefined);
  const shared = await sharedFacts(reads);
  return { ...shared, ...(await own) };
}
