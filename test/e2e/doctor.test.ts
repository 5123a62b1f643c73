// hermit doctor against the test world: a healthy host first, then faults made on purpose (each
// undone in `finally`, so the other test files find the world as it was) that doctor must name,
// with the right fix. Every run also writes its report and evidence to OUT, kept after the run for
// a post-mortem (outside the world's root, which the next run wipes); the recordings under
// test/fixtures/doctor came from there.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Check, DoctorReport } from '../../src/doctor/types.js';
import { FIREWALL, NS, type RunResult, type WorldInfo, docker, hermit, hermitAsNobody, inHost, inNs, nftTableOf, readableByNobody, writeProfile as writeProfileIn } from './world.js';

const world = inject('world') as WorldInfo;
const OK = { name: 'doc-ok', subnet: '172.30.20.0/24' };
const DEAD = { name: 'doc-deaddns', subnet: '172.30.21.0/24', resolver: '203.0.113.53' }; // nothing lives there

function profileYaml(name: string, subnet: string, dns: string, extra = ''): string {
  return `name: ${name}
image: ${world.image}
command: [sleep, "86400"]
network:
  subnet: ${subnet}
dns: [${dns}]
probe:
  dnsName: internet.test
  timeoutMs: 3000
  mustReach:
    - { host: internet.test, port: ${world.ports.internet} }
${extra}`;
}

const writeProfile = (name: string, text: string) => writeProfileIn(world, name, text);

// One per world (worlds run side by side, e.g. CI's lanes): /tmp/hermit-e2e[-id]-doctor.
const OUT = `${world.root}-doctor`;
const logFile = (what: string) => join(OUT, `${what}.json`);

async function doctor(file: string, what: string): Promise<{ r: RunResult; report: DoctorReport; check: (id: string) => Check }> {
  const r = await hermit(world, ['doctor', file, '--json', '--evidence', logFile(`evidence-${what}`)], { timeout: 60_000 });
  let report: DoctorReport;
  try { report = JSON.parse(r.stdout) as DoctorReport; } catch { throw new Error(`doctor printed no JSON (exit ${r.exitCode}): ${r.stderr}`); }
  writeFileSync(logFile(`report-${what}`), r.stdout);
  const check = (id: string) => {
    const c = report.checks.find((x) => x.id === id);
    if (!c) throw new Error(`no check ${id}`);
    return c;
  };
  return { r, report, check };
}

const failed = (report: DoctorReport) => report.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.summary}`);

async function must(p: Promise<RunResult>): Promise<string> {
  const r = await p;
  if (r.exitCode !== 0) throw new Error(`exit ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}

const NFT = FIREWALL === 'nftables';

/** Test cleanup (doctor itself never writes rules): hermit's jumps and chains (or table) of one profile. */
async function removeChains(profile: string): Promise<void> {
  await inHost(world, 'nft', ['delete', 'table', 'inet', `hermit-${profile}`]);
  for (const tool of ['iptables', 'ip6tables']) {
    const save = (await inHost(world, `${tool}-save`, ['-t', 'filter'])).stdout;
    for (const line of save.split('\n').filter((l) => l.startsWith('-A ') && l.includes(`"hermit:${profile}"`) && / -j HERMIT-\S+$/.test(l))) {
      const args = (line.slice(3).match(/"[^"]*"|\S+/g) ?? []).map((a) => a.replace(/^"|"$/g, ''));
      await inHost(world, tool, ['-D', ...args]);
    }
    for (const chain of [`HERMIT-${profile}`, `HERMIT-IN-${profile}`]) {
      if (save.includes(`:${chain} `)) { await inHost(world, tool, ['-F', chain]); await inHost(world, tool, ['-X', chain]); }
    }
  }
}

/** Everything doctor must leave alone. */
async function hostState(): Promise<string> {
  const [v4, v6, nets, ps, fwd, links, table] = await Promise.all([
    inHost(world, 'iptables-save', []), inHost(world, 'ip6tables-save', []),
    docker(world, ['network', 'ls', '--format', '{{.Name}} {{.ID}}']), docker(world, ['ps', '-a', '--format', '{{.Names}} {{.ID}} {{.State}}']),
    inHost(world, 'cat', ['/proc/sys/net/ipv4/ip_forward']), inHost(world, 'ip', ['-o', 'link', 'show']), nftTableOf(world, OK.name),
  ]);
  const rules = (s: string) => s.split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, '')).join('\n');
  // Interfaces by name and MTU: docker0's carrier flags lag behind a removed throwaway container.
  const mtus = links.stdout.split('\n').map((l) => /^\d+: (\S+): .* mtu (\d+)/.exec(l)?.slice(1).join(' mtu ')).join('\n');
  return [rules(v4.stdout), rules(v6.stdout), table, nets.stdout, ps.stdout, fwd.stdout, mtus].join('\n---\n');
}

