// The worker for real, on loopback only. In-process through runProbe; as a script (transpiled to a
// temp dir) for the stdin/stdout contract; and, when root, through runProbeWorker/nsenter into a
// private network namespace whose OUTPUT rules reject/drop other 127.x addresses.
import dgram from 'node:dgram';
import net from 'node:net';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsErrorOutcome, parseRequest, runProbe, tcpErrorOutcome } from '../../src/probe/worker.js';
import { parseProbeResponse, runProbeWorker } from '../../src/probe/run.js';
import type { ProbeRequest } from '../../src/probe/types.js';

const LO = '127.0.0.1';

/** A minimal authoritative DNS server: answers A queries from a table. */
function fakeDns(answer: (name: string) => { rcode: number; a: string[] } | 'silent'): Promise<{ server: string; close: () => void }> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (q, rinfo) => {
    // Question: labels from offset 12 to a zero byte, then qtype and qclass.
    let o = 12;
    const labels: string[] = [];
    while (o < q.length && q[o] !== 0) {
      const len = q[o] ?? 0;
      labels.push(q.subarray(o + 1, o + 1 + len).toString('ascii'));
      o += len + 1;
    }
    const question = q.subarray(12, o + 5);
    const r = answer(labels.join('.').toLowerCase());
    if (r === 'silent') return;
    const header = Buffer.alloc(12);
    q.copy(header, 0, 0, 2); // id
    header.writeUInt16BE(0x8180 | r.rcode, 2); // QR, RD, RA
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(r.a.length, 6);
    const answers = r.a.map((ip) => {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
      rr.writeUInt16BE(1, 2); // A
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(4, 10);
      ip.split('.').forEach((b, i) => rr.writeUInt8(Number(b), 12 + i));
      return rr;
    });
    sock.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
  });
  return new Promise((resolve) => {
    sock.bind(0, LO, () => resolve({ server: `${LO}:${sock.address().port}`, close: () => sock.close() }));
  });
}

const zones = (name: string): { rcode: number; a: string[] } => {
  if (name === 'svc.test') return { rcode: 0, a: [LO] };
  if (name === 'two.test') return { rcode: 0, a: ['127.0.0.8', '127.0.0.9'] };
  if (name === 'empty.test') return { rcode: 0, a: [] };
  if (name === 'refuse.test') return { rcode: 5, a: [] };
  return { rcode: 3, a: [] }; // NXDOMAIN
};

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, LO, r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let server: net.Server;
let openPort: number;
let deadPort: number;
let dns: { server: string; close: () => void };
let silent: { server: string; close: () => void };

beforeAll(async () => {
  server = net.createServer((c) => c.destroy());
  await new Promise<void>((r) => server.listen(0, LO, r));
  openPort = (server.address() as net.AddressInfo).port;
  deadPort = await closedPort();
  dns = await fakeDns(zones);
  silent = await fakeDns(() => 'silent');
});
afterAll(() => {
  server.close();
  dns.close();
  silent.close();
});

