// doctor's TLS look at a credential's upstream verifies as the proxy does: the certificate must
// chain to the given CAs (system + egress.caFile) and name the host. A local TLS server with a
// self-signed certificate for "localhost" (made with openssl) stands in for the upstream.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Server, createServer, rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyUpstream } from '../../src/doctor/gather-sidecars.js';

const dir = mkdtempSync(join(tmpdir(), 'hermit-tls-'));
let server: Server;
let port = 0;
let cert = '';

beforeAll(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('verifyUpstream', () => {
  it('a certificate no given CA signed does not verify', async () => {
    const r = await verifyUpstream('localhost', port, [...rootCertificates], 'system');
    expect(r).toMatchObject({ host: 'localhost', authorized: false, cas: 'system' });
    expect(r.error).toMatch(/SELF_SIGNED|self.signed/i);
  });

  it('verifies once its CA is given (what egress.caFile adds)', async () => {
    expect(await verifyUpstream('localhost', port, [...rootCertificates, cert], 'system + caFile')).toMatchObject({ authorized: true });
  });

  it('a certificate for another name does not verify, whatever CA is given', async () => {
    const r = await verifyUpstream('127.0.0.1', port, [cert], 'caFile');
    expect(r.authorized).toBe(false);
    expect(r.error).toMatch(/ALTNAME|does not match|IP/i);
  });

  it("resolves through the profile's resolvers, as the proxy does: none answering is said so", async () => {
    const r = await verifyUpstream('api.example.org', 443, [cert], 'caFile', ['127.0.0.1']);
    expect(r).toMatchObject({ authorized: false, error: expect.stringContaining('does not resolve through 127.0.0.1') });
  });

  it('nothing listening: an error, not a hang', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const free = (closed.address() as { port: number }).port;
    closed.close();
    expect(await verifyUpstream('localhost', free, [cert], 'caFile')).toMatchObject({ authorized: false, error: expect.stringContaining('ECONNREFUSED') });
  });
});
