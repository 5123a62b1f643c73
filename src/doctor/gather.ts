// One concurrent pass of read-only looks at the host. Every output is kept verbatim as a Source,
// keyed by SRC, so the checks are pure functions of it and a recording replays exactly.
// Nothing here writes: no iptables, no sysctl, and no `iptables-<other variant>-save` unless
// Docker's chains are missing (reading legacy tables can load their kernel module).
import { existingRealpath } from '../profile/load.js';
import { insideWritableMounts, otherWriters } from '../profile/writers.js';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Command, describe, exec } from '../apply/exec.js';
import { resolvConfPath } from '../host/read.js';
import { proxyDir } from '../plan/proxy.js';
import { proxyContainerOf } from '../plan/egress.js';
import { gatherSidecars } from './gather-sidecars.js';
import type { Profile } from '../profile/types.js';
import { stateDir } from '../state/store.js';
import type { Source } from './types.js';

export const SRC = {
  kernel: 'kernel',
  osRelease: 'os-release',
  dockerInfo: 'docker-info',
  networks: 'docker-networks',
  container: 'docker-container',
  image: 'docker-image',
  dockerConfig: 'docker-client-config',
  iptablesVersion: 'iptables-version',
  save4: 'iptables-save',
  save6: 'ip6tables-save',
  saveOther: 'iptables-other-save',
  legacyTables: 'ip_tables_names',
  nft: 'nft-ruleset',
  link: 'ip-link',
  addr: 'ip-addr',
  route4: 'ip-route4',
  route6: 'ip-route6',
  ipForward: 'ip_forward',
  disableIpv6: 'disable_ipv6',
  resolv: 'resolv.conf',
  systemctl: 'systemctl',
  firewallCmd: 'firewall-cmd',
  ufw: 'ufw',
  env: 'environment',
  journal: 'journal',
  ping: 'ping',
  dpkg: 'dpkg.log',
  dnf: 'dnf.rpm.log',
  pacman: 'pacman.log',
  profileWriters: 'profile-writers',
  /** Allowlist mode: the proxy container, its access log, and a probe through it from the agent. */
  proxyContainer: 'proxy-container',
  proxyLog: 'proxy-access.log',
  proxyProbe: 'proxy-probe',
} as const;

export const PACKAGE_LOGS = { [SRC.dpkg]: '/var/log/dpkg.log', [SRC.dnf]: '/var/log/dnf.rpm.log', [SRC.pacman]: '/var/log/pacman.log' } as const;
export const WATCHED_UNITS = ['docker', 'containerd', 'firewalld', 'ufw', 'nftables', 'netfilter-persistent', 'iptables',
  'NetworkManager', 'systemd-networkd', 'systemd-resolved', 'tailscaled'];
export const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy'];

/** Who besides root can change the profile's files, and which of them the container mounts writable. */
function profileWriters(profile: Profile, files: string[]): Entry {
  const found = { files, otherWriters: files.flatMap((f) => otherWriters(f)), insideWritableMounts: insideWritableMounts(files, profile, existingRealpath) };
  return [SRC.profileWriters, { what: `stat ${files.join(' ')} and the folders above them`, stdout: JSON.stringify(found) }];
}

/** user:password in a proxy URL never reaches a report or a recording. */
export const redact = (s: string) => s.replace(/(\/\/)[^/@\s]+@/g, '$1***@');

type Entry = [string, Source];

async function run(key: string, cmd: Command, timeoutMs = 15_000): Promise<Entry> {
  const what = describe(cmd);
  try {
    const out = await exec(cmd, timeoutMs);
    return [key, { what, exitCode: out.exitCode, stdout: redact(out.stdout), stderr: redact(out.stderr) }];
  } catch (err) {
    return [key, { what, stdout: '', error: (err as Error).message }];
  }
}

async function read(key: string, path: string, filter?: (text: string) => string): Promise<Entry> {
  try {
    const text = await readFile(path, 'utf8');
    return [key, { what: `read ${path}`, stdout: redact(filter ? filter(text) : text.trim()) }];
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return [key, { what: `read ${path}`, stdout: '', error: e.code === 'ENOENT' ? 'no such file' : e.message }];
  }
}

