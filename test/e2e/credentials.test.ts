// Credentials end to end (allowlist mode): a TLS service on the world's "internet" that echoes the
// headers it received, behind hermit's proxy. The real key arrives there; the agent's placeholder
// does not; the key is nowhere the agent, docker inspect, hermit's state or the process list can
// show; a service whose certificate does not verify gets nothing.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor/types.js';
import { type WorldInfo, NS, docker, hermit, inHost, pidOf, sleeperHead, squidImage, waitUntil, writeProfile } from './world.js';

const world = inject('world') as WorldInfo;
const ECHO = fileURLToPath(new URL('./fixtures/echo-headers.mjs', import.meta.url));
const NAME = 'credt';
const AGENT = `hermit-${NAME}`;
const PROXY = `hermit-${NAME}-proxy`;
// network.subnet 172.30.12.0/24: the agent's internal half is 172.30.12.128/25, the proxy .130.
const PROXY_IP = '172.30.12.130';
const GOOD_PORT = 8443;
const BAD_PORT = 9443;
const SECRET = `sk-hermit-test-${randomBytes(12).toString('hex')}`;
const PLACEHOLDER = 'placeholder-from-the-agent';
const sha = (v: string) => createHash('sha256').update(v).digest('hex');

const dir = join(world.root, 'creds');
const runDir = join(world.root, 'run-hermit');
// hermit runs with HERMIT_RUN_DIR = runDir (world.ts): the proxy's keys stay in the world.
const env = { HERMIT_TEST_KEY: SECRET };
let started: Promise<void> | undefined;

/** The CAs, certificates and both echo services, once for the file (the world's teardown ends them). */
function services(): Promise<void> {
  started ??= (async () => {
    mkdirSync(dir, { recursive: true });
    await certs('ca', 'good', ['internet.test']);
    await certs('otherca', 'bad', ['www.internet.test']);
    await Promise.all([startEcho('good', GOOD_PORT), startEcho('bad', BAD_PORT)]);
  })();
  return started;
}

async function openssl(args: string[]): Promise<void> {
  const r = await inHost(world, 'openssl', args, { cwd: dir });
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA, and a server certificate for `names` signed by it. */
async function certs(ca: string, server: string, names: string[]): Promise<void> {
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '2', '-subj', `/CN=${ca}`]);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${server}.key`, '-out', `${server}.csr`, '-subj', `/CN=${names[0]}`]);
  await inHost(world, 'sh', ['-c', `printf 'subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\\n' > ${server}.ext`], { cwd: dir });
  await openssl(['x509', '-req', '-in', `${server}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${server}.pem`, '-days', '2', '-extfile', `${server}.ext`]);
}

/** The echo service on the world's internet address, its requests logged to <name>.log. */
async function startEcho(name: string, port: number): Promise<void> {
  const out = join(dir, `${name}.out`);
  const fd = openSync(out, 'a');
  const child = spawn('nsenter', [`--net=/var/run/netns/${NS.inet}`, '--', process.execPath, ECHO, world.addr.internet, String(port),
    join(dir, `${name}.pem`), join(dir, `${name}.key`), join(dir, `${name}.log`)], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  await new Promise<void>((res, rej) => { child.once('spawn', res); child.once('error', rej); });
  await waitUntil(`${name} listening`, 10_000, async () => (readFileSync(out, 'utf8').includes('listening') ? true : undefined));
}

/** Allowlist mode (the proxy also forwards internet.test), or the default mode (`domains` empty). */
function profileYaml(image: string, name = NAME, subnet = '172.30.12.0/24', domains = '\n  domains: [internet.test]'): string {
  return `${sleeperHead(world, name, subnet)}egress:${domains}
  proxyImage: ${image}
  caFile: ${join(dir, 'ca.pem')}
credentials:
  - host: internet.test:${GOOD_PORT}
    header: x-api-key
    value: \${HERMIT_TEST_KEY}
    baseUrlEnv: ECHO_BASE_URL
  - host: www.internet.test:${BAD_PORT}
    header: Authorization
    value: Bearer \${HERMIT_TEST_KEY}
    baseUrlEnv: UNVERIFIED_BASE_URL
