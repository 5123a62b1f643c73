// The guard over several agents at once (issue 21, "drift at scale"): every agent's rules lost in one
// stroke (DOCKER-USER flushed; with nftables, hermit's tables deleted) are put back by one pass that
// reads the host once and restores all of them in one transaction, then proves each agent.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ProfileStatus } from '../../src/plan/profile-status.js';
import { FIREWALL, type WorldInfo, connectEnd, connectFrom, hermit, inHost, pidOf, sleeperYaml } from './world.js';

const world = inject('world') as WorldInfo;
const dir = join(world.root, 'guard-scale');
// Subnets 172.30.92-96.0/24: no other test uses them.
const AGENTS = [1, 2, 3, 4, 5].map((n) => ({ name: `scale${n}`, subnet: `172.30.${91 + n}.0/24` }));
const file = (name: string) => join(dir, `${name}.yaml`);

const yaml = (name: string, subnet: string) => sleeperYaml(world, name, subnet, '  outageRetrySec: 120\n');

const status = async (name: string) => JSON.parse((await hermit(world, ['status', file(name), '--json'])).stdout) as ProfileStatus;
const nasFrom = async (name: string) => connectEnd(world, await pidOf(world, `hermit-${name}`), name, world.addr.nas, world.ports.nasAllowed);

async function host(cmd: string, args: string[]): Promise<void> {
  const r = await inHost(world, cmd, args);
  expect(r.exitCode, `${cmd} ${args.join(' ')}: ${r.stderr}`).toBe(0);
}

describe.skipIf(!!world.skip)('hermit guard over several agents (end to end)', () => {
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    for (const a of AGENTS) {
      writeFileSync(file(a.name), yaml(a.name, a.subnet));
      const r = await hermit(world, ['run', file(a.name)]);
      expect(r.exitCode, r.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    for (const a of AGENTS) await hermit(world, ['down', file(a.name), '--time', '0']);
  });

  it("every agent's rules lost at once: one read of the host, one transaction, every agent proven", async () => {
    for (const a of AGENTS) expect(await nasFrom(a.name)).toBe('reset by hermit');

    if (FIREWALL === 'iptables') await host('iptables', ['-F', 'DOCKER-USER']);
    else for (const a of AGENTS) await host('nft', ['delete', 'table', 'inet', `hermit-${a.name}`]);
    // The flush opened the LAN: the first agent reaches the NAS.
    expect((await connectFrom(world, await pidOf(world, `hermit-${AGENTS[0]!.name}`), world.addr.nas, world.ports.nasAllowed)).outcome).toBe('connected');

    const r = await hermit(world, ['guard', '--once', ...AGENTS.map((a) => file(a.name))]);
    const out = r.stdout + r.stderr;
    console.log(`[guard-scale] the pass's log:\n${out}`);
    expect(r.exitCode, out).toBe(0);
    const names = AGENTS.map((a) => a.name).join(', ');
    expect(out).toContain(`5 profiles drifted, found in one read of the host: ${names}`);
    const together = FIREWALL === 'iptables'
      ? new RegExp(`restored IPv4 rules of 5 profiles in one transaction in \\d+ ms: ${names}`)
      : new RegExp(`restored nftables tables (inet hermit-scale\\d; ){4}inet hermit-scale\\d of 5 profiles in one transaction in \\d+ ms: ${names}`);
    expect(out).toMatch(together);
    // One transaction for all: no profile restored on its own.
    expect(out.match(/in one transaction/g)).toHaveLength(1);
    expect(out).not.toMatch(/FAILED|STOPPED/);
    for (const a of AGENTS) {
      expect(out).toContain(`${a.name}: DRIFT`);
      expect(out).toMatch(new RegExp(`${a.name}: restored .* in \\d+ ms`));
      expect(out).toMatch(new RegExp(`${a.name}: probe \\(after restoring\\) ok`));
      expect(out).toMatch(new RegExp(`${a.name}: guarantee restored and proven`));
    }

    for (const a of AGENTS) {
      expect((await status(a.name)).rules.every((f) => f.state === 'intact' || f.state === 'unavailable'), a.name).toBe(true);
      expect(await nasFrom(a.name), a.name).toBe('reset by hermit');
    }
  });
});
