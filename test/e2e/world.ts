// The end-to-end test world: a fake host, LAN, router, NAS and internet made of network namespaces,
// with a private dockerd inside the "host" namespace (the way moby tests itself, see THREATS.md).
// Nothing here has a link to the real network: every address the tests can reach was created below.
import { spawn } from 'node:child_process';
import {
  chmodSync, chownSync, closeSync, copyFileSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, rmdirSync,
  statSync, writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';
import type { ProbeResponse, TcpResult } from '../../src/probe/types.js';

export interface WorldInfo {
  skip?: string;
  /** The engine's major version: 20 (Debian 12's docker.io) or a newer one (HERMIT_E2E_ENGINE). */
  engine: number;
  root: string;
  hostNs: string;
  netnsPath: string;
  /** dockerd's mount namespace (sees the world's resolv.conf as /etc/resolv.conf); inHost enters it. */
  mntnsPath: string;
  dockerHost: string;
  resolvConf: string;
  image: string;
  addr: { hostLan: '192.168.50.10'; router: '192.168.50.1'; nas: '192.168.50.20'; internet: '203.0.113.10' };
  ports: { hostLanService: 8081; hostAllService: 8082; nasAllowed: 8080; nasDisallowed: 22; routerAdmin: 80; internet: 80 };
  /** Logs; the httpd logs show every connection a service accepted, the dnsmasq logs every query. */
  logs: Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext { world: WorldInfo }
}

export interface RunOptions { input?: string; env?: Record<string, string>; timeout?: number; cwd?: string }
export interface RunResult { stdout: string; stderr: string; exitCode: number; timedOut: boolean }

// HERMIT_E2E_WORLD=<id> (a-z0-9, up to 4) gives a run a world of its own, so that two checkouts can
// run their end-to-end tests at once; without it, one world per machine, waited for in turn.
const WORLD_ID = (() => {
  const id = process.env.HERMIT_E2E_WORLD ?? '';
  if (!/^[a-z0-9]{0,4}$/.test(id)) throw new Error(`HERMIT_E2E_WORLD must be up to 4 of a-z0-9, not '${id}'`);
  return id;
})();
// HERMIT_E2E_ENGINE=20 (default: Debian 12's docker.io, on PATH) or 28 (Debian unstable's docker.io,
// docker-cli and containerd, unpacked by .ci/fetch-engine into a fixed folder, never installed): that
// folder goes first on PATH for dockerd and for every docker and hermit command the tests run.
export const ENGINE = (() => {
  const v = process.env.HERMIT_E2E_ENGINE || '20';
  if (!/^(20|28)$/.test(v)) throw new Error(`HERMIT_E2E_ENGINE must be 20 or 28, not '${v}'`);
  return Number(v);
})();
const ENGINE_DIR = `/var/cache/hermit-e2e/engine-${ENGINE}`;
if (ENGINE !== 20) process.env.PATH = `${ENGINE_DIR}/usr/sbin:${ENGINE_DIR}/usr/bin:${process.env.PATH ?? ''}`;

// HERMIT_FIREWALL=nftables (passed on to every hermit the tests run) makes hermit write its rules as
// nftables tables, beside Docker's iptables(-nft) rules; the tests then read those instead.
export const FIREWALL: 'iptables' | 'nftables' = process.env.HERMIT_FIREWALL === 'nftables' ? 'nftables' : 'iptables';

// Fixed per world id, so a later run finds and removes a crashed run's leftovers.
export const ROOT = `/tmp/hermit-e2e${WORLD_ID ? `-${WORLD_ID}` : ''}`;
const PREFIX = `hme${WORLD_ID}-`;
/** A network namespace name of this world (cleanup removes every one with its prefix). */
export const worldNs = (name: string) => `${PREFIX}${name}`;
export const NS = { host: worldNs('host'), router: worldNs('router'), nas: worldNs('nas'), inet: worldNs('inet') } as const;
const ADDR = { hostLan: '192.168.50.10', router: '192.168.50.1', nas: '192.168.50.20', internet: '203.0.113.10' } as const;
const PORTS = { hostLanService: 8081, hostAllService: 8082, nasAllowed: 8080, nasDisallowed: 22, routerAdmin: 80, internet: 80 } as const;
const IMAGE = 'hermit-e2e/busybox:latest';
const CGROUP = `hermit-e2e${WORLD_ID ? `-${WORLD_ID}` : ''}`; // dockerd's cgroup-parent: lets cleanup find container processes
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BUSYBOX = '/bin/busybox';
const p = (...parts: string[]) => join(ROOT, ...parts);
const nsPath = (ns: string) => `/var/run/netns/${ns}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Web services: name (also the page body) -> namespace and busybox httpd -p argument.
const HTTPD: Record<string, [string, string]> = {
  'host-lan-service': [NS.host, `${ADDR.hostLan}:${PORTS.hostLanService}`], // host's LAN address only
  'host-all-service': [NS.host, `${PORTS.hostAllService}`], // every host address ([::], dual stack)
  'router-admin': [NS.router, `${PORTS.routerAdmin}`],
  'nas-allowed': [NS.nas, `${PORTS.nasAllowed}`],
  'nas-disallowed': [NS.nas, `${PORTS.nasDisallowed}`],
  'internet-page': [NS.inet, `${PORTS.internet}`],
};
const DNS: Record<string, [string, string]> = { 'dns-router': [NS.router, ADDR.router], 'dns-internet': [NS.inet, ADDR.internet] };

export function worldInfo(): WorldInfo {
  const logs: Record<string, string> = { dockerd: p('logs', 'dockerd.log') };
  for (const name of [...Object.keys(HTTPD), ...Object.keys(DNS)]) logs[name] = p('logs', `${name}.log`);
  return {
    engine: ENGINE, root: ROOT, hostNs: NS.host, netnsPath: nsPath(NS.host), mntnsPath: p('ns', 'mnt'),
    dockerHost: `unix://${p('docker.sock')}`, resolvConf: p('resolv.conf'), image: IMAGE,
    addr: { ...ADDR }, ports: { ...PORTS }, logs,
  };
}

