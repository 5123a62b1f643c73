// The probe worker. Runs inside the container's network namespace, started from the host with
// `nsenter --net=/proc/<pid>/ns/net -- node dist/probe/worker.js`: only the network namespace is
// the container's, the filesystem is the host's. Hence Node built-ins only (fast start, nothing
// needed from the image) and no use of /etc/resolv.conf (it would be the host's): every name is
// resolved through an explicitly given server.
// stdin: one JSON ProbeRequest. stdout: one JSON ProbeResponse. Exit 0; 2 for malformed input.
import net from 'node:net';
import os from 'node:os';
import { Resolver } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
// Type-only: erased at compile time, so the worker still loads no project module.
import { tcpErrorOutcome } from './outcome.js';
import type {
  DnsOutcome,
  DnsProbe,
  DnsResult,
  Ipv6State,
  ProbeRequest,
  ProbeResponse,
  TcpOutcome,
  TcpProbe,
  TcpResult,
} from './types.js';

const MAX_TIMEOUT_MS = 120_000;

/** Runs every probe in parallel; resolves no later than ~request.timeoutMs after the call. */
export async function runProbe(request: ProbeRequest): Promise<ProbeResponse> {
  // One deadline for everything: name resolution and connect share it, so a slow resolver
  // cannot stretch a probe to twice the timeout.
  const deadline = performance.now() + request.timeoutMs;
  const [tcp, dns, ipv6] = await Promise.all([
    Promise.all(request.tcp.map((p) => probeTcp(p, deadline))),
    Promise.all(request.dns.map((p) => probeDns(p, deadline))),
    ipv6State(),
  ]);
  return { tcp, dns, ipv6 };
}

async function probeTcp(p: TcpProbe, deadline: number): Promise<TcpResult> {
  const t0 = performance.now();
  if (p.proxy) return { id: p.id, ...(await viaProxy(p, deadline)), ms: since(t0) };
  let address = p.host;
  if (net.isIP(p.host) === 0) {
    // No fallback to the system resolver: in this mount namespace it is the host's.
    if (!p.resolver) return { id: p.id, outcome: 'error', code: 'ENORESOLVER', ms: since(t0) };
    const r = await queryA(p.resolver, p.host, deadline);
    const first = 'addresses' in r ? r.addresses[0] : undefined;
    if (first === undefined) {
      const code = 'code' in r ? r.code : 'ENODATA';
      return { id: p.id, outcome: 'error', code, ms: since(t0) };
    }
    address = first;
  }
  const { outcome, code } = await connect(address, p.port, deadline - performance.now());
  return { id: p.id, outcome, ...(code ? { code } : {}), address, ms: since(t0) };
}

function connect(host: string, port: number, timeoutMs: number): Promise<{ outcome: TcpOutcome; code?: string }> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (r: { outcome: TcpOutcome; code?: string }): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ outcome: 'timeout' }), Math.max(0, timeoutMs));
    sock.once('connect', () => done({ outcome: 'connected' }));
    sock.once('error', (err: NodeJS.ErrnoException) => done(tcpErrorOutcome(err.code)));
  });
}

/** The most a proxy's answer head may be; anything longer is not a proxy hermit runs. */
const MAX_HEAD = 16 * 1024;

/**
 * CONNECT host:port (or GET http://host:port/) through the proxy, and read only the answer's head:
 * 200 to CONNECT, or any answer to GET without Squid's X-Squid-Error, is 'connected'; Squid's
 * ERR_ACCESS_DENIED is 'denied'; any other Squid error (no DNS, upstream refused) is an 'error'
 * with Squid's code.
 */
function viaProxy(p: TcpProbe, deadline: number): Promise<{ outcome: TcpOutcome; code?: string }> {
  const [proxyHost = '', proxyPort = ''] = splitHostPort(p.proxy!);
  const target = `${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`;
  const request = p.method === 'http'
    ? `GET http://${target}/ HTTP/1.1\r\nHost: ${target}\r\nConnection: close\r\n\r\n`
    : `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`;
  return new Promise((resolve) => {
    const sock = net.connect({ host: proxyHost, port: Number(proxyPort) });
    let head = '';
    const done = (r: { outcome: TcpOutcome; code?: string }): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ outcome: 'timeout' }), Math.max(0, deadline - performance.now()));
    sock.once('connect', () => sock.write(request));
    sock.once('error', (err: NodeJS.ErrnoException) => done(tcpErrorOutcome(err.code)));
    sock.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0 && head.length < MAX_HEAD) return;
      done(proxyAnswer(head.slice(0, end < 0 ? MAX_HEAD : end), p.method === 'http'));
    });
    sock.once('end', () => done(head === '' ? { outcome: 'error', code: 'EPROXYCLOSED' } : proxyAnswer(head, p.method === 'http')));
  });
}

/** Reads a proxy's answer head. Exported for unit tests. */
export function proxyAnswer(head: string, plainHttp: boolean): { outcome: TcpOutcome; code?: string } {
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
  if (!status) return { outcome: 'error', code: 'EPROXYANSWER' };
  const squid = /^X-Squid-Error: *(\S+)/im.exec(head)?.[1];
  if (squid === 'ERR_ACCESS_DENIED') return { outcome: 'denied', code: `HTTP ${status} ${squid}` };
  if (squid) return { outcome: 'error', code: `HTTP ${status} ${squid}` };
  if (plainHttp || status === '200') return { outcome: 'connected' };
  return { outcome: 'error', code: `HTTP ${status}` };
}

