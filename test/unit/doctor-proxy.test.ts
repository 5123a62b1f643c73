// Proxy settings: hermit's environment, the Docker daemon (docker info), the docker client's
// config.json and the profile; whether they agree and whether hermit's rules let the container
// reach its proxy. The recorded world has no proxy; the variants add them.
import { describe, expect, it } from 'vitest';
import { proxyTarget } from '../../src/doctor/checks/proxy.js';
import { redact } from '../../src/doctor/gather.js';
import type { Profile } from '../../src/profile/types.js';
import { checks, docProfile, edit, evidence, variant } from './doctor-fixtures.js';

const healthy = evidence('world-healthy');
const profile = docProfile();
const withEnv = (env: Record<string, string>): Profile => ({ ...profile, container: { ...profile.container, env } });
const shell = (lines: string) => variant(healthy, { environment: { stdout: lines } });

describe('proxy.consistency', () => {
  it('recorded: no proxy anywhere is fine', () => {
    expect(checks(healthy, profile)['proxy.consistency']).toMatchObject({ status: 'ok', summary: 'no proxy is configured anywhere: everything connects directly' });
  });

  it('a proxy in the shell only: the daemon and the containers go direct', () => {
    const c = checks(shell('HTTPS_PROXY=http://proxy.corp:3128\nSUDO_USER=ana'), profile)['proxy.consistency']!;
    expect(c).toMatchObject({ status: 'warn', summary: 'the shell uses a proxy but the Docker daemon does not: pulls and builds go direct (+1 more)' });
    expect(c.evidence).toContain("the host uses a proxy but containers get none: if this network lets only the proxy out, the agent's connections hang");
    expect(c.evidence).toContain("hermit's environment: https=http://proxy.corp:3128 (under sudo from ana: sudo drops proxy variables unless --preserve-env)");
    expect(c.fix).toContain('docker.service.d/http-proxy.conf');
    expect(c.fix).toContain('passEnv: [HTTPS_PROXY, NO_PROXY]');
  });

  it('the daemon, the client config and the profile agreeing is ok; different values warn', () => {
    const daemon = edit(healthy, 'docker-info', '"HttpsProxy":""', '"HttpsProxy":"http://proxy.corp:3128"');
    const agree = variant(daemon, { environment: { stdout: 'https_proxy=http://proxy.corp:3128' } });
    expect(checks(agree, withEnv({ HTTPS_PROXY: 'http://proxy.corp:3128' }))['proxy.consistency']!.status).toBe('ok');
    const client = variant(agree, { 'docker-client-config': { stdout: '{"proxies":{"default":{"httpsProxy":"http://other:8080"}}}', error: undefined } });
    const c = checks(client, profile)['proxy.consistency']!;
    expect(c).toMatchObject({ status: 'warn', summary: 'https_proxy differs between sources: http://proxy.corp:3128 vs http://other:8080' });
  });

  it('never shows credentials', () => {
    expect(redact('HTTPS_PROXY=http://ana:s3cret@proxy.corp:3128')).toBe('HTTPS_PROXY=http://***@proxy.corp:3128');
    const c = checks(healthy, withEnv({ HTTPS_PROXY: 'http://ana:s3cret@proxy.corp:3128' }))['proxy.consistency']!;
    expect(JSON.stringify(c)).not.toContain('s3cret');
  });
});

describe('proxy.container', () => {
  it('a LAN proxy is blocked by hermit unless the profile has an exception for it', () => {
    const lan = withEnv({ HTTPS_PROXY: 'http://192.168.50.5:3128' });
    const c = checks(healthy, lan, 'doc-ok')['proxy.container']!;
    expect(c).toMatchObject({ status: 'fail', summary: "the container's proxy 192.168.50.5:3128 is in the blocked range 192.168.0.0/16, with no exception" });
    expect(c.fix).toBe('Add to the profile: egress.allow: [{ to: 192.168.50.5, ports: [3128], protocol: tcp, comment: proxy }], then hermit run doc-ok');
    const allowed: Profile = { ...lan, egress: { ...lan.egress, allow: [{ to: '192.168.50.5', ports: [3128], protocol: 'tcp' }] } };
    expect(checks(healthy, allowed)['proxy.container']!.status).toBe('ok');
  });

  it('localhost is the container itself; a proxy on the host needs a hostPorts entry', () => {
    expect(checks(healthy, withEnv({ http_proxy: 'localhost:3128' }))['proxy.container']).toMatchObject({ status: 'fail', fix: expect.stringContaining('hostPorts: [{ port: 3128 }]') });
    const onHost = checks(healthy, withEnv({ HTTPS_PROXY: 'http://192.168.50.10:3128' }))['proxy.container']!;
    expect(onHost).toMatchObject({ status: 'fail', summary: "the container's proxy 192.168.50.10:3128 is on the host, and hermit blocks the host" });
  });

  it('a proxy from the docker client config counts; a public one or a name is fine', () => {
    const client = variant(healthy, { 'docker-client-config': { stdout: '{"proxies":{"default":{"httpProxy":"http://10.1.2.3:8080"}}}', error: undefined } });
    expect(checks(client, profile)['proxy.container']!.summary).toContain('10.1.2.3:8080 is in the blocked range 10.0.0.0/8');
    expect(checks(healthy, withEnv({ HTTPS_PROXY: 'http://proxy.example.com:3128' }))['proxy.container']!.status).toBe('ok');
    expect(proxyTarget('https://[2001:db8::1]')).toEqual({ host: '2001:db8::1', port: 443 });
  });
});