// ---- running commands -------------------------------------------------------------------------

async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  // Never inherit the test runner's stdin.
  const stdin: Options = opts.input === undefined ? { stdin: 'ignore' } : { input: opts.input };
  const r = await execa(cmd, args, { reject: false, env: opts.env, timeout: opts.timeout, cwd: opts.cwd, ...stdin });
  const sig = r.signal ? constants.signals[r.signal] : undefined;
  const missing = r.exitCode === undefined && !sig; // could not spawn at all
  return {
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? '') || (missing ? (r.message ?? '') : ''),
    exitCode: r.exitCode ?? (r.timedOut ? 124 : sig ? 128 + sig : 127), // shell conventions
    timedOut: r.timedOut,
  };
}

async function must(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.exitCode}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

function enter(netns: string, mntns: string | undefined, cmd: string, args: string[], opts: RunOptions) {
  const cwd = opts.cwd ?? process.cwd();
  // Entering a mount namespace resets the working directory to /, so carry it over with --wd.
  const mnt = mntns ? [`--mount=${mntns}`, `--wd=${cwd}`] : [];
  return run('nsenter', [`--net=${netns}`, ...mnt, '--', cmd, ...args], { ...opts, cwd });
}

/** Runs in any world namespace; hme-host also gets dockerd's mount namespace, like inHost. */
export function inNs(ns: string, cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const mnt = ns === NS.host && isMountPoint(p('ns', 'mnt')) ? p('ns', 'mnt') : undefined;
  return enter(nsPath(ns), mnt, cmd, args, opts);
}

/** Runs as if on the world's host: its network and mount namespace, DOCKER_HOST, HERMIT_RESOLV_CONF,
 * HERMIT_STATE_DIR (probe records stay in the world, not in the machine's /var/lib/hermit) and
 * HERMIT_RUN_DIR (a proxy's keys stay in the world, not in the machine's /run/hermit) set. */
export function inHost(info: WorldInfo, cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const env = { DOCKER_HOST: info.dockerHost, HERMIT_RESOLV_CONF: info.resolvConf, HERMIT_STATE_DIR: p('state'), HERMIT_RUN_DIR: p('run-hermit'), ...opts.env };
  return enter(info.netnsPath, info.mntnsPath, cmd, args, { ...opts, env });
}

export function docker(info: WorldInfo, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return run('docker', args, { ...opts, env: { DOCKER_HOST: info.dockerHost, ...opts.env } });
}

/** Writes a test's profile file, by default under the world's root. */
export function writeProfile(info: WorldInfo, name: string, text: string, dir = join(info.root, 'profiles')): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** The lines a test profile starts with: the world's image asleep on its own subnet, the router as resolver. */
export function sleeperHead(info: WorldInfo, name: string, subnet: string): string {
  return `name: ${name}
image: ${info.image}
command: [sleep, "86400"]
network:
  subnet: ${subnet}
dns: [${info.addr.router}]
`;
}

/** The plainest caged agent: sleeperHead, and the internet page as what the probe must reach;
 * `probe` adds lines under probe:. */
export function sleeperYaml(info: WorldInfo, name: string, subnet: string, probe = ''): string {
  return `${sleeperHead(info, name, subnet)}probe:
  dnsName: internet.test
  timeoutMs: 3000
${probe}  mustReach:
    - { host: internet.test, port: ${info.ports.internet} }
`;
}

/** The uid the agent writes its workspace as (the container's user). */
export const AGENT_UID = 1000;

/** A project folder owned by the agent's uid, like a normal user's checkout; files relative to it. */
export function agentProject(dir: string, files: Record<string, string>): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  chownSync(dir, AGENT_UID, AGENT_UID);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
    chownSync(join(dir, name), AGENT_UID, AGENT_UID);
    chownSync(join(dir, name, '..'), AGENT_UID, AGENT_UID);
  }
  return dir;
}

