// Allowlist mode (egress.domains): the profile keys, squid.conf, the proxy's and the agent's
// docker arguments, the rules for the internal bridge, and the probe's expected table.
import { describe, expect, it } from 'vitest';
import { parseDomain } from '../../src/profile/allowlist.js';
import { parseProfile } from '../../src/profile/load.js';
import { dockerRun } from '../../src/plan/container.js';
import { asThisHostHoldsIt, planFirewall } from '../../src/firewall/iptables.js';
import { makePlan } from '../../src/plan/plan.js';
import { proxyEnv } from '../../src/plan/egress.js';
import { planProxy, squidConf } from '../../src/plan/proxy.js';
import { buildRuleset } from '../../src/plan/ruleset.js';
import { planProbe } from '../../src/plan/targets.js';
import type { ExistingContainer } from '../../src/plan/host-facts.js';
import { proxyAnswer } from '../../src/probe/worker.js';
import { verify } from '../../src/guard/verify.js';
import { profileStatus } from '../../src/plan/profile-status.js';
import { renderStatus } from '../../src/report/status-text.js';
import { parseProxyLog } from '../../src/report/blocked.js';
import { FRESH_SAVE4, FRESH_SAVE6, sampleFacts } from './fixtures.js';

const TEXT = `name: strict
image: example/agent:1
network:
  subnet: 172.30.5.0/24
dns: [192.168.50.1, 1.1.1.1]
egress:
  domains: [api.anthropic.com, .npm.example.org, registry.npm.example.org, "git.example.org:22", internet.test, ".Example.com:8443,443"]
  proxyImage: localhost/test/squid:1
probe:
  mustReach: [{ host: internet.test, port: 80 }, { host: api.anthropic.com, port: 443 }]
  mustBlock: [{ host: rebind.internet.test, port: 443 }, { host: 203.0.113.10, port: 80 }]
`;
const load = (text = TEXT) => parseProfile('/p/strict.yaml', text, { HOME: '/root' }).profile;
const problems = (text: string) => { try { load(text); return ''; } catch (e) { return (e as Error).message; } };
const HOST = ['127.0.0.1', '192.168.50.10', '172.17.0.1'];
const proxyFacts = (extra: Record<string, unknown> = {}) => sampleFacts({ proxy: { dir: '/var/lib/hermit/strict/proxy', ...extra } });

describe('egress.domains', () => {
  it.each([
    ['api.anthropic.com', { name: 'api.anthropic.com', subdomains: false, ports: [] }],
    ['.Example.ORG', { name: 'example.org', subdomains: true, ports: [] }],
    ['git.example.org:22', { name: 'git.example.org', subdomains: false, ports: [22] }],
    ['.example.com:8443,443,443', { name: 'example.com', subdomains: true, ports: [443, 8443] }],
  ])('reads %s', (text, want) => expect(parseDomain(text)).toEqual(want));

  it.each([
    ['*.example.org', /write '.example.org'/],
    ['1.2.3.4', /IP address/],
    ['[::1]:443', /IP address/],
    ['https://git.example.org', /not a URL/],
    ['git.example.org:0', /ports must be numbers/],
    ['git.example.org:', /ports must be numbers/],
    ['bad_-.com', /DNS name/],
  ])('refuses %s', (text, message) => expect(parseDomain(text)).toMatch(message));

  it('locates problems at the entry, and checks the mode against the rest of the profile', () => {
    const text = TEXT.replace('internet.test, ', "'1.2.3.4', internet.test, internet.test, ").replace('172.30.5.0/24', '172.30.5.0/30');
    const msg = problems(text);
    expect(msg).toMatch(/strict.yaml:7:\d+: egress.domains\[4\]: is an IP address/);
    expect(msg).toMatch(/egress.domains\[6\]: is listed twice/);
    expect(msg).toMatch(/network.subnet: is too small for allowlist mode/);
    expect(problems(TEXT.replace('port: 443 }]', 'port: 8443 }]'))).toMatch(/probe.mustReach\[1\].host: is not reachable through the proxy/);
    expect(problems(`${TEXT}hostPorts: []\n`.replace('proxyImage: localhost/test/squid:1', 'allow: [{ to: 192.168.50.20, ports: [22] }]'))).toMatch(/egress.allow\[0\]: has no effect in allowlist mode/);
    expect(problems(TEXT.replace(/  domains: .*\n/, ''))).toMatch(/egress.proxyImage: has no effect without egress.domains/);
  });

  it('splits network.subnet: the lower half for the proxy\'s bridge, the upper for the agent', () => {
    const p = load();
    expect(p.network.subnet).toBe('172.30.5.0/25');
    expect(p.proxy).toMatchObject({
      image: 'localhost/test/squid:1', container: 'hermit-strict-proxy', address: '172.30.5.130', bridgeAddress: '172.30.5.2', port: 3128,
      network: { name: 'hermit-strict-internal', subnet: '172.30.5.128/25', gateway: '172.30.5.129', bridge: 'hmi-strict' },
    });
    expect(p.proxy!.build).toBeUndefined();
    expect(load(TEXT.replace(/  proxyImage: .*\n/, '')).proxy!.build?.dockerfile).toMatch(/profiles\/squid\/Dockerfile$/);
  });
});

