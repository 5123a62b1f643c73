// The host checks of a profile's sidecars: `docker:` (user namespaces, /dev/net/tun, AppArmor, the
// engine's image) and `credentials:` (upstream TLS, credentials.conf, the proxy image's CAs).
// Recorded: this machine without a Docker engine (sidecars-no-engine.sources.json: tun 0600, no
// AppArmor, a mainline kernel); the variants change one source each.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Snapshot, Source } from '../../src/doctor/types.js';
import { checks, docProfile, evidence, variant } from './doctor-fixtures.js';

const sources = JSON.parse(readFileSync(new URL('../fixtures/doctor/sidecars-no-engine.sources.json', import.meta.url), 'utf8')) as Record<string, Source>;
const recorded: Snapshot = variant(evidence('no-engine'), sources);
const profile = docProfile('doc-sidecars');
const plain = docProfile('doc-ok');
const stdout = (key: string, text: string, more: Partial<Source> = {}) => variant(recorded, { [key]: { stdout: text, error: undefined, exitCode: 0, ...more } });
const tun = (o: object) => JSON.stringify({ char: true, file: false, major: 10, minor: 200, mode: '0666', uid: 0, gid: 0, ...o });
const running = JSON.stringify([{ Id: 'abc', Name: '/hermit-doc-sidecars-proxy', Image: 'sha256:1', State: { Status: 'running', Running: true, Pid: 42 }, Config: { Labels: {} }, HostConfig: { RestartPolicy: { Name: 'no' } }, NetworkSettings: { Networks: {} } }]);

describe('engine prerequisites (docker:)', () => {
  it('a profile without docker: or credentials (or no profile) leaves them out of the report: no noise', () => {
    for (const c of [checks(recorded, plain), checks(recorded)]) {
      for (const id of ['host.engine-userns', 'host.engine-tun', 'host.engine-apparmor', 'host.engine-image', 'proxy.credential-tls', 'proxy.credentials-file', 'proxy.ca-bundle']) {
        expect(c[id]).toBeUndefined();
      }
      expect(c['host.docker']).toBeDefined();
    }
  });

  it('recorded: user namespaces on, tun 0600 (hermit makes its own node, not on a nodev mount), no AppArmor', () => {
    const c = checks(recorded, profile);
    expect(c['host.engine-userns']).toMatchObject({ status: 'ok', evidence: ['/proc/sys/user/max_user_namespaces: 96362'] });
    expect(c['host.engine-tun']).toMatchObject({ status: 'ok', summary: expect.stringContaining('hermit makes a node of its own') });
    expect(c['host.engine-apparmor']!.status).toBe('ok');
    // No engine answered: whether the image is there is unknown.
    expect(c['host.engine-image']).toMatchObject({ status: 'skipped', summary: expect.stringContaining('Cannot connect to the Docker daemon') });
  });

  it('user namespaces off: a failure naming the sysctl and its fix', () => {
    const off = (f: object) => checks(stdout('userns-sysctls', JSON.stringify(f)), profile)['host.engine-userns']!;
    expect(off({ maxUserNamespaces: '0\n' })).toMatchObject({ status: 'fail', summary: expect.stringContaining('user.max_user_namespaces = 0'), fix: expect.stringContaining('sysctl -w user.max_user_namespaces=') });
    expect(off({ maxUserNamespaces: '100', unprivilegedClone: '0' }).fix).toContain('kernel.unprivileged_userns_clone=1');
    expect(off({ maxUserNamespaces: '100', apparmorRestrict: '1' })).toMatchObject({ status: 'fail', summary: expect.stringContaining('kernel.apparmor_restrict_unprivileged_userns = 1') });
  });

  it('/dev/net/tun: missing (modprobe tun), not 10:200, usable by everyone, or closed on a nodev state dir', () => {
    const missing = variant(recorded, { 'dev-net-tun': { stdout: '', error: 'no such file' } });
    expect(checks(missing, profile)['host.engine-tun']).toMatchObject({ status: 'fail', fix: expect.stringContaining('modprobe tun') });
    expect(checks(stdout('dev-net-tun', tun({ minor: 1 })), profile)['host.engine-tun']).toMatchObject({ status: 'fail', summary: expect.stringContaining('10:200') });
    expect(checks(stdout('dev-net-tun', tun({})), profile)['host.engine-tun']).toMatchObject({ status: 'ok', summary: expect.stringContaining('the engine uses it') });
    const nodev = variant(recorded, { 'state-dir-mount': { stdout: '/var/lib rw,nosuid,nodev,relatime' } });
    expect(checks(nodev, profile)['host.engine-tun']).toMatchObject({ status: 'fail', fix: expect.stringContaining('HERMIT_STATE_DIR') });
  });

  it('AppArmor enabled: a warning (untested), with where to look', () => {
    const c = checks(stdout('apparmor-enabled', 'Y'), profile)['host.engine-apparmor']!;
    expect(c).toMatchObject({ status: 'warn', summary: expect.stringContaining('not been tested') });
    expect(c.fix).toContain('hermit logs --docker');
  });

  it('the engine image: present, buildable, or missing with no recipe', () => {
    expect(checks(stdout('engine-image', 'sha256:abc\n'), profile)['host.engine-image']!.status).toBe('ok');
    const none = variant(recorded, { 'engine-image': { exitCode: 1, stdout: '[]', stderr: 'Error: No such image: localhost/hermit/engine:0.1.0' } });
    expect(checks(none, profile)['host.engine-image']).toMatchObject({ status: 'ok', summary: expect.stringContaining('hermit run builds it') });
    const own = { ...profile, docker: { ...profile.docker!, image: 'example.org/engine:1', build: undefined } };
    expect(checks(none, own)['host.engine-image']).toMatchObject({ status: 'fail', fix: expect.stringContaining('docker pull example.org/engine:1') });
  });
});

