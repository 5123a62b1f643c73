// Credentials (keys hermit's proxy adds on the way out): the profile keys, squid.conf's accelerator
// part, the root-only credentials.conf, the agent's base URLs, and how approval treats them.
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../src/profile/load.js';
import { dockerRun } from '../../src/plan/container.js';
import { planProxy, squidConf } from '../../src/plan/proxy.js';
import { approvalForm, compareProfiles, fingerprint } from '../../src/profile/trust.js';
import { buildRuleset } from '../../src/plan/ruleset.js';
import { planProbe } from '../../src/plan/targets.js';
import { makePlan } from '../../src/plan/plan.js';
import { sampleFacts } from './fixtures.js';

const TEXT = `name: keyed
image: example/agent:1
network:
  subnet: 172.30.6.0/24
dns: [192.168.50.1]
egress:
  domains: [internet.test]
  proxyImage: localhost/test/squid:1
credentials:
  - host: API.anthropic.com
    header: x-api-key
    value: \${ANTHROPIC_API_KEY}
    baseUrlEnv: ANTHROPIC_BASE_URL
  - host: git.example.org:8443
    header: Authorization
    value: Bearer \${GIT_TOKEN}
    baseUrlEnv: GIT_BASE_URL
container:
  env:
    ANTHROPIC_API_KEY: placeholder
`;
const load = (text = TEXT) => parseProfile('/p/keyed.yaml', text, { HOME: '/root' }).profile;
const problems = (text: string) => { try { load(text); return ''; } catch (e) { return (e as Error).message; } };
const SECRET_DIR = '/run/hermit/keyed/proxy';
const facts = (values: ({ value: string } | { problem: string })[], extra: Record<string, unknown> = {}) =>
  sampleFacts({ proxy: { dir: '/var/lib/hermit/keyed/proxy', imageId: 'x', credentialValues: values, secretDir: SECRET_DIR, files: {}, ...extra } });
const KEYS = [{ value: 'sk-ant-123%x' }, { value: 'Bearer ghp_abc' }];

describe('credentials in the profile', () => {
  it('keeps the value unexpanded, and counts each host as listed', () => {
    const p = load();
    expect(p.proxy!.credentials).toEqual([
      { host: 'api.anthropic.com', port: 443, header: 'x-api-key', value: '${ANTHROPIC_API_KEY}', baseUrlEnv: 'ANTHROPIC_BASE_URL' },
      { host: 'git.example.org', port: 8443, header: 'Authorization', value: 'Bearer ${GIT_TOKEN}', baseUrlEnv: 'GIT_BASE_URL' },
    ]);
    expect(p.proxy!.domains.map((d) => `${d.name}:${d.ports.join(',')}`)).toEqual(['internet.test:', 'api.anthropic.com:', 'git.example.org:8443']);
  });

  it.each([
    [TEXT.replace('value: ${ANTHROPIC_API_KEY}', 'value: sk-literal'), /credentials\[0\].value: names no variable/],
    [TEXT.replace('value: ${ANTHROPIC_API_KEY}', 'valueFile: /root/key\n    value: ${ANTHROPIC_API_KEY}'), /credentials\[0\]: give exactly one of value/],
    [TEXT.replace('header: x-api-key', 'header: Host'), /'Host' is not a header hermit sets/],
    [TEXT.replace('header: x-api-key', 'header: "x api"'), /must be an HTTP header name/],
    [TEXT.replace('baseUrlEnv: GIT_BASE_URL', 'baseUrlEnv: ANTHROPIC_BASE_URL'), /is given by another credential too/],
    [TEXT.replace('    ANTHROPIC_API_KEY: placeholder\n', '    ANTHROPIC_API_KEY: placeholder\n  passEnv: [GIT_TOKEN]\n'), /uses GIT_TOKEN, whose value container.passEnv also gives the agent/],
    [TEXT.replace('host: API.anthropic.com', 'host: .anthropic.com'), /one host name/],
    [TEXT.replace('172.30.6.0/24', '172.30.6.0/30').replace(/  domains: .*\n/, ''), /network.subnet: is too small for credentials/],
    [TEXT.replace(/credentials:[^]*container:/, 'container:').replace('  proxyImage:', '  caFile: /etc/ca.pem\n  proxyImage:'), /egress.caFile: is used only for the TLS of credentials/],
  ])('refuses a mistake (%#)', (text, message) => expect(problems(text)).toMatch(message));
});