describe('allowlist plan', () => {
  it('writes squid.conf from the profile', async () => {
    await expect(squidConf(load())).toMatchFileSnapshot('golden/allowlist-squid.conf');
  });

  it('runs the agent on the internal network, its resolver a dead end reached fast, with the proxy in its environment', () => {
    const p = load();
    const run = dockerRun(p, { dockerArgs: [], command: [] }, {});
    expect(run.args.slice(run.args.indexOf('--network'), run.args.indexOf('--network') + 8)).toEqual(['--network', 'hermit-strict-internal', '--dns', '172.30.5.130', '--dns-option', 'timeout:1', '--dns-option', 'attempts:1']);
    expect(run.env).toEqual(proxyEnv(p.proxy!));
    expect(run.env.https_proxy).toBe('http://172.30.5.130:3128');
    expect(run.env.NO_PROXY).toBe('localhost,127.0.0.1,::1,172.30.5.130,hermit-strict-proxy');
    expect(run.create?.body).toMatchObject({ HostConfig: { NetworkMode: 'hermit-strict-internal', Dns: ['172.30.5.130'], DnsOptions: ['timeout:1', 'attempts:1'] } });
  });

  it('creates the internal network and the proxy: non-root, no capabilities, on hermit\'s bridge, then connected', async () => {
    const pp = planProxy(load(), proxyFacts({ imageId: 'sha256:squid' }), { replace: false })!;
    expect(pp.network).toEqual({ kind: 'create', args: ['network', 'create', '--driver', 'bridge', '--internal', '--subnet', '172.30.5.128/25', '--gateway', '172.30.5.129',
      '--opt', 'com.docker.network.bridge.name=hmi-strict', '--label', 'hermit.profile=strict', 'hermit-strict-internal'] });
    expect(pp.config).toMatchObject({ file: '/var/lib/hermit/strict/proxy/conf/squid.conf', changed: true });
    expect(pp.container).toEqual({ kind: 'run', reason: 'create proxy' });
    await expect(`${pp.sidecar.create.args.join('\n')}\n`).toMatchFileSnapshot('golden/allowlist-proxy-create.argv');
    expect(pp.sidecar.joins).toEqual([['network', 'connect', '--ip', '172.30.5.130', 'hermit-strict-internal', 'hermit-strict-proxy']]);
  });

  it('reloads a running proxy when only the list changed, and keeps it when nothing did', () => {
    const p = load();
    const pp = planProxy(p, proxyFacts({ imageId: 'x' }), { replace: false })!;
    const running: ExistingContainer = { id: 'c1', name: 'hermit-strict-proxy', running: true, status: 'running', pid: 9, image: 'x', startedAt: '', restartPolicy: 'no', networks: [],
      labels: { 'hermit.profile': 'strict', 'hermit.role': 'proxy', 'hermit.config': pp.sidecar.configHash } };
    const same = planProxy(p, proxyFacts({ imageId: 'x', container: running, config: squidConf(p) }), { replace: false })!;
    expect(same.container).toMatchObject({ kind: 'keep', reload: false });
    const other = planProxy(p, proxyFacts({ imageId: 'x', container: running, config: 'old' }), { replace: false })!;
    expect(other.container).toMatchObject({ kind: 'keep', reload: true, reason: expect.stringMatching(/reload proxy/) });
    const foreign = { ...running, labels: {} };
    expect(() => planProxy(p, proxyFacts({ imageId: 'x', container: foreign }), { replace: false })).toThrow(/was not started by hermit as the proxy/);
  });

  it('builds the default proxy image from hermit\'s recipe, and refuses a missing custom one', () => {
    const own = planProxy(load(TEXT.replace(/  proxyImage: .*\n/, '')), proxyFacts(), { replace: false })!;
    expect(own.image).toMatchObject({ kind: 'build', args: ['build', '--tag', 'localhost/hermit/squid:latest', '--file', expect.stringMatching(/squid\/Dockerfile$/), expect.stringMatching(/profiles\/squid$/)] });
    expect(() => planProxy(load(), proxyFacts(), { replace: false })).toThrow(/proxy image localhost\/test\/squid:1 is not on this host/);
  });

  it('sends the internal bridge through the INPUT chain; DNS to the host only from the proxy\'s bridge', async () => {
    const p = load();
    p.dns = ['172.30.5.1'];
    await expect(planFirewall(buildRuleset(p, 4, HOST), FRESH_SAVE4).payload).toMatchFileSnapshot('golden/allowlist-v4.restore');
    const v6 = planFirewall(buildRuleset(p, 6, HOST), FRESH_SAVE6);
    expect(v6.changes).toEqual(expect.arrayContaining(['add jump FORWARD -i hmi-strict → HERMIT-strict', 'add jump INPUT -i hmi-strict → HERMIT-strict']));
  });

  it('changes nothing on a second run, with two jumps into one chain', () => {
    const p = load();
    for (const [family, save] of [[4, FRESH_SAVE4], [6, FRESH_SAVE6]] as const) {
      const change = planFirewall(buildRuleset(p, family, HOST), save);
      const after = applyPayload(save, change.payload!);
      expect(planFirewall(buildRuleset(p, family, HOST), after).payload).toBeNull();
    }
  });

  it('shows the proxy in the plan (dry run)', () => {
    const plan = makePlan(load(), proxyFacts({ imageId: 'x' }), { extras: { dockerArgs: [], command: [] }, environment: {}, replace: false });
    expect(plan.proxy?.config.text).toContain('http_port 172.30.5.130:3128');
  });
});

