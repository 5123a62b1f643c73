// The guard closes drift on the kernel's word that rules changed, not on its interval (set to an
// hour here), and only one guard per profile runs at a time.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ProfileStatus } from '../../src/plan/profile-status.js';
import { FIREWALL, connectEnd, type WorldInfo, hermit, hermitDaemon, inHost, pidOf, tail, waitUntil, writeProfile } from './world.js';
import { readFileSync } from 'node:fs';

const world = inject('world') as WorldInfo;
const NAME = 'evguard';
const LOG = join(world.root, 'logs', 'guard-events.log');

const yaml = `name: ${NAME}
image: ${world.image}
command: [sleep, "86400"]
network: { subnet: 172.30.71.0/24 }
dns: [${world.addr.router}]
probe:
  dnsName: internet.test
  mustReach: [{ host: internet.test, port: ${world.ports.internet} }]
`;

const logText = () => { try { return readFileSync(LOG, 'utf8'); } catch { return ''; } };
const status = async (file: string) => JSON.parse((await hermit(world, ['status', file, '--json'])).stdout) as ProfileStatus;

describe.skipIf(!!world.skip)('guard: drift closed on rule-change events', () => {
  let file: string;
  let guard: Awaited<ReturnType<typeof hermitDaemon>>;

  beforeAll(async () => {
    file = writeProfile(world, NAME, yaml);
    const r = await hermit(world, ['run', file]);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    guard = await hermitDaemon(world, ['guard', file, '--interval', '3600'], LOG);
    await waitUntil('the guard to watch rule changes', 30_000, async () => (logText().includes('watching rule changes') ? true : undefined));
    // Its first pass done: a change made during that pass is closed by it, not by the event.
    await waitUntil(`the guard's first pass (log:\n${tail(LOG)})`, 60_000, async () => (logText().includes('first pass done') ? true : undefined));
  });
  afterAll(async () => {
    await guard?.stop();
    await hermit(world, ['down', NAME]);
  });

  const nft = FIREWALL === 'nftables';
  const changes: [string, string, string[]][] = nft ? [
    ["hermit's table flushed", 'nft', ['flush', 'table', 'inet', `hermit-${NAME}`]],
    ["hermit's table deleted", 'nft', ['delete', 'table', 'inet', `hermit-${NAME}`]],
  ] : [
    ['DOCKER-USER flushed', 'iptables', ['-F', 'DOCKER-USER']],
    ['INPUT flushed', 'iptables', ['-F', 'INPUT']],
    ["a rule inserted before Docker's jump in FORWARD", 'iptables', ['-I', 'FORWARD', '1', '-j', 'ACCEPT']],
  ];
  it.each(changes)('%s: restored and proven on the event', async (_what, tool, args) => {
    const before = (await status(file)).lastVerified?.at ?? '';
    const logged = logText().length;
    const r = await inHost(world, tool, args);
    expect(r.exitCode, r.stderr).toBe(0);
    const verified = await waitUntil(`a guard pass that restores (log:\n${tail(LOG)})`, 30_000, async () => {
      const s = await status(file);
      const restored = logText().slice(logged).includes(`${NAME}: restored ${nft ? `nftables table inet hermit-${NAME}` : 'IPv4 rules'}`);
      return restored && s.lastVerified && s.lastVerified.at > before && s.rules.every((x) => x.state === 'intact' || x.state === 'unavailable') ? s.lastVerified : undefined;
    });
    // Triggered by the kernel's announcement of the change; the interval is an hour.
    expect(verified.by).toMatch(/^hermit guard \(rule change: /);
    expect(verified.ok).toBe(true);
    const pid = await pidOf(world, `hermit-${NAME}`);
    expect(await connectEnd(world, pid, NAME, world.addr.router, world.ports.routerAdmin)).toBe('reset by hermit');
  });

  it('a second guard for the profile says which process guards it, and does not start', async () => {
    const second = await hermit(world, ['guard', file], { timeout: 60_000 });
    expect(second.exitCode, second.stdout).toBe(2);
    expect(second.stderr).toContain(`profile '${NAME}' is already guarded by pid ${guard.pid}`);
    const all = await hermit(world, ['guard'], { timeout: 60_000 });
    expect(all.exitCode).toBe(2);
    expect(all.stderr).toContain(`is already guarded by pid ${guard.pid}`);
  });
});