/** hermit's nftables table of a profile as `nft -s list` prints it in the world's host (counters
 * without their values; '' when there is none). */
export async function nftTableOf(info: WorldInfo, profile: string): Promise<string> {
  const r = await inHost(info, 'nft', ['-s', 'list', 'table', 'inet', `hermit-${profile}`]);
  return r.exitCode === 0 ? r.stdout : '';
}

/** Every firewall rule of the world's host: iptables' and ip6tables' filter tables, and the nftables
 * tables that are not iptables-nft's, all without counter values (they change with every packet). */
export async function firewallDump(info: WorldInfo): Promise<string> {
  const [v4, v6, nft] = await Promise.all([inHost(info, 'iptables-save', ['-t', 'filter']), inHost(info, 'ip6tables-save', ['-t', 'filter']),
    inHost(info, 'nft', ['-s', 'list', 'ruleset'])]);
  const rules = (s: string) => s.split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/ \[\d+:\d+\]$/, '')).join('\n');
  const tables = nft.stdout.split(/^(?=table )/m).filter((t) => !/^table (ip|ip6) (filter|nat|mangle|raw|security) \{/.test(t));
  return [rules(v4.stdout), rules(v6.stdout), tables.join('')].join('\n---\n');
}

/** What a refused or rolled-back run must leave as it was: rules, networks, every container (created ones too). */
export async function hostSnapshot(info: WorldInfo): Promise<string> {
  const [rules, nets, ps] = await Promise.all([
    firewallDump(info),
    docker(info, ['network', 'ls', '--format', '{{.Name}} {{.ID}}']),
    docker(info, ['ps', '-a', '--format', '{{.Names}} {{.ID}} {{.State}}']),
  ]);
  return [rules, nets.stdout, ps.stdout].join('\n---\n');
}

/** The host pid of a container's first process (its namespaces are /proc/<pid>/ns/*). */
export async function pidOf(info: WorldInfo, name: string): Promise<number> {
  return Number((await docker(info, ['container', 'inspect', '--format', '{{.State.Pid}}', name])).stdout.trim());
}

export function hermit(info: WorldInfo, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return inHost(info, process.execPath, [join(REPO, 'bin', 'hermit'), ...args], { cwd: REPO, ...opts });
}

/** One TCP connect from inside a container's network namespace, with hermit's own probe worker
 * (its outcome is classified exactly: connected, refused, unreachable, timeout). */
export async function connectFrom(info: WorldInfo, pid: number, host: string, port: number): Promise<TcpResult> {
  const out = await inHost(info, 'nsenter', [`--net=/proc/${pid}/ns/net`, '--', process.execPath, join(REPO, 'dist', 'probe', 'worker.js')], {
    input: JSON.stringify({ timeoutMs: 3000, tcp: [{ id: 't', host, port }], dns: [] }),
  });
  if (out.exitCode !== 0) throw new Error(`probe worker exited ${out.exitCode}: ${out.stderr}`);
  return (JSON.parse(out.stdout) as ProbeResponse).tcp[0]!;
}

/** Packets hermit's TCP-reset rules of `profile` have counted so far (both backends). */
export async function resetsCounted(info: WorldInfo, profile: string): Promise<number> {
  const nft = FIREWALL === 'nftables';
  // Both families: a profile with IPv6 on refuses IPv6 with resets of its own.
  const outs = nft ? [await inHost(info, 'nft', ['list', 'table', 'inet', `hermit-${profile}`])]
    : await Promise.all(['iptables-save', 'ip6tables-save'].map((save) => inHost(info, save, ['-c', '-t', 'filter'])));
  const line = nft ? /counter packets (\d+) bytes \d+ reject with tcp reset/ : new RegExp(`^\\[(\\d+):\\d+\\] -A HERMIT-(?:IN-)?${profile} .*--reject-with tcp-reset$`);
  return outs.flatMap((o) => o.stdout.split('\n')).reduce((n, l) => n + Number(line.exec(l)?.[1] ?? 0), 0);
}

/**
 * A TCP connect from inside, and how it ended: "reset by hermit" when it was refused and hermit's
 * reset rules of `profile` counted it (a refusal alone could be the host's closed port), else the
 * outcome (connected, refused, unreachable, timeout).
 */
export async function connectEnd(info: WorldInfo, pid: number, profile: string, host: string, port: number): Promise<string> {
  const before = await resetsCounted(info, profile);
  const r = await connectFrom(info, pid, host, port);
  return r.outcome === 'refused' && (await resetsCounted(info, profile)) > before ? 'reset by hermit' : r.outcome;
}

/** hermit as a long-running process on the world's host (hermit guard), its output in `log`;
 * stop() ends it (SIGTERM, then SIGKILL) and waits for it. */