describe('allowlist probe', () => {
  it('expects direct connections blocked, the proxy to refuse what is not listed, and no DNS', () => {
    const plan = planProbe(load(), sampleFacts());
    const rows = plan.tcp.map((t) => `${t.expect} ${t.probe.proxy ? `${t.probe.method} ` : ''}${t.probe.host}:${t.probe.port}`);
    expect(rows).toEqual([
      'blocked 172.30.5.129:80',
      'blocked 192.168.50.10:80',
      'blocked 172.17.0.1:80',
      'blocked 192.168.50.1:80',
      'blocked 169.254.169.254:80',
      'blocked 192.168.50.1:53',
      'blocked 1.1.1.1:53',
      'blocked 203.0.113.10:80',
      'denied connect unlisted.hermit-probe.invalid:443',
      'denied connect 1.1.1.1:443',
      'denied connect 192.168.50.1:80',
      'denied connect 169.254.169.254:80',
      'denied connect rebind.internet.test:443',
      'reachable http internet.test:80',
      'reachable connect api.anthropic.com:443',
    ]);
    expect(plan.tcp.filter((t) => t.probe.proxy).every((t) => t.probe.proxy === '172.30.5.130:3128')).toBe(true);
    expect(plan.dns.map((d) => [d.probe.server, d.expect])).toEqual([['127.0.0.11', 'no answer'], ['192.168.50.1', 'no answer'], ['1.1.1.1', 'no answer']]);
  });

  it.each([
    ['HTTP/1.1 200 Connection established\r\n', false, { outcome: 'connected' }],
    ['HTTP/1.1 403 Forbidden\r\nServer: squid\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\n', false, { outcome: 'denied', code: 'HTTP 403 ERR_ACCESS_DENIED' }],
    ['HTTP/1.1 503 Service Unavailable\r\nX-Squid-Error: ERR_CONNECT_FAIL 113\r\n', false, { outcome: 'error', code: 'HTTP 503 ERR_CONNECT_FAIL' }],
    ['HTTP/1.1 403 Forbidden\r\nServer: origin\r\n', true, { outcome: 'connected' }],
    ['HTTP/1.1 403 Forbidden\r\n', false, { outcome: 'error', code: 'HTTP 403' }],
    ['SSH-2.0-OpenSSH\r\n', false, { outcome: 'error', code: 'EPROXYANSWER' }],
  ])('reads the proxy\'s answer %#', (head, http, want) => expect(proxyAnswer(head, http)).toEqual(want));
});