const docker = (...args: string[]): Command => ({ file: 'docker', args });
const hasDockerChains = (save: string) => /^:DOCKER(-USER|-FORWARD)? /m.test(save);

async function iptables(): Promise<Entry[]> {
  const [version, save4, save6, legacy] = await Promise.all([
    run(SRC.iptablesVersion, { file: 'iptables', args: ['--version'] }),
    run(SRC.save4, { file: 'iptables-save', args: ['-t', 'filter'] }),
    run(SRC.save6, { file: 'ip6tables-save', args: ['-t', 'filter'] }),
    read(SRC.legacyTables, '/proc/net/ip_tables_names'),
  ]);
  const out = [version, save4, save6, legacy];
  const main = version[1].stdout.includes('legacy') ? 'legacy' : 'nft';
  // The other variant only when it is safe to read: its tables already exist (their module is
  // loaded), or Docker's chains are missing here and may be there.
  const legacyLoaded = main === 'nft' && legacy[1].stdout.trim() !== '';
  if (save4[1].exitCode === 0 && (legacyLoaded || !hasDockerChains(save4[1].stdout))) {
    out.push(await run(SRC.saveOther, { file: `iptables-${main === 'nft' ? 'legacy' : 'nft'}-save`, args: [] }));
  }
  return out;
}

async function networks(): Promise<Entry> {
  const ls = await run(SRC.networks, docker('network', 'ls', '--quiet', '--no-trunc'));
  const ids = ls[1].exitCode === 0 ? ls[1].stdout.split('\n').filter(Boolean) : [];
  if (ids.length === 0) return ls;
  const [, inspect] = await run(SRC.networks, docker('network', 'inspect', ...ids));
  return [SRC.networks, { ...inspect, what: 'docker network inspect $(docker network ls --quiet --no-trunc)' }];
}

/** Which ping can send a full-size echo with DF: iputils (-M do), or busybox (DF is the kernel's default). */
async function ping(): Promise<Entry> {
  const v = await run(SRC.ping, { file: 'ping', args: ['-V'] });
  const [key, src] = v[1].error ? await run(SRC.ping, { file: 'busybox', args: ['ping', '-h'] }) : v;
  const head = (t?: string) => (t ?? '').split('\n').slice(0, 2).join('\n'); // the version line is all that matters
  return [key, { ...src, stdout: head(src.stdout), stderr: head(src.stderr) }];
}

/** Only what the checks read: the full inspect holds the container's environment, secrets included. */
const CONTAINER_FORMAT = '[{"Id":{{json .Id}},"Name":{{json .Name}},"Image":{{json .Image}},"State":{{json .State}},' +
  '"Config":{"Labels":{{json .Config.Labels}}},"HostConfig":{"RestartPolicy":{{json .HostConfig.RestartPolicy}}},' +
  '"NetworkSettings":{"Networks":{{json .NetworkSettings.Networks}}}}]';

/** Only the proxies of the docker client's config: the rest (auths) is nobody's business. */
const dockerConfigPath = () => join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
function keepProxies(text: string): string {
  try {
    const proxies = (JSON.parse(text) as { proxies?: unknown }).proxies;
    return proxies ? redact(JSON.stringify({ proxies })) : '{}';
  } catch {
    return '(not valid JSON)';
  }
}

/** Lines of a package log dated on or after `since` (ISO), install/upgrade/remove only. */
export function recentLines(text: string, since: string): string {
  const cut = since.slice(0, 19).replace('T', ' ');
  return text.split('\n').filter((l) => {
    const m = /(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})/.exec(l);
    return !!m && `${m[1]} ${m[2]}` >= cut &&
      /\] (installed|upgraded|downgraded|removed) |^\S+ \S+ (install|upgrade|remove|purge) | (Upgrade|Upgraded|Install|Installed|Erase|Obsolete)d?: /.test(l);
  }).join('\n');
}

/** systemd's own lines about the watched units (start, stop, reload, failure); the services' chatter is left out. */
async function journal(since: string): Promise<Entry> {
  const [key, src] = await run(SRC.journal, { file: 'journalctl', args: ['--no-pager', '--quiet', '--output', 'short-iso', '--since', since,
    '--lines', '5000', ...WATCHED_UNITS.flatMap((u) => ['--unit', `${u}.service`])] });
  return [key, { ...src, stdout: src.stdout.split('\n').filter((l) => /\ssystemd\[1\]: /.test(l)).join('\n') }];
}