export async function hermitDaemon(info: WorldInfo, args: string[], log: string): Promise<{ pid: number; stop: () => Promise<void> }> {
  const fd = openSync(log, 'a');
  const env = { ...process.env, DOCKER_HOST: info.dockerHost, HERMIT_RESOLV_CONF: info.resolvConf, HERMIT_STATE_DIR: p('state'), HERMIT_RUN_DIR: p('run-hermit') };
  // nsenter execs hermit (no --fork): the pid is hermit's own.
  const child = spawn('nsenter', [`--net=${info.netnsPath}`, `--mount=${info.mntnsPath}`, `--wd=${REPO}`, '--', process.execPath, join(REPO, 'bin', 'hermit'), ...args],
    { stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  child.unref();
  const pid = await new Promise<number>((res, rej) => { child.once('spawn', () => res(child.pid!)); child.once('error', rej); });
  return { pid, stop: () => stop([pid], 5000) };
}

/** Polls `check` until it returns a value (not undefined), or fails after `ms` saying what it waited for. */
export async function waitUntil<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}`);
    await sleep(100);
  }
}

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
let nobodyCopy: Promise<{ dir: string; node: string }> | undefined;

/**
 * A copy of the built hermit that an unprivileged user can read (bin, dist, package.json, schema,
 * profiles; and node, when that user cannot run the machine's): the checkout may sit under a 0700
 * directory (a home, a mktemp -d) where uid 65534 reads nothing. Made once per run.
 */
function readableHermit(): Promise<{ dir: string; node: string }> {
  nobodyCopy ??= (async () => {
    const dir = p('nobody');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const f of ['bin', 'dist', 'package.json', 'schema', 'profiles']) cpSync(join(REPO, f), join(dir, f), { recursive: true });
    let node = process.execPath;
    if ((await run('setpriv', [...NOBODY, node, '--version'])).exitCode !== 0) {
      node = join(dir, 'node');
      copyFileSync(process.execPath, node);
    }
    chmodSync(ROOT, 0o755);
    await must('chmod', ['-R', 'a+rX', dir]);
    return { dir, node };
  })();
  return nobodyCopy;
}

/** A file copied where hermitAsNobody's user can read it; returns the copy's path. */
export async function readableByNobody(file: string): Promise<string> {
  const { dir } = await readableHermit();
  const copy = join(dir, 'files', file.replace(/^\//, '').replaceAll('/', '_'));
  mkdirSync(dirname(copy), { recursive: true, mode: 0o755 });
  copyFileSync(file, copy);
  chmodSync(copy, 0o644);
  return copy;
}

/** hermit as uid/gid 65534 with no groups, from a copy that user can read, on the world's host. */
export async function hermitAsNobody(info: WorldInfo, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const { dir, node } = await readableHermit();
  return inHost(info, 'setpriv', [...NOBODY, node, join(dir, 'bin', 'hermit'), ...args], { cwd: dir, ...opts });
}

/** HTTP GET / with busybox nc from a namespace (busybox wget segfaults); the page body is in stdout. */
export function httpGet(ns: string, addr: string, port: number, waitSec = 3): Promise<RunResult> {
  return inNs(ns, BUSYBOX, ['nc', '-w', String(waitSec), addr, String(port)],
    { input: 'GET / HTTP/1.0\r\n\r\n', timeout: (waitSec + 5) * 1000 });
}

// ---- processes ----------------------------------------------------------------------------------

/** Running, not a zombie (this machine's pid 1 does not reap orphans). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch { return false; }
}

function cmdline(pid: number): string {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '); } catch { return ''; }
}

/** Starts a daemon with its output in a log file: a daemon holding the runner's stdout pipe hangs vitest/CI. */
async function daemon(name: string, argv: string[]): Promise<number> {
  const log = openSync(p('logs', `${name}.log`), 'a');
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref(); // the event loop must not wait for it; stopWorld kills it by pid
  const pid = await new Promise<number>((res, rej) => {
    child.once('spawn', () => res(child.pid!));
    child.once('error', rej);
  });
  // nsenter execs the daemon (no fork without --pid), so this is the daemon's own pid.
  writeFileSync(p('pids', `${name}.pid`), `${pid}\n`);
  return pid;
}

/** pid from a pid file, if that process is still ours (its command line names ROOT). */
function pidFile(name: string): number | undefined {
  try {
    const pid = Number(readFileSync(p('pids', `${name}.pid`), 'utf8'));
    return pid > 0 && alive(pid) && cmdline(pid).includes(`${ROOT}/`) ? pid : undefined;
  } catch { return undefined; }
}

async function waitFor(what: string, ms: number, ok: () => boolean | Promise<boolean>, pid?: number, log?: string) {
  const end = Date.now() + ms;
  for (;;) {
    if (await ok()) return;
    const dead = pid !== undefined && !alive(pid);
    if (dead || Date.now() > end) {
      throw new Error(`${what}: ${dead ? 'process exited' : `not ready after ${ms} ms`}${log ? `\n${tail(log)}` : ''}`);
    }
    await sleep(50);
  }
}

/** SIGTERM, then SIGKILL whatever is left after graceMs. */
async function stop(pids: number[], graceMs: number) {
  const kill = (sig: NodeJS.Signals) => pids.filter(alive).forEach((pid) => { try { process.kill(pid, sig); } catch { /* gone */ } });
  kill('SIGTERM');
  for (const [sig, ms] of [['SIGKILL', graceMs], [undefined, 3000]] as const) {
    const end = Date.now() + ms;
    while (pids.some(alive) && Date.now() < end) await sleep(50);
    if (sig) kill(sig);
  }
}

/** Is something listening in pid's network namespace? (no spawn needed: /proc/PID/net is per namespace) */
function listening(pid: number, proto: 'tcp' | 'udp', port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const state = proto === 'tcp' ? '0A' : '07'; // LISTEN / unconnected
  for (const f of [proto, `${proto}6`]) {
    let text = '';
    try { text = readFileSync(`/proc/${pid}/net/${f}`, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(hex) && cols[3] === state) return true;
    }
  }
  return false;
}

function dockerPing(): Promise<boolean> {
  return new Promise((res) => {
    const req = request({ socketPath: p('docker.sock'), path: '/_ping', timeout: 1000 }, (r) => { r.resume(); res(r.statusCode === 200); });
    req.on('error', () => res(false));
    req.on('timeout', () => { req.destroy(); res(false); });
    req.end();
  });
}

export function tail(file: string, lines = 25): string {
  try {
    return `--- ${file} (last ${lines} lines)\n${readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')}`;
  } catch { return `--- ${file}: missing`; }
}