function splitHostPort(text: string): [string, string] {
  const i = text.lastIndexOf(':');
  return [text.slice(0, i).replace(/^\[|\]$/g, ''), text.slice(i + 1)];
}

export { tcpErrorOutcome };

async function probeDns(p: DnsProbe, deadline: number): Promise<DnsResult> {
  const t0 = performance.now();
  const r = await queryA(p.server, p.name, deadline);
  const ms = since(t0);
  if ('addresses' in r) return { id: p.id, outcome: 'answered', addresses: r.addresses, ms };
  return { id: p.id, outcome: dnsErrorOutcome(r.code), addresses: [], code: r.code, ms };
}

export function dnsErrorOutcome(code: string): DnsOutcome {
  switch (code) {
    case 'ENOTFOUND':
      return 'nxdomain';
    case 'ENODATA':
      return 'nodata';
    case 'ECONNREFUSED':
    case 'EREFUSED':
      return 'refused';
    case 'ETIMEOUT':
      return 'timeout';
    default:
      return 'error';
  }
}

/** An A query to exactly one server, bounded by the deadline whatever c-ares does. */
async function queryA(server: string, name: string, deadline: number): Promise<{ addresses: string[] } | { code: string }> {
  const remaining = Math.max(1, Math.round(deadline - performance.now()));
  const resolver = new Resolver({ timeout: remaining, tries: 1 });
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<{ code: string }>((resolve) => {
    timer = setTimeout(() => {
      resolver.cancel();
      resolve({ code: 'ETIMEOUT' });
    }, remaining);
  });
  try {
    resolver.setServers([server]); // accepts "ip" and "ip:port"
    return await Promise.race([resolver.resolve4(name).then((addresses) => ({ addresses })), guard]);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { code: code === 'ECANCELLED' ? 'ETIMEOUT' : (code ?? 'EUNKNOWN') };
  } finally {
    clearTimeout(timer);
  }
}

async function ipv6State(): Promise<Ipv6State> {
  // /proc/sys/net is per network namespace: this reads the container's value.
  let disabled: boolean;
  try {
    disabled = (await readFile('/proc/sys/net/ipv6/conf/all/disable_ipv6', 'utf8')).trim() === '1';
  } catch {
    disabled = true; // no such file: the kernel has no IPv6
  }
  const addresses: string[] = [];
  for (const [ifname, addrs] of Object.entries(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      // Link-local fe80:: counts: it means IPv6 is up on that interface (zone added, as it is
      // meaningless without one).
      if (a.family !== 'IPv6' || a.internal) continue;
      addresses.push(a.address.startsWith('fe80:') ? `${a.address}%${ifname}` : a.address);
    }
  }
  return { disabled, addresses };
}

function since(t0: number): number {
  return Math.round((performance.now() - t0) * 10) / 10;
}

/** Validates untrusted input; throws an Error saying what is wrong. */
export function parseRequest(value: unknown): ProbeRequest {
  const obj = (v: unknown, where: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where}: expected an object`);
    return v as Record<string, unknown>;
  };
  const str = (o: Record<string, unknown>, k: string, where: string): string => {
    const v = o[k];
    if (typeof v !== 'string' || v === '') throw new Error(`${where}.${k}: expected a non-empty string`);
    return v;
  };
  const arr = (v: unknown, where: string): unknown[] => {
    if (!Array.isArray(v)) throw new Error(`${where}: expected an array`);
    return v;
  };
  const req = obj(value, 'request');
  const timeoutMs = req.timeoutMs;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new Error(`request.timeoutMs: expected a number in (0, ${MAX_TIMEOUT_MS}]`);
  }
  const tcp = arr(req.tcp, 'request.tcp').map((v, i): TcpProbe => {
    const where = `request.tcp[${i}]`;
    const o = obj(v, where);
    const port = o.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`${where}.port: expected an integer 1-65535`);
    }
    const p: TcpProbe = { id: str(o, 'id', where), host: str(o, 'host', where), port };
    if (o.resolver !== undefined) p.resolver = str(o, 'resolver', where);
    if (o.proxy !== undefined) p.proxy = str(o, 'proxy', where);
    if (o.method !== undefined) {
      if (o.method !== 'connect' && o.method !== 'http') throw new Error(`${where}.method: expected connect or http`);
      p.method = o.method;
    }
    return p;
  });
  const dns = arr(req.dns, 'request.dns').map((v, i): DnsProbe => {
    const where = `request.dns[${i}]`;
    const o = obj(v, where);
    return { id: str(o, 'id', where), server: str(o, 'server', where), name: str(o, 'name', where) };
  });
  return { timeoutMs, tcp, dns };
}

async function readStdin(limitMs: number): Promise<string> {
  const chunks: Buffer[] = [];
  const read = (async () => {
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  })();
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no request on stdin within ${limitMs} ms`)), limitMs);
  });
  try {
    return await Promise.race([read, guard]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  let request: ProbeRequest;
  try {
    request = parseRequest(JSON.parse(await readStdin(10_000)));
  } catch (err) {
    process.stderr.write(`probe worker: bad request: ${(err as Error).message}\n`);
    process.exit(2);
  }
  // runProbe is bounded by its deadline; this is only a backstop against a hang in Node itself.
  setTimeout(() => {
    process.stderr.write(`probe worker: did not finish within ${request.timeoutMs} ms\n`);
    process.exit(3);
  }, request.timeoutMs + 2000).unref();
  const response = await runProbe(request);
  // Exit explicitly: cancelled resolvers or half-closed sockets must not keep us alive.
  process.stdout.write(`${JSON.stringify(response)}\n`, () => process.exit(0));
}

function isMain(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isMain()) void main();