describe.skipIf(!!world.skip)('hermit doctor (end to end)', () => {
  let okFile: string;

  beforeAll(async () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    okFile = writeProfile(OK.name, profileYaml(OK.name, OK.subnet, world.addr.router));
    const r = await hermit(world, ['run', okFile]);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
  });

  afterAll(async () => {
    await docker(world, ['rm', '--force', `hermit-${OK.name}`, `hermit-${DEAD.name}`]);
    await docker(world, ['network', 'rm', `hermit-${OK.name}`, `hermit-${DEAD.name}`]);
    await removeChains(OK.name);
    await removeChains(DEAD.name);
  });

  it('finds nothing wrong on a healthy host, from all three vantage points, and changes nothing', async () => {
    const before = await hostState();
    const { r, report, check } = await doctor(okFile, 'healthy');
    expect(failed(report), r.stderr).toEqual([]);
    expect(r.exitCode).toBe(0);
    for (const id of ['host.ip-forward', 'host.forward-order', 'host.hermit-rules', 'host.firewall-backend', 'network.bridge', 'network.mtu', 'network.overlap',
      'network.ipv6', 'connectivity.localize', 'connectivity.dns.profile', 'connectivity.tcp.profile', 'connectivity.mtu.profile',
      'connectivity.dns.bridge', 'connectivity.tcp.bridge', 'connectivity.dns.host', 'connectivity.tcp.host', 'connectivity.ipv6']) {
      const skipped = NFT && id === 'host.forward-order'; // hermit's table hooks the kernel itself
      expect({ id, status: check(id).status, summary: check(id).summary }).toMatchObject({ id, status: skipped ? 'skipped' : 'ok' });
    }
    expect(check('host.firewall-backend').summary).toContain(NFT ? 'hermit uses nftables (HERMIT_FIREWALL=nftables)' : 'hermit uses iptables');
    expect(check('connectivity.tcp.profile').evidence[0]).toContain(`agent container hermit-${OK.name}`);
    expect(check('connectivity.tcp.bridge').evidence[0]).toContain('throwaway container');
    expect(await hostState()).toBe(before);
    const left = await docker(world, ['ps', '-a', '--filter', 'label=hermit.doctor', '--format', '{{.Names}}']);
    expect(left.stdout.trim()).toBe('');
  });

  it('names ip_forward off, with the sysctl fix, and localises it to Docker\'s forwarding; --compare shows just that', async () => {
    const was = (await must(inNs(NS.host, 'cat', ['/proc/sys/net/ipv4/ip_forward']))).trim();
    try {
      await must(inNs(NS.host, '/bin/busybox', ['sysctl', '-w', 'net.ipv4.ip_forward=0']));
      const { r, check } = await doctor(okFile, 'ip-forward-off');
      expect(r.exitCode).toBe(3);
      expect(check('host.ip-forward')).toMatchObject({ status: 'fail', summary: expect.stringContaining('net.ipv4.ip_forward is 0') });
      expect(check('host.ip-forward').fix).toContain('sysctl -w net.ipv4.ip_forward=1');
      expect(check('connectivity.localize')).toMatchObject({ status: 'fail', summary: expect.stringContaining("Docker's forwarding") });
      expect(check('connectivity.tcp.host').status).toBe('ok');
      expect(check('connectivity.tcp.bridge').status).toBe('fail');
    } finally {
      await must(inNs(NS.host, '/bin/busybox', ['sysctl', '-w', `net.ipv4.ip_forward=${was}`]));
    }
    const cmp = await hermit(world, ['doctor', '--compare', logFile('report-healthy'), logFile('report-ip-forward-off')]);
    expect(cmp.exitCode, cmp.stderr).toBe(0);
    expect(cmp.stdout).toMatch(/host\.ip-forward \(.*\): ok → fail/);
    expect(cmp.stdout).toContain('+ /proc/sys/net/ipv4/ip_forward = 0');
    expect(cmp.stdout).not.toContain('host.system');
    expect(cmp.stdout).not.toContain('host.hermit-rules');
  });

  it('names a dead resolver in the profile, and says it is dead from the host too', async () => {
    const file = writeProfile(DEAD.name, profileYaml(DEAD.name, DEAD.subnet, DEAD.resolver, '  outageRetrySec: 0\n'));
    const run = await hermit(world, ['run', file]);
    expect(run.exitCode, run.stderr).toBe(6); // an outage: reported, and the container keeps running
    const { r, check } = await doctor(file, 'dead-resolver');
    expect(r.exitCode).toBe(3);
    const dns = check('connectivity.dns.profile');
    expect(dns).toMatchObject({ status: 'fail', summary: expect.stringContaining(DEAD.resolver) });
    expect(dns.fix).toContain(`Resolver ${DEAD.resolver} does not answer even from the host`);
    expect(check('connectivity.dns.host').status).toBe('fail');
    expect(check('connectivity.localize').summary).toContain('outside Docker');
  });

  it.runIf(!NFT)('names a rule in front of Docker\'s FORWARD jump, and says to restart Docker', async () => {
    try {
      await must(inHost(world, 'iptables', ['-N', 'ts-forward']));
      await must(inHost(world, 'iptables', ['-I', 'FORWARD', '1', '-j', 'ts-forward']));
      const { r, check } = await doctor(okFile, 'rule-before-docker');
      expect(r.exitCode).toBe(3);
      const c = check('host.forward-order');
      expect(c).toMatchObject({ status: 'fail', summary: expect.stringContaining('-A FORWARD -j ts-forward') });
      expect(c.summary).toContain('Tailscale');
      expect(c.fix).toContain('systemctl restart docker');
    } finally {
      await inHost(world, 'iptables', ['-D', 'FORWARD', '-j', 'ts-forward']);
      await inHost(world, 'iptables', ['-X', 'ts-forward']);
    }
  });

  it.runIf(NFT)("names hermit's changed and missing table; the fix (hermit run) puts it back and doctor passes again", async () => {
    try {
      await must(inHost(world, 'nft', ['flush', 'chain', 'inet', `hermit-${OK.name}`, `HERMIT-${OK.name}`]));
      const changed = await doctor(okFile, 'table-changed');
      expect(changed.r.exitCode).toBe(3);
      expect(changed.check('host.hermit-rules')).toMatchObject({ status: 'fail',
        summary: `hermit's table inet hermit-${OK.name} differs from the profile: replace table inet hermit-${OK.name}: replace chain HERMIT-${OK.name} (0 → 24 rules)` });
      await must(inHost(world, 'nft', ['delete', 'table', 'inet', `hermit-${OK.name}`]));
      const { r, check } = await doctor(okFile, 'table-missing');
      expect(r.exitCode).toBe(3);
      const c = check('host.hermit-rules');
      expect(c).toMatchObject({ status: 'fail', summary: `hermit's table inet hermit-${OK.name} is missing: nothing isolates the profile's bridge` });
      expect(c.fix).toContain(`hermit run ${okFile}`);
      expect(c.fix).toContain('flush ruleset');
    } finally {
      const again = await hermit(world, ['run', okFile]);
      expect(again.exitCode, again.stderr).toBe(0);
    }
    const { r, check } = await doctor(okFile, 'table-restored');
    expect(check('host.hermit-rules').status).toBe('ok');
    expect(r.exitCode).toBe(0);
  });

  it.runIf(!NFT)("names hermit's flushed chain; the fix (hermit run) puts it back and doctor passes again", async () => {
    try {
      await must(inHost(world, 'iptables', ['-F', `HERMIT-${OK.name}`]));
      const { r, check } = await doctor(okFile, 'chain-flushed');
      expect(r.exitCode).toBe(3);
      const c = check('host.hermit-rules');
      expect(c).toMatchObject({ status: 'fail', summary: `IPv4 chain HERMIT-${OK.name} is empty (flushed): it protects nothing` });
      expect(c.fix).toContain(`hermit run ${okFile}`);
    } finally {
      const again = await hermit(world, ['run', okFile]);
      expect(again.exitCode, again.stderr).toBe(0);
    }
    const { r, check } = await doctor(okFile, 'chain-restored');
    expect(check('host.hermit-rules').status).toBe('ok');
    expect(r.exitCode).toBe(0);
  });

  it('names a lowered uplink MTU, with network.mtu as the fix, and sees the path MTU from inside', async () => {
    try {
      await must(inHost(world, 'ip', ['link', 'set', 'uplink', 'mtu', '1400']));
      const { r, check } = await doctor(okFile, 'uplink-mtu-1400');
      expect(r.exitCode).toBe(3);
      const c = check('network.mtu');
      expect(c).toMatchObject({ status: 'fail', summary: expect.stringContaining('the uplink uplink carries 1400') });
      expect(c.fix).toContain('network.mtu: 1400');
      const inside = check('connectivity.mtu.profile');
      expect(inside).toMatchObject({ status: 'warn', summary: expect.stringContaining('path MTU to internet.test is 1400') });
    } finally {
      await must(inHost(world, 'ip', ['link', 'set', 'uplink', 'mtu', '1500']));
    }
  });

  it('with docker:, checks what the agent\'s engine needs of the host (and leaves those checks out without it)', async () => {
    const file = writeProfile('doc-engine', profileYaml('doc-engine', '172.30.23.0/24', world.addr.router, 'container:\n  user: "1000:1000"\ndocker: true\n'));
    const { report, check } = await doctor(file, 'engine');
    // This machine (and CI's) allows unprivileged user namespaces: engine.test.ts runs the engine here.
    expect(check('host.engine-userns')).toMatchObject({ status: 'ok' });
    const tun = check('host.engine-tun');
    expect(tun.status, tun.summary).toBe('ok');
    expect(tun.evidence[0]).toMatch(/^\/dev\/net\/tun: character device 10:200, mode \d{4}/);
    expect(check('host.engine-apparmor').status).toMatch(/^(ok|warn)$/);
    // hermit's own engine image: here (engine.test.ts built it) or buildable.
    expect(check('host.engine-image')).toMatchObject({ status: 'ok' });
    expect(report.checks.filter((c) => c.id.startsWith('host.engine-')).length).toBe(4);
    const plain = JSON.parse(readFileSync(logFile('report-healthy'), 'utf8')) as DoctorReport;
    expect(plain.checks.filter((c) => c.id.startsWith('host.engine-') || c.id.startsWith('proxy.credential'))).toEqual([]);
  });

  it('without root, runs what it can and says why it skipped the rest', async () => {
    // From copies that user can read: the checkout may be under a 0700 directory.
    const r = await hermitAsNobody(world, ['doctor', await readableByNobody(okFile), '--json'], { env: { HOME: '/nonexistent' } });
    expect(r.exitCode, r.stderr).toBe(3);
    const report = JSON.parse(r.stdout) as DoctorReport;
    const check = (id: string) => report.checks.find((c) => c.id === id)!;
    expect(check('connectivity.dns.profile')).toMatchObject({ status: 'skipped', summary: expect.stringContaining('needs root') });
    expect(check('host.hermit-rules')).toMatchObject({ status: 'skipped', summary: expect.stringMatching(/cannot read the (firewall|nftables ruleset)/) });
    expect(check('host.docker')).toMatchObject({ status: 'fail', fix: expect.stringContaining('root') });
    expect(check('connectivity.tcp.host').status).toBe('ok'); // the host's own namespace needs no privilege
    expect(readFileSync(okFile, 'utf8')).toContain(OK.name);
  });
});