// ---- mounts and cgroups -------------------------------------------------------------------------

function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean)
    .map((l) => l.split(' ')[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}
const isMountPoint = (path: string) => mountPoints().includes(path);

function cgroupDirs(): string[] {
  const base = '/sys/fs/cgroup';
  const roots = [base, ...readdirSync(base).map((d) => join(base, d))];
  const out: string[] = [];
  const walk = (d: string) => {
    out.push(d);
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
  };
  for (const r of roots) { try { if (statSync(join(r, CGROUP)).isDirectory()) walk(join(r, CGROUP)); } catch { /* none */ } }
  return out;
}

// ---- building the world -------------------------------------------------------------------------

/** One world per world id (fixed names and addresses): wait for another live run to finish. Also a
 * lock for what worlds share (`file`: the Squid root filesystem while it is made). */
async function claim(file = p('owner'), waitMs = 15 * 60_000) {
  const me = `${process.pid} ${startTime(process.pid)}`; // start time: a reused pid is not the owner
  const end = Date.now() + waitMs;
  for (let warned = false; ; await sleep(1000)) {
    mkdirSync(dirname(file), { recursive: true });
    try { writeFileSync(file, me, { flag: 'wx' }); return; } catch { /* exists */ }
    let owner = '';
    try { owner = readFileSync(file, 'utf8'); } catch { continue; } // just released
    const [pid] = owner.split(' ').map(Number);
    if (owner === me) return;
    if (!heldBy(owner)) { rmSync(file, { force: true }); continue; } // crashed run
    if (Date.now() > end) throw new Error(`another e2e run (pid ${pid}) still holds ${file}`);
    if (!warned) console.warn(`[e2e] another e2e run (pid ${pid}) holds ${file}; waiting for it to finish`);
    warned = true;
  }
}

/** Is the process that wrote this owner text ("pid start-time") still running? */
function heldBy(owner: string): boolean {
  const [pid, start] = owner.split(' ').map(Number);
  return !!pid && alive(pid) && startTime(pid) === start;
}

/** Another world of this machine is up (any world id, e.g. CI's parallel lanes). */
function otherWorldLive(): boolean {
  return readdirSync('/tmp').filter((e) => /^hermit-e2e(-[a-z0-9]{1,4})?$/.test(e) && join('/tmp', e) !== ROOT).some((e) => {
    try { return heldBy(readFileSync(join('/tmp', e, 'owner'), 'utf8')); } catch { return false; }
  });
}

function startTime(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch { return -1; }
}

export async function startWorld(): Promise<WorldInfo> {
  const info = worldInfo();
  await claim();
  await cleanup(['owner']); // a crashed earlier run may have left daemons, namespaces and mounts
  for (const d of ['logs', 'pids', 'run', 'ns', 'build', 'etc-docker', 'run-containerd', 'run-docker']) mkdirSync(p(d), { recursive: true });
  writeFileSync(info.resolvConf, `nameserver ${ADDR.router}\n`);
  for (const name of Object.keys(HTTPD)) {
    mkdirSync(p('www', name), { recursive: true });
    writeFileSync(p('www', name, 'index.html'), `${name}\n`);
  }
  await buildNetwork();
  await Promise.all([startDocker(info), startServices()]);
  await buildImage(info);
  return info;
}

async function buildNetwork() {
  const all = Object.values(NS);
  await must('ip', ['-batch', '-'], { input: all.map((n) => `netns add ${n}\n`).join('') });
  // No IPv6 DAD (addresses usable at once); only the router forwards.
  await Promise.all(all.map((n) => must('nsenter', [`--net=${nsPath(n)}`, '--', BUSYBOX, 'sysctl', '-q', '-w',
    'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0', `net.ipv4.ip_forward=${n === NS.router ? 1 : 0}`])));
  // veth pairs created straight into their namespaces: nothing ever touches the root namespace.
  await must('ip', ['-batch', '-'], { input: [
    `link add uplink netns ${NS.host} type veth peer name lan-host netns ${NS.router}`,
    `link add eth0 netns ${NS.nas} type veth peer name lan-nas netns ${NS.router}`,
    `link add eth0 netns ${NS.inet} type veth peer name wan0 netns ${NS.router}`, ''].join('\n') });
  const nic = (dev: string, cidr: string, gw: string) => [`addr add ${cidr} dev ${dev}`, `link set ${dev} up`, `route add default via ${gw}`];
  const batches: Record<string, string[]> = {
    // The LAN is a bridge inside the router; 192.168.50.1 sits on the bridge itself.
    [NS.router]: ['link add lan0 type bridge forward_delay 0', 'link set lan-host master lan0', 'link set lan-nas master lan0',
      'addr add 192.168.50.1/24 dev lan0', 'addr add 203.0.113.1/24 dev wan0',
      ...['lan0', 'lan-host', 'lan-nas', 'wan0'].map((d) => `link set ${d} up`)],
    [NS.host]: nic('uplink', `${ADDR.hostLan}/24`, ADDR.router),
    [NS.nas]: nic('eth0', `${ADDR.nas}/24`, ADDR.router),
    [NS.inet]: nic('eth0', `${ADDR.internet}/24`, '203.0.113.1'),
  };
  await Promise.all(Object.entries(batches).map(([ns, lines]) =>
    must('ip', ['-n', ns, '-batch', '-'], { input: ['link set lo up', ...lines, ''].join('\n') })));
}

async function startServices() {
  const waits: Promise<void>[] = [];
  for (const [name, [ns, bind]] of Object.entries(HTTPD)) {
    const pid = await daemon(name, ['nsenter', `--net=${nsPath(ns)}`, '--', BUSYBOX, 'httpd', '-f', '-v', '-p', bind, '-h', p('www', name)]);
    const port = Number(bind.split(':').pop());
    waits.push(waitFor(name, 5000, () => listening(pid, 'tcp', port), pid, p('logs', `${name}.log`)));
  }
  for (const [name, [ns, addr]] of Object.entries(DNS)) {
    const log = p('logs', `${name}.log`);
    const pid = await daemon(name, ['nsenter', `--net=${nsPath(ns)}`, '--', 'dnsmasq', '--keep-in-foreground',
      '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--local=/#/', // no upstream; unknown names get NXDOMAIN
      '--bind-interfaces', `--listen-address=${addr}`, '--user=root', '--group=root',
      `--pid-file=${p('run', `${name}.pid`)}`, `--log-facility=${log}`, '--log-queries',
      `--host-record=internet.test,${ADDR.internet}`, `--host-record=www.internet.test,${ADDR.internet}`,
      // A name on the "internet" that resolves to a LAN address: DNS rebinding, for allowlist mode.
      `--host-record=rebind.internet.test,${ADDR.nas}`,
      `--host-record=nas.lan,${ADDR.nas}`, `--host-record=router.lan,${ADDR.router}`]);
    waits.push(waitFor(name, 5000, () => listening(pid, 'udp', 53) && listening(pid, 'tcp', 53), pid, log));
  }
  await Promise.all(waits);
}

// Paths dockerd must not share with the machine, replaced inside its own mount namespace:
// resolv.conf (the world's), /etc/docker (20.10 writes key.json there), /run/containerd (20.10 uses a
// system containerd if its socket is there, and shims put sockets there), /run/docker (plugins dir).
const BINDS: [string, string][] = [['resolv.conf', '/etc/resolv.conf'], ['etc-docker', '/etc/docker'],
  ['run-containerd', '/run/containerd'], ['run-docker', '/run/docker']];
/** The mount points a world had to create on the machine, for every world (they share them). */
const MADE_DIRS = '/tmp/hermit-e2e.made-dirs';

async function startDocker(info: WorldInfo) {
  if (ENGINE !== 20) await must(join(REPO, '.ci', 'fetch-engine'), [String(ENGINE)], { timeout: 300_000 }); // a no-op once cached
  // cgroupfs whatever the machine's default, so that every container lands under /hermit-e2e.
  writeFileSync(p('daemon.json'), JSON.stringify({ 'exec-opts': ['native.cgroupdriver=cgroupfs'], 'cgroup-parent': `/${CGROUP}` }));
  // A persistent mount namespace (a bind-mounted nsfs file needs a private parent mount), a slave of
  // the root one so nothing mounted inside leaks out.
  await must('mount', ['--bind', p('ns'), p('ns')]);
  await must('mount', ['--make-private', p('ns')]);
  writeFileSync(info.mntnsPath, '');
  await must('unshare', [`--mount=${info.mntnsPath}`, '--propagation', 'slave', 'true']);
  for (const [src, target] of BINDS) {
    // A missing mount point is created (and noted, for cleanup to remove) on the machine itself.
    if (!existsSync(target)) { mkdirSync(target); writeFileSync(MADE_DIRS, `${target}\n`, { flag: 'a' }); }
    await must('nsenter', [`--mount=${info.mntnsPath}`, '--', 'mount', '--bind', p(src), target]);
  }
  await spawnDockerd(info);
}

async function spawnDockerd(info: WorldInfo) {
  const pid = await daemon('dockerd', ['nsenter', `--net=${info.netnsPath}`, `--mount=${info.mntnsPath}`, '--wd=/', '--',
    'dockerd', '--config-file', p('daemon.json'), '--data-root', p('docker', 'data'), '--exec-root', p('docker', 'exec'),
    '--pidfile', p('run', 'dockerd.pid'), '-H', info.dockerHost]);
  await waitFor('dockerd', 60_000, dockerPing, pid, info.logs.dockerd!);
}

/** Restarts dockerd (same data): a restart re-inserts its FORWARD jumps, which hermit must survive. */
export async function restartDockerd(info: WorldInfo): Promise<void> {
  const pid = pidFile('dockerd');
  if (pid) await stop([pid], 20_000);
  await spawnDockerd(info);
}

async function buildImage(info: WorldInfo) {
  copyFileSync(BUSYBOX, p('build', 'busybox'));
  copyFileSync(join(REPO, 'test/e2e/fixtures/busybox.Dockerfile'), p('build', 'Dockerfile'));
  const r = await docker(info, ['build', '-q', '-t', IMAGE, p('build')], { env: { DOCKER_BUILDKIT: '0' }, timeout: 120_000 });
  if (r.exitCode !== 0) throw new Error(`docker build of ${IMAGE} failed: ${r.stderr.trim()}`);
}

// ---- the proxy image of allowlist mode --------------------------------------------------------

export const SQUID_IMAGE = 'hermit-e2e/squid:latest';
/** Debian's squid as a root filesystem, kept between runs (debootstrap takes ~40 s and the mirror). */
const SQUID_ROOTFS = process.env.HERMIT_E2E_SQUID_ROOTFS ?? '/var/cache/hermit-e2e/squid-bookworm-rootfs.tar';

/**
 * Puts Debian's squid into the world's dockerd as SQUID_IMAGE: no registry can be reached, so the
 * image is made offline with debootstrap (once, then cached) and docker import.
 */
export function squidImage(info: WorldInfo): Promise<string> {
  return debootstrapImage(info, { image: SQUID_IMAGE, rootfs: SQUID_ROOTFS, include: ['squid-openssl'] });
}

export const ENGINE_IMAGE = 'hermit-e2e/engine:latest';
const ENGINE_ROOTFS = process.env.HERMIT_E2E_ENGINE_ROOTFS ?? '/var/cache/hermit-e2e/engine-bookworm-rootfs.tar';

/**
 * The agent's rootless engine (profiles/engine) as ENGINE_IMAGE: the Dockerfile's packages by
 * debootstrap, then the Dockerfile's own prepare.sh run in the tree, and its USER and ENV.
 */
export function engineImage(info: WorldInfo): Promise<string> {
  return debootstrapImage(info, {
    image: ENGINE_IMAGE, rootfs: ENGINE_ROOTFS,
    include: ['docker.io', 'rootlesskit', 'slirp4netns', 'uidmap', 'iptables', 'iproute2', 'procps'],
    prepare: join(REPO, 'profiles', 'engine', 'prepare.sh'),
    changes: ['USER 1000:1000', 'ENV HOME=/home/rootless XDG_RUNTIME_DIR=/run/user/1000', 'ENTRYPOINT ["/usr/local/bin/dockerd-rootless.sh"]'],
  });
}

interface DebootstrapImage {
  image: string;
  /** Where the tree is kept as a tar between runs. */
  rootfs: string;
  /** Debian packages beyond minbase. */
  include: string[];
  /** A script run as root inside the tree (chroot) before it is kept. */
  prepare?: string;
  /** docker import --change lines. */
  changes?: string[];
}

async function debootstrapImage(info: WorldInfo, spec: DebootstrapImage): Promise<string> {
  if ((await docker(info, ['image', 'inspect', spec.image])).exitCode === 0) return spec.image;
  if (!existsSync(spec.rootfs)) {
    const lock = `${spec.rootfs}.lock`;
    await claim(lock); // worlds side by side (CI's lanes): one debootstrap, the others wait for it
    try {
      if (!existsSync(spec.rootfs)) await makeRootfs(spec);
    } finally { rmSync(lock, { force: true }); }
  }
  const changes = (spec.changes ?? []).flatMap((c) => ['--change', c]);
  const r = await docker(info, ['import', ...changes, spec.rootfs, spec.image], { timeout: 300_000 });
  if (r.exitCode !== 0) throw new Error(`docker import of ${spec.rootfs} failed: ${r.stderr.trim()}`);
  return spec.image;
}

/** The tree made once (debootstrap, prepare.sh), kept as a tar for every later world. */
async function makeRootfs(spec: DebootstrapImage): Promise<void> {
  const root = p(`${spec.image.replace(/\W+/g, '-')}-root`);
  rmSync(root, { recursive: true, force: true });
  const r = await run('debootstrap', ['--variant=minbase', `--include=${spec.include.join(',')}`, 'bookworm', root], { timeout: 600_000 });
  if (r.exitCode !== 0) throw new Error(`debootstrap of ${spec.image} failed (it needs a Debian mirror): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n')}`);
  if (spec.prepare) {
    copyFileSync(spec.prepare, join(root, 'tmp', 'prepare.sh'));
    await must('chroot', [root, 'sh', '/tmp/prepare.sh']);
    rmSync(join(root, 'tmp', 'prepare.sh'));
  }
  // Documentation and the package cache are not needed to run it: a smaller import.
  for (const d of ['usr/share/doc', 'usr/share/man', 'usr/share/locale', 'var/cache/apt', 'var/lib/apt/lists']) rmSync(join(root, d), { recursive: true, force: true });
  mkdirSync(dirname(spec.rootfs), { recursive: true });
  await must('tar', ['-C', root, '-cf', `${spec.rootfs}.tmp`, '.']);
  await must('mv', [`${spec.rootfs}.tmp`, spec.rootfs]);
  rmSync(root, { recursive: true, force: true });
}

// ---- tearing down -------------------------------------------------------------------------------

export async function stopWorld(_info?: WorldInfo): Promise<void> {
  await cleanup(['logs']); // logs stay for a post-mortem; the next run removes them
}

async function worldNamespaces(): Promise<string[]> {
  const r = await run('ip', ['netns', 'list']);
  return r.stdout.split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(PREFIX));
}