function environment(): Entry {
  const lines = PROXY_VARS.filter((n) => process.env[n] !== undefined).map((n) => `${n}=${redact(process.env[n]!)}`);
  if (process.env.SUDO_USER) lines.push(`SUDO_USER=${process.env.SUDO_USER}`);
  if (process.env.HERMIT_FIREWALL !== undefined) lines.push(`HERMIT_FIREWALL=${process.env.HERMIT_FIREWALL}`);
  return [SRC.env, { what: 'environment of hermit doctor (proxy variables, SUDO_USER, HERMIT_FIREWALL)', stdout: lines.join('\n') }];
}

export interface GatherOptions {
  profile?: Profile;
  /** The profile's file and the files it extends: who can change them is a finding too. */
  profileFiles?: string[];
  /** How far back "recent changes" look. */
  since: Date;
}

export async function gatherHost(opts: GatherOptions): Promise<Record<string, Source>> {
  const { profile } = opts;
  const since = opts.since.toISOString();
  const journalSince = since.slice(0, 19).replace('T', ' ');
  const tasks: Promise<Entry | Entry[]>[] = [
    read(SRC.kernel, '/proc/sys/kernel/osrelease'),
    read(SRC.osRelease, '/etc/os-release'),
    run(SRC.dockerInfo, docker('info', '--format', '{{json .}}')),
    networks(),
    iptables(),
    run(SRC.nft, { file: 'nft', args: ['list', 'ruleset'] }),
    run(SRC.link, { file: 'ip', args: ['-json', 'link', 'show'] }),
    run(SRC.addr, { file: 'ip', args: ['-json', 'address', 'show'] }),
    run(SRC.route4, { file: 'ip', args: ['-json', '-4', 'route', 'show'] }),
    run(SRC.route6, { file: 'ip', args: ['-json', '-6', 'route', 'show'] }),
    // /proc/sys/net is per network namespace: these are the values of the namespace doctor runs in.
    read(SRC.ipForward, '/proc/sys/net/ipv4/ip_forward'),
    read(SRC.disableIpv6, '/proc/sys/net/ipv6/conf/all/disable_ipv6'),
    read(SRC.resolv, resolvConfPath()),
    run(SRC.systemctl, { file: 'systemctl', args: ['is-active', 'firewalld', 'ufw', 'docker'] }),
    run(SRC.firewallCmd, { file: 'firewall-cmd', args: ['--state'] }),
    run(SRC.ufw, { file: 'ufw', args: ['status'] }),
    read(SRC.dockerConfig, dockerConfigPath(), keepProxies),
    ping(),
    journal(journalSince),
    ...Object.entries(PACKAGE_LOGS).map(([key, path]) => read(key, path, (t) => recentLines(t, since))),
  ];
  if (profile) {
    tasks.push(
      run(SRC.container, docker('container', 'inspect', '--format', CONTAINER_FORMAT, profile.container.name)),
      run(SRC.image, docker('image', 'inspect', '--format', '{{.Id}}', profile.image)),
    );
    const sidecarProxy = proxyContainerOf(profile);
    if (sidecarProxy) tasks.push(run(SRC.proxyContainer, docker('container', 'inspect', '--format', CONTAINER_FORMAT, sidecarProxy.container)));
    if (profile.proxy) {
      tasks.push(
        read(SRC.proxyLog, join(proxyDir(stateDir(), profile.name), 'log', 'access.log'), (t) => t.trimEnd().split('\n').slice(-200).join('\n')),
      );
    }
  }
  if (profile) tasks.push(gatherSidecars(profile, (key, file, args, timeoutMs) => run(key, { file, args }, timeoutMs), read));
  if (profile && opts.profileFiles) tasks.push(Promise.resolve(profileWriters(profile, opts.profileFiles)));
  // An Entry starts with its key; a list of them (possibly empty) does not.
  const entries = (await Promise.all(tasks)).flatMap((e) => (typeof e[0] === 'string' ? [e as Entry] : (e as Entry[])));
  return Object.fromEntries([...entries, environment()]);
}