describe('the proxy\'s refusals (logs --blocked)', () => {
  it('reads TCP_DENIED lines of hermit\'s logformat, and nothing else', () => {
    const log = [
      '1764599478.480 172.30.8.131 TCP_DENIED/403 CONNECT rebind.internet.test:8080 -',
      '1764599478.481 172.30.8.131 TCP_DENIED/403 GET http://nas.lan:8080/x -',
      '1764599478.482 172.30.8.131 TCP_TUNNEL/200 CONNECT www.internet.test:80 203.0.113.10',
      '1764599478.483 172.30.8.131 TCP_DENIED/403 CONNECT [::1]:443 -',
      'garbage TCP_DENIED/403 CONNECT evil:1',
      '1764599478.484 172.30.8.131 TCP_DENIED/403 CONNECT a\u001b[2Jb:443 -',
    ].join('\n');
    expect(parseProxyLog(log)).toEqual([
      { time: '2025-12-01T14:31:18.480Z', source: '172.30.8.131', destination: 'rebind.internet.test', port: 8080, protocol: 'connect', path: 'proxy' },
      { time: '2025-12-01T14:31:18.481Z', source: '172.30.8.131', destination: 'nas.lan', port: 8080, protocol: 'http', path: 'proxy' },
      { time: '2025-12-01T14:31:18.483Z', source: '172.30.8.131', destination: '::1', port: 443, protocol: 'connect', path: 'proxy' },
      { time: '2025-12-01T14:31:18.484Z', source: '172.30.8.131', destination: 'a?[2Jb', port: 443, protocol: 'connect', path: 'proxy' },
    ]);
  });
});

