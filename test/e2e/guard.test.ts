// The guard against real drift in the test world: each case breaks the guarantee the way the
// world breaks it (THREATS.md), then the guard must restore the rules or stop the container, and
// a probe from inside the container confirms the isolation. Times are printed.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ProfileStatus } from '../../src/plan/profile-status.js';
import { FIREWALL, connectEnd, NS, type WorldInfo, connectFrom, docker, firewallDump, hermit, inHost, inNs, nftTableOf, pidOf as pidOfIn, restartDockerd } from './world.js';

const world = inject('world') as WorldInfo;
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = join(world.root, 'guard');
const NAME = 'guarded';
const CONTAINER = `hermit-${NAME}`;
const BRIDGE = `hm-${NAME}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `ok` holds or the deadline passes (generous: the machine may be loaded); returns the last answer. */
async function until(ok: () => boolean | Promise<boolean>, ms = 90_000): Promise<boolean> {
  for (const end = Date.now() + ms; ; await sleep(100)) {
    if (await ok()) return true;
    if (Date.now() > end) return false;
  }
}

const yaml = `name: ${NAME}
image: ${world.image}
command: [sleep, "86400"]
network:
  subnet: 172.30.40.0/24
dns: [${world.addr.router}]
container:
  restart: unless-stopped
probe:
  dnsName: internet.test
  timeoutMs: 3000
  outageRetrySec: 120
  mustReach:
    - { host: internet.test, port: ${world.ports.internet} }