describe('credentials in the plan', () => {
  it('squid.conf: an accelerator port and a verified TLS peer per credential, the key only by include', () => {
    const text = squidConf(load());
    expect(text).toContain('http_port 172.30.6.130:3129 accel defaultsite=api.anthropic.com name=hermit_cred_0');
    expect(text).toContain('cache_peer git.example.org parent 8443 0 originserver no-query no-digest no-netdb-exchange tls forceddomain=git.example.org name=hermit_peer_1');
    expect(text).toContain('request_header_access Authorization deny hermit_cred_1');
    expect(text).toContain('include /run/hermit-secret/credentials.conf');
    expect(text).not.toMatch(/DONT_VERIFY|sslflags/);
    // The agent's way to a credential comes before the allowlist's denials.
    expect(text.indexOf('http_access allow hermit_credential')).toBeLessThan(text.indexOf('http_access deny hermit_ip_literal'));
  });

  it('writes the keys into a root-only file of the proxy\'s user, mounted read-only, never printed', () => {
    const pp = planProxy(load(), facts(KEYS), { replace: false })!;
    expect(pp.files).toEqual([{
      path: `${SECRET_DIR}/credentials.conf`, mode: 0o400, owner: '13:13', secret: true, changed: true,
      text: expect.stringContaining('request_header_add x-api-key "sk-ant-123%%x" hermit_cred_0\nrequest_header_add Authorization "Bearer ghp_abc" hermit_cred_1\n'),
    }]);
    expect(pp.config.text).not.toContain('sk-ant');
    expect(pp.container.kind).toBe('run');
    expect(pp.sidecar.create.args.join(' ')).toContain(`--volume ${SECRET_DIR}:/run/hermit-secret:ro`);
    expect(pp.sidecar.create.args.join(' ')).not.toContain('sk-ant');
  });

  it('a new key reloads a running proxy; the same key changes nothing', () => {
    const p = load();
    const first = planProxy(p, facts(KEYS), { replace: false })!;
    const running = { id: 'c1', name: 'hermit-keyed-proxy', running: true, status: 'running', pid: 9, image: 'x', startedAt: '', restartPolicy: 'no', networks: [],
      labels: { 'hermit.profile': 'keyed', 'hermit.role': 'proxy', 'hermit.config': first.sidecar.configHash } };
    const written = { [first.files[0]!.path]: first.files[0]!.text };
    const same = planProxy(p, facts(KEYS, { container: running, config: first.config.text, files: written }), { replace: false })!;
    expect(same.container).toMatchObject({ kind: 'keep', reload: false });
    const rotated = planProxy(p, facts([{ value: 'sk-ant-456' }, KEYS[1]!], { container: running, config: first.config.text, files: written }), { replace: false })!;
    expect(rotated.container).toMatchObject({ kind: 'keep', reload: true });
    expect(rotated.config.changed).toBe(false);
  });

  it('refuses a key that is not set, or that could break the line it goes in', () => {
    expect(() => planProxy(load(), facts([{ problem: 'environment variable ANTHROPIC_API_KEY is not set' }, KEYS[1]!]), { replace: false }))
      .toThrow(/credentials\[0\] \(api.anthropic.com\): value \$\{ANTHROPIC_API_KEY\}: environment variable ANTHROPIC_API_KEY is not set/);
    for (const bad of ['sk"x', 'sk\\x', 'sk\nx', ' sk', 'sk-é']) {
      expect(() => planProxy(load(), facts([{ value: bad }, KEYS[1]!]), { replace: false })).toThrow(/holds characters no HTTP header value has here/);
    }
  });

  it('gives the agent each base URL beside the proxy settings, and nothing of the key', () => {
    const run = dockerRun(load(), { dockerArgs: [], command: [] }, {});
    expect(run.env).toMatchObject({ ANTHROPIC_BASE_URL: 'http://172.30.6.130:3129', GIT_BASE_URL: 'http://172.30.6.130:3130', ANTHROPIC_API_KEY: 'placeholder' });
  });
});

describe('credentials and approval', () => {
  const form = (text = TEXT) => approvalForm(load(text), {});
  it('holds where a key comes from, never a key: a rotated key keeps the fingerprint', () => {
    expect(JSON.stringify(form())).toContain('${ANTHROPIC_API_KEY}');
    expect(fingerprint(form())).toBe(fingerprint(approvalForm(load(), { ANTHROPIC_API_KEY: 'sk-other-value' })));
  });

  it('a changed host, header or base URL variable widens; a removed credential narrows', () => {
    for (const [from, to] of [['host: API.anthropic.com', 'host: api.example.org'], ['header: x-api-key', 'header: x-other'], ['baseUrlEnv: ANTHROPIC_BASE_URL', 'baseUrlEnv: OTHER_URL']] as const) {
      const changes = compareProfiles(form(), form(TEXT.replace(from, to)));
      expect(changes.filter((c) => c.key === 'proxy.credentials' && c.op === '+').map((c) => c.direction)).toEqual(['widens']);
    }
    const removed = compareProfiles(form(), form(TEXT.replace(/  - host: git[^]*GIT_BASE_URL\n/, '')));
    expect(removed.filter((c) => c.key === 'proxy.credentials').map((c) => c.direction)).toEqual(['narrows']);
  });
});