describe('runProbe (in process)', () => {
  it('classifies TCP and DNS outcomes on loopback', async () => {
    const request: ProbeRequest = {
      timeoutMs: 1000,
      tcp: [
        { id: 'open', host: LO, port: openPort },
        { id: 'closed', host: LO, port: deadPort },
        { id: 'byname', host: 'svc.test', port: openPort, resolver: dns.server },
        { id: 'nxname', host: 'nope.test', port: openPort, resolver: dns.server },
        { id: 'noresolver', host: 'svc.test', port: openPort },
      ],
      dns: [
        { id: 'a', server: dns.server, name: 'two.test' },
        { id: 'nx', server: dns.server, name: 'nope.test' },
        { id: 'nodata', server: dns.server, name: 'empty.test' },
        { id: 'refused', server: dns.server, name: 'refuse.test' },
      ],
    };
    const res = await runProbe(request);
    const tcp = Object.fromEntries(res.tcp.map((r) => [r.id, { ...r, ms: typeof r.ms }]));
    expect(tcp).toEqual({
      open: { id: 'open', outcome: 'connected', address: LO, ms: 'number' },
      closed: { id: 'closed', outcome: 'refused', code: 'ECONNREFUSED', address: LO, ms: 'number' },
      byname: { id: 'byname', outcome: 'connected', address: LO, ms: 'number' },
      nxname: { id: 'nxname', outcome: 'error', code: 'ENOTFOUND', ms: 'number' },
      noresolver: { id: 'noresolver', outcome: 'error', code: 'ENORESOLVER', ms: 'number' },
    });
    const d = Object.fromEntries(res.dns.map((r) => [r.id, [r.outcome, r.code, r.addresses]]));
    expect(d).toEqual({
      a: ['answered', undefined, ['127.0.0.8', '127.0.0.9']],
      nx: ['nxdomain', 'ENOTFOUND', []],
      nodata: ['nodata', 'ENODATA', []],
      refused: ['refused', 'EREFUSED', []],
    });
    expect(typeof res.ipv6.disabled).toBe('boolean');
    expect(Array.isArray(res.ipv6.addresses)).toBe(true);
  });

  it('times out a silent resolver within the deadline', async () => {
    const t0 = performance.now();
    const res = await runProbe({
      timeoutMs: 300,
      tcp: [{ id: 't', host: 'svc.test', port: openPort, resolver: silent.server }],
      dns: [{ id: 'd', server: silent.server, name: 'svc.test' }],
    });
    const took = performance.now() - t0;
    expect(res.dns[0]).toMatchObject({ outcome: 'timeout', code: 'ETIMEOUT' });
    expect(res.tcp[0]).toMatchObject({ outcome: 'error', code: 'ETIMEOUT' });
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(800);
  });

  it('maps errno codes', () => {
    expect(tcpErrorOutcome('EHOSTUNREACH').outcome).toBe('unreachable');
    expect(tcpErrorOutcome('EPERM').outcome).toBe('unreachable');
    expect(tcpErrorOutcome('ECONNRESET').outcome).toBe('refused');
    expect(tcpErrorOutcome('EADDRNOTAVAIL')).toEqual({ outcome: 'error', code: 'EADDRNOTAVAIL' });
    expect(dnsErrorOutcome('ESERVFAIL')).toBe('error');
  });
});