describe('credentials', () => {
  it('recorded: the upstream did not resolve from the host; the proxy is not running, its image not here', () => {
    const c = checks(recorded, profile);
    expect(c['proxy.credential-tls']).toMatchObject({ status: 'fail', summary: expect.stringContaining('checked from the host') });
    expect(c['proxy.credential-tls']!.evidence).toContain('api.example.org:443: not verified: ENOTFOUND: getaddrinfo ENOTFOUND api.example.org');
    expect(c['proxy.credentials-file']!.status).toBe('skipped');
    expect(c['proxy.ca-bundle']).toMatchObject({ status: 'skipped', summary: expect.stringContaining('not on this host') });
  });

  it('a certificate that does not verify names egress.caFile; a verified one is ok', () => {
    const r = (o: object) => stdout('credential-tls', JSON.stringify([{ host: 'api.example.org', port: 443, cas: '/etc/ssl/certs/ca-certificates.crt', ...o }]));
    expect(checks(r({ authorized: false, error: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY: unable to get local issuer certificate' }), profile)['proxy.credential-tls'])
      .toMatchObject({ status: 'fail', fix: expect.stringContaining('egress.caFile') });
    expect(checks(r({ authorized: true }), profile)['proxy.credential-tls']).toMatchObject({ status: 'ok', summary: expect.stringContaining('against /etc/ssl/certs/ca-certificates.crt') });
  });

  it('credentials.conf while the proxy runs: missing, wrong owner or mode, or right', () => {
    const up = variant(recorded, { 'proxy-container': { stdout: running, exitCode: 0, stderr: '' } });
    expect(checks(up, profile)['proxy.credentials-file']).toMatchObject({ status: 'fail', fix: expect.stringContaining('hermit run') });
    const at = (o: object) => variant(up, { 'credentials-file': { stdout: JSON.stringify({ char: false, file: true, major: 0, minor: 0, mode: '0400', uid: 13, gid: 13, ...o }), error: undefined } });
    expect(checks(at({}), profile)['proxy.credentials-file']!.status).toBe('ok');
    expect(checks(at({ mode: '0644' }), profile)['proxy.credentials-file']).toMatchObject({ status: 'fail', fix: expect.stringContaining('chmod 0400') });
    expect(checks(at({ uid: 0 }), profile)['proxy.credentials-file']!.status).toBe('fail');
    const unreadable = variant(up, { 'credentials-file': { stdout: '', error: 'EACCES: permission denied' } });
    expect(checks(unreadable, profile)['proxy.credentials-file']).toMatchObject({ status: 'skipped', summary: expect.stringContaining('EACCES') });
  });

  it('the proxy image without the system CAs: remove it so the next run builds it', () => {
    const c = (exitCode: number) => checks(variant(recorded, { 'proxy-ca-bundle': { what: 'docker run ...', stdout: '', exitCode, error: undefined } }), profile)['proxy.ca-bundle']!;
    expect(c(0).status).toBe('ok');
    expect(c(1)).toMatchObject({ status: 'fail', fix: expect.stringContaining('docker rmi localhost/hermit/squid:latest') });
    expect(c(125).status).toBe('skipped');
  });

  it('never holds a key value: credentials.conf is only stat\'ed', () => {
    expect(JSON.stringify(sources)).not.toMatch(/request_header_add/);
  });
});
