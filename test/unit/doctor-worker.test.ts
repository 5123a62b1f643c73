// Doctor's netns worker for real, on loopback: AAAA lookups against a small fake DNS server (with
// the connect that tells "IPv6 fails fast" from "IPv6 hangs"), the path-MTU probe, and its input checks.
import dgram from 'node:dgram';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetnsRequest, runNetns } from '../../src/doctor/netns-worker.js';

/** Answers A/AAAA from a table; qtype 28 is AAAA. */
function fakeDns(table: Record<string, { a?: string[]; aaaa?: string[] }>): Promise<{ server: string; close: () => void }> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (q, rinfo) => {
    let o = 12;
    const labels: string[] = [];
    while (q[o]) { labels.push(q.subarray(o + 1, o + 1 + q[o]!).toString('ascii')); o += q[o]! + 1; }
    const qtype = q.readUInt16BE(o + 1);
    const entry = table[labels.join('.')];
    const answers = (qtype === 28 ? entry?.aaaa : entry?.a) ?? [];
    const header = Buffer.alloc(12);
    q.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8180 | (entry ? 0 : 3), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const rrs = answers.map((ip) => {
      const data = qtype === 28 ? ipv6Bytes(ip) : Buffer.from(ip.split('.').map(Number));
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); rr.writeUInt16BE(qtype, 2); rr.writeUInt16BE(1, 4); rr.writeUInt32BE(60, 6); rr.writeUInt16BE(data.length, 10);
      return Buffer.concat([rr, data]);
    });
    sock.send(Buffer.concat([header, q.subarray(12, o + 5), ...rrs]), rinfo.port, rinfo.address);
  });
  return new Promise((resolve) => sock.bind(0, '127.0.0.1', () => resolve({ server: `127.0.0.1:${sock.address().port}`, close: () => sock.close() })));
}

function ipv6Bytes(ip: string): Buffer {
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

let dns: { server: string; close: () => void };
let v6: net.Server | undefined;
let v6Port = 0;

beforeAll(async () => {
  dns = await fakeDns({ 'dual.test': { a: ['127.0.0.1'], aaaa: ['::1'] }, 'v4only.test': { a: ['127.0.0.1'] } });
  v6 = net.createServer((c) => c.destroy());
  await new Promise<void>((resolve) => {
    v6!.once('error', () => { v6 = undefined; resolve(); }); // no IPv6 on this machine's loopback
    v6!.listen(0, '::1', () => { v6Port = (v6!.address() as net.AddressInfo).port; resolve(); });
  });
});
afterAll(() => { dns.close(); v6?.close(); });

describe('runNetns (in process, loopback)', () => {
  it('looks up AAAA and connects to the first address when given a port', async () => {
    const res = await runNetns({ timeoutMs: 2000, mtu: [], aaaa: [
      { id: 'dual', server: dns.server, name: 'dual.test', ...(v6 ? { port: v6Port } : {}) },
      { id: 'v4', server: dns.server, name: 'v4only.test' },
      { id: 'nx', server: dns.server, name: 'nope.test' },
    ] });
    const by = Object.fromEntries(res.aaaa.map((a) => [a.id, a]));
    expect(by.dual).toMatchObject({ outcome: 'answered', addresses: ['::1'] });
    if (v6) expect(by.dual!.connect).toMatchObject({ address: '::1', outcome: 'connected' });
    expect(by.v4).toMatchObject({ outcome: 'nodata', addresses: [] });
    expect(by.nx).toMatchObject({ outcome: 'nxdomain' });
    expect(JSON.parse(res.links)).toEqual(expect.arrayContaining([expect.objectContaining({ ifname: 'lo' })]));
  });

  it('sends full-size datagrams and reads the route back; names that do not resolve are not probed', async () => {
    const res = await runNetns({ timeoutMs: 2000, aaaa: [], mtu: [
      { id: 'lo', host: '127.0.0.1' },
      { id: 'byname', host: 'v4only.test', resolver: dns.server },
      { id: 'nx', host: 'nope.test', resolver: dns.server },
      { id: 'noresolver', host: 'v4only.test' },
    ] });
    const by = Object.fromEntries(res.mtu.map((m) => [m.id, m]));
    // lo: 65536, capped to a UDP datagram's maximum; ECONNREFUSED is the target's port-unreachable: the datagram arrived.
    expect(by.lo).toMatchObject({ address: '127.0.0.1', size: 65_507, udpErrors: ['ECONNREFUSED'] });
    expect(JSON.parse(by.lo!.routeAfter!)[0]).toMatchObject({ dst: '127.0.0.1', dev: 'lo' });
    expect(by.byname).toMatchObject({ address: '127.0.0.1' });
    expect(by.nx).toMatchObject({ code: 'ENOTFOUND' });
    expect(by.noresolver).toMatchObject({ code: 'ENORESOLVER' });
  });
});

describe('parseNetnsRequest', () => {
  it('accepts a full request and refuses malformed ones', () => {
    const good = { timeoutMs: 1000, aaaa: [{ id: 'a', server: '1.1.1.1', name: 'x.test', port: 443 }], mtu: [{ id: 'm', host: 'x.test', resolver: '1.1.1.1' }],
      ping: { file: 'busybox', args: ['ping'], style: 'busybox' } };
    expect(parseNetnsRequest(good)).toEqual(good);
    expect(() => parseNetnsRequest({ ...good, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => parseNetnsRequest({ ...good, aaaa: [{ id: 'a', server: '', name: 'x' }] })).toThrow(/aaaa\[0\]\.server/);
    expect(() => parseNetnsRequest({ ...good, aaaa: [{ id: 'a', server: 's', name: 'x', port: 70000 }] })).toThrow(/port/);
    expect(() => parseNetnsRequest({ ...good, ping: { file: 'ping', args: [], style: 'other' } })).toThrow(/ping/);
    expect(() => parseNetnsRequest([])).toThrow(/object/);
  });
});
