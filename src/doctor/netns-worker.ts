// Doctor's worker for what the probe worker does not do: AAAA lookups and a path-MTU probe.
// Started like the probe worker (`nsenter --net=/proc/<pid>/ns/net -- node netns-worker.js`), or
// directly for the host's own namespace. Node built-ins only; the `ip` and `ping` it runs are the
// host's binaries, working in whatever network namespace this process is in.
//
// Path MTU: Node has no raw sockets, so the probe sends UDP datagrams as large as the interface MTU
// allows. Linux sends UDP with DF set by default (IP_PMTUDISC_WANT), so a router on the way with a
// smaller MTU answers "fragmentation needed" and the kernel caches the path MTU for that
// destination; `ip -j route get` reads it back. That finds every bottleneck that reports itself
// (the host's own uplink included). A bottleneck that drops those ICMP errors (a black hole) leaves
// no trace in the cache: when the host has a ping binary, a full-size echo with DF that gets no
// answer while a small one does is the sign of it.
// stdin: one JSON NetnsRequest. stdout: one JSON NetnsResponse. Exit 0; 2 for malformed input.
import dgram from 'node:dgram';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { realpathSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { DnsOutcome, TcpOutcome } from '../probe/types.js';
import { tcpErrorOutcome } from '../probe/outcome.js';

/** With a port, the first AAAA address is also connected to: a fast failure means IPv6 is off,
 * a timeout is the hang clients see when IPv6 looks usable but is not. */
export interface AaaaProbe { id: string; server: string; name: string; port?: number }
export interface MtuProbe { id: string; host: string; resolver?: string }

export interface NetnsRequest {
  timeoutMs: number;
  aaaa: AaaaProbe[];
  mtu: MtuProbe[];
  /** A ping binary to try full-size echoes with; absent when the host has none. */
  ping?: { file: string; args: string[]; style: 'iputils' | 'busybox' };
}

export interface AaaaResult {
  id: string; outcome: DnsOutcome; addresses: string[]; code?: string; ms: number;
  connect?: { address: string; outcome: TcpOutcome; code?: string; ms: number };
}

export interface CmdOutput { exitCode: number; stdout: string; stderr: string }

export interface MtuResult {
  id: string;
  address?: string;
  /** Why nothing was sent (name did not resolve, no route). */
  code?: string;
  /** `ip -j route get` before and after the datagrams, verbatim. */
  routeBefore?: string;
  routeAfter?: string;
  /** Payload bytes sent per datagram (interface MTU − 28). */
  size?: number;
  /** Errors the UDP socket saw: EMSGSIZE means a smaller path MTU was reported. */
  udpErrors: string[];
  pingSmall?: CmdOutput;
  pingLarge?: CmdOutput;
}

export interface NetnsResponse {
  /** `ip -j link show` and `ip -j -6 route show` in this namespace, verbatim. */
  links: string;
  routes6: string;
  aaaa: AaaaResult[];
  mtu: MtuResult[];
}

const MAX_TIMEOUT_MS = 60_000;
const UDP_PORT = 33434; // traceroute's: nothing listens, the answer (if any) is port-unreachable

export async function runNetns(request: NetnsRequest): Promise<NetnsResponse> {
  const deadline = performance.now() + request.timeoutMs;
  const [links, routes6, aaaa, mtu] = await Promise.all([
    run('ip', ['-json', 'link', 'show'], deadline),
    run('ip', ['-json', '-6', 'route', 'show'], deadline),
    Promise.all(request.aaaa.map((p) => probeAaaa(p, deadline))),
    Promise.all(request.mtu.map((p) => probeMtu(p, request.ping, deadline))),
  ]);
  return { links: links.stdout, routes6: routes6.stdout, aaaa, mtu };
}

async function probeAaaa(p: AaaaProbe, deadline: number): Promise<AaaaResult> {
  const t0 = performance.now();
  const r = await query(p.server, p.name, 'AAAA', deadline);
  const ms = Math.round(performance.now() - t0);
  if (!('addresses' in r)) return { id: p.id, outcome: dnsOutcome(r.code), addresses: [], code: r.code, ms };
  const result: AaaaResult = { id: p.id, outcome: 'answered', addresses: r.addresses, ms };
  const address = r.addresses[0];
  if (p.port !== undefined && address !== undefined) {
    const t1 = performance.now();
    const c = await connect(address, p.port, deadline - t1);
    result.connect = { address, ...c, ms: Math.round(performance.now() - t1) };
  }
  return result;
}

function connect(host: string, port: number, timeoutMs: number): Promise<{ outcome: TcpOutcome; code?: string }> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (r: { outcome: TcpOutcome; code?: string }) => { clearTimeout(timer); sock.destroy(); resolve(r); };
    const timer = setTimeout(() => done({ outcome: 'timeout' }), Math.max(0, timeoutMs));
    sock.once('connect', () => done({ outcome: 'connected' }));
    sock.once('error', (err: NodeJS.ErrnoException) => done(tcpErrorOutcome(err.code)));
  });
}