describe('guard and status in allowlist mode', () => {
  const p = load();
  const addrs = sampleFacts().addresses.map((a) => a.address);
  // As hermit plans it on that host (IPv6 into ip6tables' DOCKER-USER where there is one).
  const save = (family: 4 | 6, base: string) => applyPayload(base, planFirewall(asThisHostHoldsIt(buildRuleset(p, family, addrs), base), base).payload!);
  const agent: ExistingContainer = { id: 'a1', name: 'hermit-strict', running: true, status: 'running', pid: 5, image: 'i', startedAt: '2026-01-01T10:00:00.000Z',
    labels: { 'hermit.profile': 'strict' }, networks: ['hermit-strict-internal'], restartPolicy: 'no' };
  const proxy: ExistingContainer = { ...agent, id: 'p1', name: 'hermit-strict-proxy', labels: { 'hermit.profile': 'strict', 'hermit.role': 'proxy' }, networks: ['hermit-strict', 'hermit-strict-internal'] };
  const nets = [
    { id: 'n1', name: 'hermit-strict', driver: 'bridge', subnets: ['172.30.5.0/25'], gateways: ['172.30.5.1'], bridge: 'hm-strict', ipv6: false, labels: { 'hermit.profile': 'strict' }, containers: [] },
    { id: 'n2', name: 'hermit-strict-internal', driver: 'bridge', internal: true, subnets: ['172.30.5.128/25'], gateways: ['172.30.5.129'], bridge: 'hmi-strict', ipv6: false, labels: { 'hermit.profile': 'strict' }, containers: [] },
  ];
  const facts = (px?: ExistingContainer) => {
    const f = sampleFacts({ container: agent, proxy: { dir: '/d', ...(px ? { container: px } : {}) } });
    f.networks.push(...nets);
    f.firewall = { ...f.firewall, save4: save(4, FRESH_SAVE4), save6: save(6, FRESH_SAVE6) };
    return f;
  };
  const proven = { at: '2026-01-01T10:00:05.000Z', profile: 'strict', file: 'f', containerId: 'a1', ok: true, report: { container: 'hermit-strict', profile: 'strict', ok: true, rows: [] } };

  it('the guard accepts the agent on its internal network, and stops it when the proxy is gone or has a second network', () => {
    expect(verify(p, facts(proxy), proven).drifts).toEqual([]);
    expect(verify(p, facts(), proven).drifts).toEqual([{ kind: 'fatal', reason: expect.stringMatching(/proxy hermit-strict-proxy is gone/) }]);
    expect(verify(p, facts({ ...proxy, networks: [...proxy.networks, 'bridge'] }), proven).drifts).toEqual([{ kind: 'fatal', reason: expect.stringMatching(/also on network\(s\) bridge/) }]);
  });

  it('status shows the proxy and the internal network, and is not ok without the proxy', () => {
    const f = facts(proxy);
    const inv = { containers: [agent, proxy], networks: nets, save4: f.firewall.save4, save6: f.firewall.save6, nftTables: {} };
    const st = profileStatus('strict', inv, { profile: p, hostAddresses: addrs, probe: proven });
    expect(st).toMatchObject({ ok: true, proxy: { name: 'hermit-strict-proxy', state: 'running', running: true, network: { name: 'hermit-strict-internal', present: true } } });
    expect(renderStatus(st)).toMatch(/proxy {7}hermit-strict-proxy: running \(allowlist mode\)/);
    expect(profileStatus('strict', { ...inv, containers: [agent] }, { profile: p, hostAddresses: addrs, probe: proven }).ok).toBe(false);
  });
});

/** What iptables-restore --noflush would leave: enough of it for these payloads (declare, -A, -I 1, -D). */
function applyPayload(save: string, payload: string): string {
  const chains = new Map<string, string[]>();
  for (const l of save.split('\n')) {
    if (l.startsWith(':')) chains.set(l.slice(1).split(' ')[0]!, []);
    else if (l.startsWith('-A ')) chains.get(l.split(' ')[1]!)!.push(l);
  }
  for (const l of payload.split('\n')) {
    const [op, chain = '', ...rest] = l.split(' ');
    if (l.startsWith(':')) chains.set(l.slice(1).split(' ')[0]!, []);
    else if (op === '-A') chains.get(chain)!.push(l);
    else if (op === '-I') chains.get(chain)!.unshift(['-A', chain, ...rest.slice(1)].join(' '));
    else if (op === '-D') { const list = chains.get(chain)!; list.splice(list.indexOf(['-A', chain, ...rest].join(' ')), 1); }
  }
  return ['*filter', ...[...chains.keys()].map((n) => `:${n} - [0:0]`), ...[...chains.values()].flat(), 'COMMIT', ''].join('\n');
}