`;

const pidOf = (name: string) => pidOfIn(world, name);

const connect = (pid: number, host: string, port: number) => connectFrom(world, pid, host, port);

/** Isolation as seen from inside: LAN and host rejected, the internet reachable. */
async function expectIsolated(): Promise<void> {
  const pid = await pidOf(CONTAINER);
  expect(pid).toBeGreaterThan(0);
  expect(await connectEnd(world, pid, NAME, world.addr.router, world.ports.routerAdmin)).toBe('reset by hermit');
  expect(await connectEnd(world, pid, NAME, world.addr.hostLan, world.ports.hostAllService)).toBe('reset by hermit');
  expect((await connect(pid, world.addr.internet, world.ports.internet)).outcome).toBe('connected');
}

const IPT = FIREWALL === 'iptables';
const NFT = FIREWALL === 'nftables';
const nft = async (args: string[], input?: string) => {
  const r = await inHost(world, 'nft', args, input === undefined ? {} : { input });
  expect(r.exitCode, `nft ${args.join(' ')}: ${r.stderr}`).toBe(0);
};
const TABLE = ['inet', `hermit-${NAME}`];

const ipt = async (args: string[]) => {
  const r = await inHost(world, 'iptables', args);
  expect(r.exitCode, `iptables ${args.join(' ')}: ${r.stderr}`).toBe(0);
};
const save4 = async () => (await inHost(world, 'iptables-save', ['-t', 'filter'])).stdout;
const status = async () => JSON.parse((await hermit(world, ['status', file(), '--json'])).stdout) as ProfileStatus;
const file = () => join(dir, `${NAME}.yaml`);

/** One `hermit guard --once`; returns its log and how long it took. */
async function guardOnce(): Promise<{ out: string; code: number; ms: number }> {
  const t0 = Date.now();
  const r = await hermit(world, ['guard', '--once', file()]);
  return { out: r.stdout + r.stderr, code: r.exitCode, ms: Date.now() - t0 };
}

const report = (what: string, ms: number) => console.log(`[guard] ${what}: guarantee restored and proven in ${ms} ms`);

/** A `hermit guard` in the background, as the systemd unit runs it. */
class BackgroundGuard {
  lines: string[] = [];
  private child: ResultPromise;
  constructor(args: string[]) {
    this.child = execa('nsenter', [`--net=${world.netnsPath}`, `--mount=${world.mntnsPath}`, `--wd=${REPO}`, '--',
      process.execPath, join(REPO, 'bin', 'hermit'), 'guard', ...args], {
      env: { DOCKER_HOST: world.dockerHost, HERMIT_RESOLV_CONF: world.resolvConf, HERMIT_STATE_DIR: join(world.root, 'state') },
      buffer: false, reject: false, stdin: 'ignore', all: true,
    });
    this.child.all!.on('data', (b: Buffer) => this.lines.push(...b.toString().split('\n').filter(Boolean)));
  }
  /** Waits for a log line matching `re` after line `from`; returns its index. */
  async waitFor(re: RegExp, from = 0, ms = 60_000): Promise<number> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.lines.findIndex((l, n) => n >= from && re.test(l));
      if (i >= 0) return i;
      if (Date.now() > end) throw new Error(`guard log has no ${re} after line ${from}:\n${this.lines.join('\n')}`);
      await sleep(100);
    }
  }
  async stop() {
    this.child.kill('SIGTERM');
    await this.child;
  }
}

describe.skipIf(!!world.skip)('hermit guard (end to end)', () => {
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file(), yaml);
    const r = await hermit(world, ['run', file()]);
    expect(r.exitCode, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await hermit(world, ['down', file(), '--time', '0']);
  });

  it('an intact host: --once verifies and changes nothing; status says when and by what', async () => {
    const before = await firewallDump(world);
    const g = await guardOnce();
    expect(g.code, g.out).toBe(0);
    expect(g.out).not.toMatch(/DRIFT|restored|STOPPED/);
    expect(await firewallDump(world)).toBe(before);
    const s = await status();
    expect(s.lastVerified).toMatchObject({ by: 'hermit guard --once', ok: true });
    expect((await hermit(world, ['status', file()])).stdout).toMatch(/verified\s+\S+ by hermit guard --once: ok/);
  });

  it('blocked connections are logged with the profile\'s prefix; logs --blocked shows them', async () => {
    // The kernel ignores LOG in a network namespace other than the first unless this global sysctl is 1.
    const sysctl = '/proc/sys/net/netfilter/nf_log_all_netns';
    const before = readFileSync(sysctl, 'utf8').trim();
    writeFileSync(sysctl, '1');
    try {
      const pid = await pidOf(CONTAINER);
      expect(await connectEnd(world, pid, NAME, world.addr.router, world.ports.routerAdmin)).toBe('reset by hermit');
      expect(await connectEnd(world, pid, NAME, world.addr.hostLan, world.ports.hostAllService)).toBe('reset by hermit');
      const r = await hermit(world, ['logs', file(), '--blocked', '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      const entries = JSON.parse(r.stdout) as { time: string; destination: string; port?: number; protocol: string; path: string }[];
      expect(entries).toEqual(expect.arrayContaining([
        expect.objectContaining({ destination: world.addr.router, port: world.ports.routerAdmin, protocol: 'tcp', path: 'forward' }),
        expect.objectContaining({ destination: world.addr.hostLan, port: world.ports.hostAllService, protocol: 'tcp', path: 'host' }),
      ]));
      expect(entries.at(-1)!.time).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect((await hermit(world, ['logs', file(), '--blocked'])).stdout).toMatch(/^TIME\s+DESTINATION\s+PORT\s+PROTO/);
    } finally {
      writeFileSync(sysctl, before);
    }
  });

  it.runIf(NFT)("hermit's table flushed (its chains emptied): restored and proven", async () => {
    await nft(['flush', 'table', ...TABLE]);
    expect((await status()).rules[0]!.state).toBe('differs');
    const g = await guardOnce();
    expect(g.code, g.out).toBe(0);
    expect(g.out).toMatch(/DRIFT nftables table inet hermit-guarded drifted: replace table inet hermit-guarded: replace chain forward \(0 → 2 rules\)/);
    expect(g.out).toMatch(/probe \(after restoring\) ok/);
    expect((await status()).rules[0]!.state).toBe('intact');
    await expectIsolated();
    report("hermit's table flushed", g.ms);
  });

  it.runIf(NFT)("hermit's table deleted: restored and proven", async () => {
    await nft(['delete', 'table', ...TABLE]);
    expect((await status()).rules[0]!.state).toBe('missing');
    const g = await guardOnce();
    expect(g.code, g.out).toBe(0);
    expect(g.out).toMatch(/restored nftables table inet hermit-guarded in \d+ ms: create table inet hermit-guarded/);
    await expectIsolated();
    report("hermit's table deleted", g.ms);
  });

  it.runIf(NFT)("an accept in another table, hooked before hermit's, does not undo hermit's rejects", async () => {
    // In nftables an accept ends only its own base chain; hermit's reject still comes and is final.
    await nft(['-f', '-'], `table inet e2e-bypass {\n chain e2e_forward {\n type filter hook forward priority filter - 100; policy accept;\n iifname "${BRIDGE}" accept\n }\n chain e2e_input {\n type filter hook input priority filter - 100; policy accept;\n iifname "${BRIDGE}" accept\n }\n}\n`);
    try {
      await expectIsolated();
      const g = await guardOnce();
      expect(g.code, g.out).toBe(0);
      expect(g.out).not.toMatch(/DRIFT|STOPPED/);
    } finally {
      await nft(['delete', 'table', 'inet', 'e2e-bypass']);
    }
  });

  it.runIf(IPT)('DOCKER-USER flushed: restored and proven', async () => {
    await ipt(['-F', 'DOCKER-USER']);
    expect((await status()).rules[0]!.state).not.toBe('intact');
    const g = await guardOnce();
    expect(g.code, g.out).toBe(0);
    expect(g.out).toMatch(/DRIFT IPv4 rules drifted: add jump DOCKER-USER -i hm-guarded → HERMIT-guarded/);
    expect(g.out).toMatch(/probe \(after restoring\) ok/);
    expect((await status()).rules[0]!.state).toBe('intact');
    await expectIsolated();
    report('DOCKER-USER flushed', g.ms);
  });

  it.runIf(IPT)("hermit's chain deleted: restored and proven", async () => {
    const jump = (await save4()).split('\n').find((l) => l.startsWith('-A DOCKER-USER') && l.endsWith(`-j HERMIT-${NAME}`))!;
    await ipt(['-D', ...jump.split(' ').slice(1).map((w) => w.replace(/^"|"$/g, ''))]);
    await ipt(['-F', `HERMIT-${NAME}`]);
    await ipt(['-X', `HERMIT-${NAME}`]);
    const g = await guardOnce();
    expect(g.code, g.out).toBe(0);
    expect(g.out).toMatch(/restored IPv4 rules in \d+ ms: create chain HERMIT-guarded/);
    await expectIsolated();
    report("hermit's chain deleted", g.ms);
  });

  it.runIf(IPT)("a rule inserted before Docker's jump in FORWARD: Docker's jump goes back on top", async () => {
    const accept = ['FORWARD', '-i', BRIDGE, '-m', 'comment', '--comment', 'e2e bypass', '-j', 'ACCEPT'];
    await ipt(['-I', ...accept.slice(0, 1), '1', ...accept.slice(1)]);
    try {
      // The drift is real: from inside, the router's admin page is reachable now.
      expect((await connect(await pidOf(CONTAINER), world.addr.router, world.ports.routerAdmin)).outcome).toBe('connected');
      const g = await guardOnce();
      expect(g.code, g.out).toBe(0);
      expect(g.out).toContain('move jump FORWARD → DOCKER-USER back to the top');
      expect((await save4()).split('\n').find((l) => l.startsWith('-A FORWARD'))).toBe('-A FORWARD -j DOCKER-USER');
      await expectIsolated();
      report('rule before Docker\'s jump', g.ms);
    } finally {
      await ipt(['-D', ...accept]);
    }
  });

  it.runIf(IPT)('rules that cannot be restored (no DOCKER-USER): the container is stopped, and says why', async () => {
    // A scratch profile of its own, so the main one keeps running for the next cases.
    const f = join(dir, 'doomed.yaml');
    writeFileSync(f, yaml.replaceAll(NAME, 'doomed').replace('172.30.40.0/24', '172.30.41.0/24'));
    expect((await hermit(world, ['run', f])).exitCode).toBe(0);
    // Take DOCKER-USER away (what an iptables flush by a firewall manager leaves before dockerd notices).
    await ipt(['-D', 'FORWARD', '-j', 'DOCKER-USER']);
    await ipt(['-F', 'DOCKER-USER']);
    await ipt(['-X', 'DOCKER-USER']);
    try {
      const r = await hermit(world, ['guard', '--once', f]);
      expect(r.exitCode, r.stdout).toBe(5);
      expect(r.stdout).toMatch(/STOPPED container hermit-doomed \(restart policy set to "no"\): the host cannot hold hermit's rules: .*no DOCKER-USER chain/);
      expect((await docker(world, ['container', 'inspect', '--format', '{{.State.Running}} {{.HostConfig.RestartPolicy.Name}}', 'hermit-doomed'])).stdout.trim()).toBe('false no');
    } finally {
      await ipt(['-N', 'DOCKER-USER']);
      await ipt(['-I', 'FORWARD', '1', '-j', 'DOCKER-USER']);
      await hermit(world, ['down', f, '--time', '0']);
      expect((await guardOnce()).code).toBe(0); // puts the main profile's jumps back
    }
  });

  describe('with the guard running', () => {
    let guard: BackgroundGuard;
    beforeAll(async () => {
      guard = new BackgroundGuard(['--interval', '300', file()]);
      // The first pass must be over before a test changes anything (it would race the test's own
      // docker calls); no wait for the events stream: the guard replays events from its start.
      await guard.waitFor(/first pass done: guarded ok/);
    });
    afterAll(async () => { await guard?.stop(); });

    it('a second network is disconnected at once (docker event)', async () => {
      expect((await docker(world, ['network', 'create', '--subnet', '172.30.42.0/24', 'e2e-second-net'])).exitCode).toBe(0);
      try {
        const from = guard.lines.length;
        const t0 = Date.now();
        expect((await docker(world, ['network', 'connect', 'e2e-second-net', CONTAINER])).exitCode).toBe(0);
        await guard.waitFor(/disconnected hermit-guarded from network e2e-second-net/, from);
        await guard.waitFor(/guarded: probe \(after restoring\) ok/, from);
        const ms = Date.now() - t0;
        const nets = (await docker(world, ['container', 'inspect', '--format', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', CONTAINER])).stdout.trim();
        expect(nets).toBe('hermit-guarded');
        await expectIsolated();
        report('second network', ms);
      } finally {
        await docker(world, ['network', 'rm', 'e2e-second-net']);
      }
    });

    it(`${IPT ? 'DOCKER-USER flushed' : "hermit's table deleted"} while guarded: restored on the next trigger`, async () => {
      const from = guard.lines.length;
      const t0 = Date.now();
      if (IPT) await ipt(['-F', 'DOCKER-USER']);
      else await nft(['delete', 'table', ...TABLE]);
      // A flush makes no Docker event: a container restart (or the interval) triggers the pass.
      expect((await docker(world, ['restart', '--time', '0', CONTAINER])).exitCode).toBe(0);
      await guard.waitFor(IPT ? /guarded: restored IPv4 rules/ : /guarded: restored nftables table inet hermit-guarded/, from);
      await guard.waitFor(/guarded: probe \([^)]*\) ok/, from);
      await expectIsolated();
      report('flush, then container restart', Date.now() - t0);
    });

    it('a resolver that stops answering (a router rebooting): an outage, retried, and the container keeps running', async () => {
      const from = guard.lines.length;
      const drop = (op: '-I' | '-D') => Promise.all(['udp', 'tcp'].map(async (proto) => {
        const r = await inNs(NS.router, 'iptables', [op, 'INPUT', '-p', proto, '--dport', '53', '-j', 'DROP']);
        expect(r.exitCode, r.stderr).toBe(0);
      }));
      await drop('-I');
      try {
        expect((await docker(world, ['restart', '--time', '0', CONTAINER])).exitCode).toBe(0);
        await guard.waitFor(/guarded: probe \([^)]*\) attempt \d+: an OUTAGE .*internet\.test via 192\.168\.50\.1: expected resolves/, from);
      } finally {
        await drop('-D');
      }
      await guard.waitFor(/guarded: probe \([^)]*\) ok, \d+ checks after \d+ attempts/, from);
      expect(guard.lines.slice(from).join('\n')).not.toMatch(/STOPPED/);
      expect((await docker(world, ['container', 'inspect', '--format', '{{.State.Running}}', CONTAINER])).stdout.trim()).toBe('true');
      await expectIsolated();
    });

    it('dockerd restarts with the restart-policy container running: rules survive, the restarted container is proven', async () => {
      const from = guard.lines.length;
      const t0 = Date.now();
      await restartDockerd(world);
      await guard.waitFor(/docker events stream is back/, from, 90_000);
      // The pass after the restart proves the container's new process: as "container started at",
      // or as "after restoring" when dockerd moved its own FORWARD jump back on top first (Docker 28).
      await guard.waitFor(/guarded: probe \((container started at .*|after restoring)\) ok/, from, 90_000);
      expect(guard.lines.slice(from).join('\n')).not.toMatch(/STOPPED/);
      expect((await status()).rules[0]!.state).toBe('intact');
      await expectIsolated();
      report('dockerd restart', Date.now() - t0);
    });
  });

  it('reboot: rules flushed while dockerd is down; --boot restores them before dockerd starts the container', async () => {
    const pidFile = join(world.root, 'pids', 'dockerd.pid');
    const dockerdPid = Number(readFileSync(pidFile, 'utf8'));
    process.kill(dockerdPid, 'SIGTERM');
    expect(await until(() => !existsProc(dockerdPid))).toBe(true);
    let restarted = false;
    try {
      // What a reboot leaves: no rules at all in the filter table, no nftables tables.
      for (const tool of ['iptables', 'ip6tables']) {
        expect((await inHost(world, tool, ['-F'])).exitCode).toBe(0);
        expect((await inHost(world, tool, ['-X'])).exitCode).toBe(0);
      }
      // Every hermit table, not only this profile's: other tests' profiles may still have theirs.
      const tables = (await inHost(world, 'nft', ['list', 'tables'])).stdout.match(/^table inet hermit-\S+$/gm) ?? [];
      for (const t of tables) await inHost(world, 'nft', ['delete', ...t.split(' ')]);
      expect(await firewallDump(world)).not.toMatch(/HERMIT|hermit-/);

      const t0 = Date.now();
      const boot = await hermit(world, ['guard', '--boot']);
      expect(boot.exitCode, boot.stdout + boot.stderr).toBe(0);
      if (IPT) {
        expect(boot.stdout).toMatch(/guarded: restored IPv4 rules from .*create chain HERMIT-guarded/);
        // Whichever profile is restored first (others' rules may be recorded too) creates Docker's chain.
        expect(boot.stdout).toMatch(/: restored IPv4 rules from .*create chain DOCKER-USER/);
        // Before dockerd starts: the chains, the jumps, and Docker's jump into DOCKER-USER exist.
        const early = await save4();
        expect(early).toContain(`-A DOCKER-USER -i ${BRIDGE} -m comment --comment "hermit:${NAME}" -j HERMIT-${NAME}`);
        expect(early).toContain(`-A INPUT -i ${BRIDGE} -m comment --comment "hermit:${NAME}" -j HERMIT-IN-${NAME}`);
        expect(early).toMatch(/^-A FORWARD -j DOCKER-USER$/m);
        expect(early).toMatch(new RegExp(`^-A HERMIT-${NAME} .*REJECT`, 'm'));
      } else {
        expect(boot.stdout).toMatch(/guarded: restored nftables table inet hermit-guarded from .*create table inet hermit-guarded/);
        const early = await nftTableOf(world, NAME);
        expect(early).toContain(`iifname "${BRIDGE}" meta nfproto ipv4 jump HERMIT-${NAME}`);
        expect(early).toMatch(/reject with icmp admin-prohibited/);
      }

      await restartDockerd(world);
      restarted = true;
      // Docker restarts the container itself (restart policy) and keeps DOCKER-USER's rules.
      const running = async () => (await docker(world, ['container', 'inspect', '--format', '{{.State.Running}}', CONTAINER])).stdout.trim() === 'true';
      expect(await until(running)).toBe(true);
      expect((await status()).rules.map((r) => r.state)).toEqual(['intact', 'intact']);
      await expectIsolated();
      const g = await guardOnce();
      expect(g.code, g.out).toBe(0);
      expect(g.out).toMatch(/probe \(container started at .*\) ok/);
      report('reboot (boot restore → dockerd start → guard)', Date.now() - t0);
    } finally {
      // A failure above must not leave the world without its engine for the tests after this one.
      if (!restarted) await restartDockerd(world);
    }
  });

  it('--install writes the units (boot before docker.service) and --uninstall removes them', async () => {
    const unitDir = join(dir, 'units');
    const env = { HERMIT_UNIT_DIR: unitDir };
    const i = await hermit(world, ['guard', '--install', file(), '--interval', '20'], { env });
    expect(i.exitCode, i.stderr).toBe(0);
    const boot = readFileSync(join(unitDir, 'hermit-boot.service'), 'utf8');
    expect(boot).toMatch(/^Before=docker\.service/m);
    expect(boot).toMatch(/ExecStart=\S+ \S+bin\/hermit guard --boot$/m);
    // The backend chosen at install time is the one the units use (boot restore and every pass).
    if (NFT) expect(boot).toMatch(/^Environment=HERMIT_FIREWALL=nftables$/m);
    expect(readFileSync(join(unitDir, 'hermit-guard.service'), 'utf8')).toMatch(new RegExp(`guard --interval 20 ${file()}$`, 'm'));
    const u = await hermit(world, ['guard', '--uninstall'], { env });
    expect(u.exitCode, u.stderr).toBe(0);
    expect(u.stdout).toContain('removed');
  });
});

function existsProc(pid: number): boolean {
  try { return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'); } catch { return false; }
}