function dnsOutcome(code: string): DnsOutcome {
  const map: Record<string, DnsOutcome> = { ENOTFOUND: 'nxdomain', ENODATA: 'nodata', ECONNREFUSED: 'refused', EREFUSED: 'refused', ETIMEOUT: 'timeout' };
  return map[code] ?? 'error';
}

async function query(server: string, name: string, type: 'A' | 'AAAA', deadline: number): Promise<{ addresses: string[] } | { code: string }> {
  const remaining = Math.max(1, Math.round(deadline - performance.now()));
  const resolver = new Resolver({ timeout: remaining, tries: 1 });
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<{ code: string }>((resolve) => {
    timer = setTimeout(() => { resolver.cancel(); resolve({ code: 'ETIMEOUT' }); }, remaining);
  });
  try {
    resolver.setServers([server]);
    const lookup = type === 'A' ? resolver.resolve4(name) : resolver.resolve6(name);
    return await Promise.race([lookup.then((addresses) => ({ addresses })), guard]);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { code: code === 'ECANCELLED' ? 'ETIMEOUT' : (code ?? 'EUNKNOWN') };
  } finally {
    clearTimeout(timer);
  }
}

async function probeMtu(p: MtuProbe, ping: NetnsRequest['ping'], deadline: number): Promise<MtuResult> {
  let address = p.host;
  if (net.isIP(p.host) !== 4) {
    if (!p.resolver) return { id: p.id, code: 'ENORESOLVER', udpErrors: [] };
    const r = await query(p.resolver, p.host, 'A', deadline);
    const first = 'addresses' in r ? r.addresses[0] : undefined;
    if (first === undefined) return { id: p.id, code: 'code' in r ? r.code : 'ENODATA', udpErrors: [] };
    address = first;
  }
  const before = await run('ip', ['-json', 'route', 'get', address], deadline);
  const route = (JSON.parse(before.stdout || '[]') as { dev?: string }[])[0];
  if (before.exitCode !== 0 || !route?.dev) return { id: p.id, address, code: 'ENOROUTE', routeBefore: before.stdout || before.stderr, udpErrors: [] };
  const link = (JSON.parse((await run('ip', ['-json', 'link', 'show', 'dev', route.dev], deadline)).stdout || '[]') as { mtu?: number }[])[0];
  // IPv4 (20) + UDP or ICMP header (8); loopback's 64 KiB MTU is beyond a UDP datagram's limit.
  const size = Math.min((link?.mtu ?? 1500) - 28, 65_507);
  const udpErrors = await sendUdp(address, size, deadline);
  const after = await run('ip', ['-json', 'route', 'get', address], deadline);
  const result: MtuResult = { id: p.id, address, size, routeBefore: before.stdout, routeAfter: after.stdout, udpErrors };
  if (ping) {
    // One at a time: the large echo's "fragmentation needed" must not race the small one.
    result.pingSmall = await pingOnce(ping, address, 56, deadline);
    result.pingLarge = await pingOnce(ping, address, size, deadline);
  }
  return result;
}