describe('credentials in the default mode', () => {
  const DEFAULT = TEXT.replace(/egress:\n  domains: .*\n/, 'egress:\n');
  it('runs a proxy for them alone, beside the agent on its bridge, which keeps its route out', () => {
    const p = load(DEFAULT);
    expect(p.proxy).toBeUndefined();
    expect(p.network.subnet).toBe('172.30.6.0/24');
    expect(p.credentialProxy).toMatchObject({ container: 'hermit-keyed-proxy', address: '172.30.6.254', bridgeAddress: '172.30.6.254', image: 'localhost/test/squid:1' });
    const run = dockerRun(p, { dockerArgs: [], command: [] }, {});
    expect(run.args.slice(run.args.indexOf('--network'), run.args.indexOf('--network') + 2)).toEqual(['--network', 'hermit-keyed']);
    expect(run.env).toEqual({ ANTHROPIC_API_KEY: 'placeholder', ANTHROPIC_BASE_URL: 'http://172.30.6.254:3129', GIT_BASE_URL: 'http://172.30.6.254:3130' });
    expect(run.env.HTTPS_PROXY).toBeUndefined();
  });

  it('squid.conf has no forward port and no list: the credential ports only, for the agent\'s subnet', () => {
    const text = squidConf(load(DEFAULT));
    expect(text).toContain('acl hermit_agent src 172.30.6.0/24');
    expect(text).not.toContain('http_port 172.30.6.254:3128');
    expect(text).not.toContain('hermit_listed');
    expect(text).toMatch(/http_access deny !hermit_agent\nhttp_access allow hermit_credential\nhttp_access deny all\n/);
  });

  it('creates the proxy on the agent\'s bridge, connected to nothing else; the rules let the agent reach its ports', () => {
    const p = load(DEFAULT);
    const pp = planProxy(p, facts(KEYS), { replace: false })!;
    expect(pp.network).toBeUndefined();
    expect(pp.container.kind).toBe('run');
    expect(pp.sidecar.create.args.join(' ')).toContain('--network hermit-keyed --ip 172.30.6.254');
    expect(pp.sidecar.joins).toEqual([]);
    const rules = buildRuleset(p, 4, ['127.0.0.1']).chains[0]!.rules;
    const pass = rules.findIndex((r) => r.comment === 'hermit:keyed agent to credential proxy');
    expect(rules[pass]).toMatchObject({ dst: '172.30.6.254/32', outIface: 'hm-keyed', protocol: 'tcp', ports: [3129, 3130], verdict: 'pass' });
    expect(pass).toBeLessThan(rules.findIndex((r) => r.comment === 'hermit:keyed blocked range'));
  });
});

describe('credentials in the probe', () => {
  it('connects from inside the agent to each base URL\'s port, in both modes', () => {
    const reach = (text: string) => planProbe(load(text), sampleFacts()).tcp.filter((t) => t.target.endsWith(':3129') || t.target.endsWith(':3130'))
      .map((t) => [t.probe.host, t.probe.port, t.expect, t.probe.proxy]);
    expect(reach(TEXT)).toEqual([['172.30.6.130', 3129, 'reachable', undefined], ['172.30.6.130', 3130, 'reachable', undefined]]);
    expect(reach(TEXT.replace(/egress:\n  domains: .*\n/, 'egress:\n'))).toEqual([['172.30.6.254', 3129, 'reachable', undefined], ['172.30.6.254', 3130, 'reachable', undefined]]);
  });
});

describe('the agent holds no key', () => {
  it('refuses a plan whose agent environment would carry a key (an env file, a copied value)', () => {
    const p = load();
    p.container.env.LEAK = 'prefix-sk-ant-123%x-suffix';
    const opts = { extras: { dockerArgs: [], command: [] }, environment: {}, replace: false };
    expect(() => makePlan(p, facts(KEYS), opts)).toThrow(/the agent's environment would hold the key of credentials\[0\] \(api.anthropic.com\): LEAK carries it/);
    delete p.container.env.LEAK;
    expect(makePlan(p, facts(KEYS), opts).proxy?.files).toHaveLength(1);
  });

  it('approval: a credential added in the default mode widens too', () => {
    const DEFAULT = TEXT.replace(/egress:\n  domains: .*\n/, 'egress:\n');
    const one = approvalForm(load(DEFAULT.replace(/  - host: git[^]*GIT_BASE_URL\n/, '')), {});
    const changes = compareProfiles(one, approvalForm(load(DEFAULT), {}));
    expect(changes.filter((c) => c.key === 'credentialProxy.credentials').map((c) => [c.op, c.direction])).toEqual([['+', 'widens']]);
  });
});