/** Every process of ours: daemons, anything inside our namespaces, containers, dockerd's helpers. */
async function leftovers(): Promise<number[]> {
  const pids = new Set<number>();
  try { for (const f of readdirSync(p('pids'))) { const pid = pidFile(f.replace(/\.pid$/, '')); if (pid) pids.add(pid); } } catch { /* none */ }
  for (const ns of await worldNamespaces()) {
    for (const s of (await run('ip', ['netns', 'pids', ns])).stdout.split(/\s+/)) if (s) pids.add(Number(s));
  }
  for (const d of cgroupDirs()) {
    try { for (const s of readFileSync(join(d, 'cgroup.procs'), 'utf8').split(/\s+/)) if (s) pids.add(Number(s)); } catch { /* gone */ }
  }
  const ours = /^(dockerd|containerd|containerd-shim.*|docker-proxy|busybox|dnsmasq)$/; // comm; plus ROOT in cmdline
  for (const e of readdirSync('/proc')) {
    const pid = Number(e);
    if (!pid) continue;
    let comm = '';
    try { comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim(); } catch { continue; }
    if (ours.test(comm) && cmdline(pid).includes(`${ROOT}/`)) pids.add(pid);
  }
  pids.delete(process.pid);
  return [...pids].filter(alive);
}