container:
  env:
    ECHO_API_KEY: ${PLACEHOLDER}
probe:
  dnsName: internet.test
  timeoutMs: 5000
  mustReach:
    - { host: internet.test, port: ${world.ports.internet} }
`;
}

/** One HTTP request from the agent's network namespace to the proxy's port, with the agent's own
 * header (and a Host naming another server): "<status>\n<body>". */
async function fromAgent(port: number, header: string, agent = AGENT, proxyIp = PROXY_IP): Promise<string> {
  const script = `require('node:http').get({ host: '${proxyIp}', port: ${port}, path: '/v1/messages', timeout: 20000,
    headers: { host: 'evil.example', '${header}': '${PLACEHOLDER}' } }, (res) => { let b = ''; res.on('data', (d) => b += d);
    res.on('end', () => console.log(res.statusCode + '\\n' + b)); }).on('error', (e) => console.log('error ' + e.message));`;
  const r = await inHost(world, 'nsenter', [`--net=/proc/${await pidOf(world, agent)}/ns/net`, '--', process.execPath, '-e', script], { timeout: 30_000 });
  return r.stdout.trim();
}

/** The key the far side saw last (the good service's log). */
const lastKeySeen = () => (JSON.parse(readFileSync(join(dir, 'good.log'), 'utf8').trim().split('\n').at(-1)!) as { headers: Record<string, string> }).headers['x-api-key'];

/** Every file under `root` whose content holds the secret. */
function filesHolding(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && readFileSync(p).includes(SECRET)) out.push(p);
    }
  };
  try { walk(root); } catch { /* none */ }
  return out;
}

describe.skipIf(!!world.skip)('credentials added by the proxy (end to end, allowlist mode)', () => {
  let file: string;

  beforeAll(async () => {
    await services();
    file = writeProfile(world, NAME, profileYaml(await squidImage(world)));
  }, 900_000);

  afterAll(async () => {
    await hermit(world, ['down', NAME], { env });
  });

  it('--dry-run shows the accelerator ports and peers, never the key', async () => {
    const r = await hermit(world, ['run', file, '--dry-run'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`http_port ${PROXY_IP}:3129 accel defaultsite=internet.test`);
    expect(r.stdout).toMatch(new RegExp(`cache_peer internet.test parent ${GOOD_PORT} 0 originserver .* tls tls-cafile=`));
    expect(r.stdout).toContain(`# ${join(runDir, NAME, 'proxy', 'credentials.conf')} (written): holds the keys, never shown`);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('launches; the agent gets the base URL and a placeholder, never the key', async () => {
    const r = await hermit(world, ['run', file], { env });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    const agentEnv = (await docker(world, ['exec', AGENT, 'env'])).stdout;
    expect(agentEnv).toContain(`ECHO_BASE_URL=http://${PROXY_IP}:3129`);
    expect(agentEnv).toContain(`UNVERIFIED_BASE_URL=http://${PROXY_IP}:3130`);
    expect(agentEnv).not.toContain(SECRET);
  });

  // Without the key in hermit's environment: the probe checks for what the proxy adds now.
  it('the probe shows the agent\'s environment holds no key', async () => {
    const r = await hermit(world, ['probe', file, '--json']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const row = (JSON.parse(r.stdout) as { rows: { id: string; ok: boolean; observed: string }[] }).rows.find((x) => x.id === 'held-keys');
    expect(row).toMatchObject({ ok: true, observed: expect.stringMatching(/^none of 2 values in \d+ variables$/) });
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('doctor verifies each upstream\'s certificate, the proxy\'s credentials.conf and its image\'s CAs, and prints no key', async () => {
    const r = await hermit(world, ['doctor', file, '--json'], { env, timeout: 120_000 });
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    const checks = (JSON.parse(r.stdout) as DoctorReport).checks;
    const check = (id: string) => checks.find((c) => c.id === id)!;
    const tls = check('proxy.credential-tls');
    // The good service verifies against egress.caFile; the other's CA is not trusted.
    expect(tls).toMatchObject({ status: 'fail', summary: expect.stringContaining(`www.internet.test:${BAD_PORT}`), fix: expect.stringContaining('egress.caFile') });
    expect(tls.summary).toContain('checked from the host');
    expect(tls.evidence.find((e) => e.startsWith(`internet.test:${GOOD_PORT} `))).toMatch(/: verified$/);
    expect(check('proxy.credentials-file')).toMatchObject({ status: 'ok', summary: expect.stringContaining('mode 0400') });
    // The world's proxy image is made offline (debootstrap): doctor says what test -f says inside it.
    const hasBundle = (await docker(world, ['run', '--rm', '--network', 'none', '--entrypoint', 'test', await squidImage(world), '-f', '/etc/ssl/certs/ca-certificates.crt'])).exitCode === 0;
    expect(check('proxy.ca-bundle').status).toBe(hasBundle ? 'ok' : 'fail');
  });

  it('the far side receives the real key; the agent\'s own value never arrives', async () => {
    const answer = await fromAgent(3129, 'x-api-key');
    expect(answer).toMatch(/^200\n/);
    const body = JSON.parse(answer.slice(4)) as { headers: Record<string, string> };
    expect(body.headers['x-api-key']).toBe(sha(SECRET));
    // The proxy names the real host, whatever Host the agent sent.
    expect(body.headers.host).toBe(sha('internet.test'));
    const seen = readFileSync(join(dir, 'good.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { headers: Record<string, string> });
    expect(seen.at(-1)!.headers['x-api-key']).toBe(SECRET);
    expect(JSON.stringify(seen)).not.toContain(PLACEHOLDER);
    // The agent read only a digest: the key itself is not in what it got back.
    expect(answer).not.toContain(SECRET);
  });

  it('an upstream whose certificate does not verify gets nothing', async () => {
    const answer = await fromAgent(3130, 'Authorization');
    expect(answer).toMatch(/^50[23]\n/);
    expect(readFileSync(join(dir, 'bad.log'), { encoding: 'utf8', flag: 'a+' })).toBe('');
  });

  it('the key is nowhere in docker inspect, the agent\'s files, hermit\'s state, the logs or the process list', async () => {
    for (const c of [AGENT, PROXY]) expect((await docker(world, ['inspect', c])).stdout).not.toContain(SECRET);
    const grep = await docker(world, ['exec', AGENT, 'sh', '-c', `grep -rl '${SECRET}' /bin /etc /tmp /root /home /var /run 2>/dev/null; true`]);
    expect(grep.stdout.trim()).toBe('');
    expect(filesHolding(join(world.root, 'state'))).toEqual([]);
    expect(readFileSync(world.logs.dockerd!, 'utf8')).not.toContain(SECRET);
    const ps = await inHost(world, 'ps', ['-eo', 'args']);
    expect(ps.stdout).not.toContain(SECRET);
    // Its one copy: root-only folder, a file only the proxy's user (uid 13) reads.
    expect(filesHolding(runDir)).toEqual([join(runDir, NAME, 'proxy', 'credentials.conf')]);
    const st = statSync(join(runDir, NAME, 'proxy', 'credentials.conf'));
    expect([st.uid, st.mode & 0o777]).toEqual([13, 0o400]);
    expect(statSync(join(runDir, NAME)).mode & 0o077).toBe(0);
  });

  it('a new key needs no new approval: the proxy reloads and sends it', async () => {
    const next = `${SECRET}-rotated`;
    const r = await hermit(world, ['run', file], { env: { ...env, HERMIT_TEST_KEY: next } });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    await waitUntil('the rotated key at the far side', 30_000, async () => {
      await fromAgent(3129, 'x-api-key');
      const last = readFileSync(join(dir, 'good.log'), 'utf8').trim().split('\n').at(-1)!;
      return (JSON.parse(last) as { headers: Record<string, string> }).headers['x-api-key'] === next ? true : undefined;
    });
  });

  it('down removes the proxy\'s copy of the key', async () => {
    const r = await hermit(world, ['down', NAME], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(filesHolding(runDir)).toEqual([]);
  });
});

describe.skipIf(!!world.skip)('credentials added by the proxy (end to end, default mode)', () => {
  const name = 'credd';
  const agent = `hermit-${name}`;
  // network.subnet 172.30.13.0/24 stays whole: the agent on it, the proxy at its last address.
  const proxyIp = '172.30.13.254';
  let file: string;

  beforeAll(async () => {
    await services();
    file = writeProfile(world, name, profileYaml(await squidImage(world), name, '172.30.13.0/24', ''));
  }, 900_000);

  afterAll(async () => {
    await hermit(world, ['down', name], { env });
  });

  it('launches the agent with its own way out and the proxy beside it on its bridge', async () => {
    const r = await hermit(world, ['run', file], { env });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const agentEnv = (await docker(world, ['exec', agent, 'env'])).stdout;
    expect(agentEnv).toContain(`ECHO_BASE_URL=http://${proxyIp}:3129`);
    expect(agentEnv).not.toMatch(/HTTPS?_PROXY/i);
    expect(agentEnv).not.toContain(SECRET);
    const nets = (await docker(world, ['inspect', '--format', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}', `${agent}-proxy`])).stdout.trim();
    expect(nets).toBe(`hermit-${name}=${proxyIp}`);
  });

  it('the far side receives the real key, not the agent\'s; an unverified upstream gets nothing', async () => {
    const answer = await fromAgent(3129, 'x-api-key', agent, proxyIp);
    expect(answer).toMatch(/^200\n/);
    expect((JSON.parse(answer.slice(4)) as { headers: Record<string, string> }).headers['x-api-key']).toBe(sha(SECRET));
    expect(lastKeySeen()).toBe(SECRET);
    expect(await fromAgent(3130, 'Authorization', agent, proxyIp)).toMatch(/^50[23]\n/);
    expect(readFileSync(join(dir, 'bad.log'), { encoding: 'utf8', flag: 'a+' })).toBe('');
  });

  it('a second run finds the rules, the proxy and the agent as they should be', async () => {
    const r = await hermit(world, ['run', file], { env });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`Nothing changed: network, firewall rules and container already match profile '${name}'.`);
    const st = await hermit(world, ['status', file], { env });
    expect(st.stdout).toContain(`proxy       ${agent}-proxy: running (credentials)`);
  });

  it('the key is nowhere in docker inspect, hermit\'s state or the process list', async () => {
    for (const c of [agent, `${agent}-proxy`]) expect((await docker(world, ['inspect', c])).stdout).not.toContain(SECRET);
    expect(filesHolding(join(world.root, 'state'))).toEqual([]);
    expect((await inHost(world, 'ps', ['-eo', 'args'])).stdout).not.toContain(SECRET);
    expect(filesHolding(runDir)).toEqual([join(runDir, name, 'proxy', 'credentials.conf')]);
  });

  // container.env, envFile and passEnv are refused at plan time, and so is `-e NAME=value` after --;
  // `-e NAME` after -- is not (docker copies the value from hermit's environment, which the plan
  // never reads): the probe finds the key in the agent and fails closed.
  it('a key handed to the agent by name after -- is a breach: the container is stopped', async () => {
    const r = await hermit(world, ['run', file, '--', '-e', 'HERMIT_TEST_KEY'], { env });
    expect(r.exitCode, r.stdout + r.stderr).toBe(5);
    expect(r.stdout).toMatch(/FAIL .*no key +key held: credentials\[0\] \(internet\.test[^)]*\) in HERMIT_TEST_KEY/);
    expect(r.stderr).toContain('BREACH');
    const running = (await docker(world, ['inspect', '--format', '{{.State.Running}}', agent])).stdout.trim();
    expect(running).toBe('false');
  });
});