describe('parseRequest', () => {
  it('accepts a well-formed request and rejects bad ones', () => {
    const ok = { timeoutMs: 500, tcp: [{ id: 'x', host: LO, port: 80, resolver: LO }], dns: [] };
    expect(parseRequest(ok)).toEqual(ok);
    expect(() => parseRequest({ ...ok, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => parseRequest({ ...ok, tcp: [{ id: 'x', host: LO, port: 70000 }] })).toThrow(/tcp\[0\]\.port/);
    expect(() => parseRequest({ ...ok, dns: [{ id: 'x', server: LO }] })).toThrow(/dns\[0\]\.name/);
    expect(() => parseRequest([])).toThrow(/object/);
  });
});

describe('parseProbeResponse', () => {
  const req: ProbeRequest = { timeoutMs: 1, tcp: [{ id: 't', host: LO, port: 1 }], dns: [] };
  const good = { tcp: [{ id: 't', outcome: 'refused', code: 'ECONNREFUSED', ms: 1 }], dns: [], ipv6: { disabled: true, addresses: [] } };
  it('accepts the worker shape and refuses anything else', () => {
    expect(parseProbeResponse(JSON.stringify(good), req)).toEqual(good);
    expect(() => parseProbeResponse('not json', req)).toThrow();
    expect(() => parseProbeResponse(JSON.stringify({ ...good, tcp: [{ ...good.tcp[0], outcome: 'fine' }] }), req)).toThrow(/outcome/);
    expect(() => parseProbeResponse(JSON.stringify({ ...good, tcp: [{ ...good.tcp[0], id: 'zz' }] }), req)).toThrow(/unrequested/);
    expect(() => parseProbeResponse(JSON.stringify({ ...good, ipv6: {} }), req)).toThrow(/ipv6/);
  });
});

// The worker as a script, bundled the way `npm run build` bundles it into dist/probe/worker.js.
describe('worker as a script', () => {
  let dir: string;
  let worker: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hermit-probe-'));
    worker = join(dir, 'worker.mjs');
    buildSync({ entryPoints: [fileURLToPath(new URL('../../src/probe/worker.ts', import.meta.url))], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: worker, logLevel: 'warning' });
    // It runs inside the container's network namespace: nothing but Node built-ins at run time.
    const imports = [...readFileSync(worker, 'utf8').matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports.filter((m) => !m?.startsWith('node:'))).toEqual([]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers one request on stdout and exits 0', async () => {
    const req: ProbeRequest = { timeoutMs: 1000, tcp: [{ id: 'o', host: LO, port: openPort }], dns: [] };
    const r = await execa(process.execPath, [worker], { input: JSON.stringify(req) });
    expect(r.exitCode).toBe(0);
    expect(parseProbeResponse(r.stdout, req).tcp[0]?.outcome).toBe('connected');
  });

  it('exits 2 on malformed input', async () => {
    const r = await execa(process.execPath, [worker], { input: '{"timeoutMs":"soon"}', reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/bad request: request\.timeoutMs/);
  });

  it('reports a missing worker as a HermitError with a hint', async () => {
    await expect(runProbeWorker(process.pid, { timeoutMs: 100, tcp: [], dns: [] }, { workerPath: join(dir, 'nope.js') })).rejects.toMatchObject({
      name: 'HermitError',
      kind: 'probe',
      hint: expect.stringMatching(/npm run build/),
    });
  });

  // Root only: a private network namespace whose OUTPUT chain rejects 127.0.0.2 with
  // icmp-admin-prohibited and drops 127.0.0.3. No packet leaves that namespace.
  const canNetns = ((): boolean => {
    if (process.getuid?.() !== 0) return false;
    try {
      execFileSync('sh', ['-c', 'command -v nsenter && command -v unshare && command -v iptables && command -v ip'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  describe.skipIf(!canNetns)('through nsenter into a private netns (root)', () => {
    let holder: ChildProcess;
    let pid: number;
    beforeAll(async () => {
      holder = spawn('unshare', ['--net', 'sleep', '600'], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 200));
      pid = holder.pid ?? 0;
      // unshare execs sleep in place, so its pid is the namespace holder.
      const ns = ['nsenter', `--net=/proc/${pid}/ns/net`, '--'];
      const sh = (cmd: string[]): void => void execFileSync(ns[0] ?? '', [...ns.slice(1), ...cmd], { stdio: 'ignore' });
      sh(['ip', 'link', 'set', 'lo', 'up']);
      sh(['iptables', '-w', '-A', 'OUTPUT', '-d', '127.0.0.2', '-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited']);
      sh(['iptables', '-w', '-A', 'OUTPUT', '-d', '127.0.0.3', '-j', 'DROP']);
    });
    afterAll(() => void holder?.kill());

    it('sees rejected as unreachable at once and dropped as timeout', async () => {
      const req: ProbeRequest = {
        timeoutMs: 500,
        tcp: [
          { id: 'rej', host: '127.0.0.2', port: 80 },
          { id: 'drop', host: '127.0.0.3', port: 80 },
          { id: 'closed', host: LO, port: 80 },
        ],
        dns: [],
      };
      const t0 = performance.now();
      const res = await runProbeWorker(pid, req, { workerPath: worker });
      const took = performance.now() - t0;
      const by = Object.fromEntries(res.tcp.map((r) => [r.id, r]));
      expect(by.rej).toMatchObject({ outcome: 'unreachable', code: 'EHOSTUNREACH' });
      expect(by.rej?.ms).toBeLessThan(100);
      expect(by.drop).toMatchObject({ outcome: 'timeout' });
      expect(by.closed).toMatchObject({ outcome: 'refused' });
      expect(took).toBeLessThan(500 + 1500); // node start-up + nsenter + timeout
    });

    it('explains a vanished process', async () => {
      await expect(runProbeWorker(2 ** 22 + 1, { timeoutMs: 100, tcp: [], dns: [] }, { workerPath: worker })).rejects.toMatchObject({
        kind: 'probe',
        message: expect.stringMatching(/process is gone/),
      });
    });
  });
});