async function cleanup(keep: string[]) {
  const dockerd = pidFile('dockerd');
  if (dockerd && await dockerPing()) {
    // Remove containers first: faster than dockerd's stop timeout, and none come back on the next start.
    const info = worldInfo();
    const ids = (await docker(info, ['ps', '-aq'], { timeout: 10_000 })).stdout.split(/\s+/).filter(Boolean);
    if (ids.length) await docker(info, ['rm', '-f', ...ids], { timeout: 30_000 });
  }
  if (dockerd) await stop([dockerd], 15_000);
  await stop(await leftovers(), 3000);
  for (const ns of await worldNamespaces()) await run('ip', ['netns', 'del', ns]);
  // Deepest first; lazily, so a busy one cannot block the rest.
  const mounts = mountPoints().filter((m) => m === ROOT || m.startsWith(`${ROOT}/`)).sort((a, b) => b.length - a.length);
  for (const m of mounts) await run('umount', ['-l', m]);
  for (const d of cgroupDirs().reverse()) { try { rmdirSync(d); } catch { /* busy or gone */ } }
  // Not while another world is up: removing a folder also detaches the binds on it in that world's
  // mount namespace (its dockerd would lose /run/containerd).
  if (!otherWorldLive()) {
    try { for (const d of readFileSync(MADE_DIRS, 'utf8').split('\n')) if (d) rmdirSync(d); } catch { /* none, or in use */ }
    rmSync(MADE_DIRS, { force: true });
  }
  if (!existsSync(ROOT)) return;
  for (const e of readdirSync(ROOT)) if (!keep.includes(e)) rmSync(p(e), { recursive: true, force: true });
}