/** Two full-size datagrams, then a moment for "fragmentation needed" to come back. */
function sendUdp(address: string, size: number, deadline: number): Promise<string[]> {
  const errors: string[] = [];
  const wait = Math.max(0, Math.min(400, deadline - performance.now()));
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const note = (e: NodeJS.ErrnoException | null | undefined) => { if (e?.code && !errors.includes(e.code)) errors.push(e.code); };
    sock.on('error', note);
    const finish = () => { try { sock.close(); } catch { /* closed */ } resolve(errors); };
    sock.connect(UDP_PORT, address, (err?: Error) => {
      if (err) { note(err as NodeJS.ErrnoException); finish(); return; }
      const payload = Buffer.alloc(size);
      sock.send(payload, note);
      setTimeout(() => sock.send(payload, note), Math.min(100, wait / 2));
      setTimeout(finish, wait);
    });
  });
}

function pingOnce(ping: NonNullable<NetnsRequest['ping']>, address: string, size: number, deadline: number): Promise<CmdOutput> {
  const waitSec = String(Math.max(1, Math.min(2, Math.floor((deadline - performance.now()) / 1000))));
  // iputils needs -M do for DF; busybox leaves it to the kernel default, which sets DF (PMTUDISC_WANT).
  const df = ping.style === 'iputils' ? ['-M', 'do'] : [];
  return run(ping.file, [...ping.args, '-c', '1', '-W', waitSec, ...df, '-s', String(size), address], deadline);
}

function run(file: string, args: string[], deadline: number): Promise<CmdOutput> {
  const timeout = Math.max(500, Math.round(deadline - performance.now()));
  return new Promise((resolve) => {
    execFile(file, args, { timeout, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : err.code === 'ENOENT' ? 127 : 1) : 0;
      resolve({ exitCode: code, stdout: stdout.trim(), stderr: (stderr || (err && !stdout ? err.message : '')).trim() });
    });
  });
}

/** Validates untrusted input; throws an Error saying what is wrong. */
export function parseNetnsRequest(value: unknown): NetnsRequest {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const str = (v: unknown, where: string): string => {
    if (typeof v !== 'string' || v === '') throw new Error(`${where}: expected a non-empty string`);
    return v;
  };
  if (!isObj(value)) throw new Error('request: expected an object');
  const { timeoutMs, aaaa, mtu, ping } = value;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || timeoutMs > MAX_TIMEOUT_MS) throw new Error(`timeoutMs: expected a number in (0, ${MAX_TIMEOUT_MS}]`);
  if (!Array.isArray(aaaa) || !Array.isArray(mtu)) throw new Error('expected aaaa and mtu arrays');
  const req: NetnsRequest = {
    timeoutMs,
    aaaa: aaaa.map((p: unknown, i) => {
      if (!isObj(p)) throw new Error(`aaaa[${i}]: expected an object`);
      const port = p.port;
      if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)) throw new Error(`aaaa[${i}].port: expected 1-65535`);
      return { id: str(p.id, `aaaa[${i}].id`), server: str(p.server, `aaaa[${i}].server`), name: str(p.name, `aaaa[${i}].name`), ...(port !== undefined ? { port } : {}) };
    }),
    mtu: mtu.map((p: unknown, i) => {
      if (!isObj(p)) throw new Error(`mtu[${i}]: expected an object`);
      return { id: str(p.id, `mtu[${i}].id`), host: str(p.host, `mtu[${i}].host`), ...(p.resolver !== undefined ? { resolver: str(p.resolver, `mtu[${i}].resolver`) } : {}) };
    }),
  };
  if (ping !== undefined) {
    if (!isObj(ping) || !Array.isArray(ping.args) || (ping.style !== 'iputils' && ping.style !== 'busybox')) throw new Error('ping: expected {file, args, style}');
    req.ping = { file: str(ping.file, 'ping.file'), args: ping.args.map((a, i) => str(a, `ping.args[${i}]`)), style: ping.style };
  }
  return req;
}

async function main(): Promise<void> {
  let request: NetnsRequest;
  try {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    request = parseNetnsRequest(JSON.parse(Buffer.concat(chunks).toString('utf8')));
  } catch (err) {
    process.stderr.write(`netns worker: bad request: ${(err as Error).message}\n`);
    process.exit(2);
  }
  setTimeout(() => { process.stderr.write('netns worker: did not finish in time\n'); process.exit(3); }, request.timeoutMs + 5000).unref();
  const response = await runNetns(request);
  process.stdout.write(`${JSON.stringify(response)}\n`, () => process.exit(0));
}

function isMain(): boolean {
  try {
    return !!process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) void main();
