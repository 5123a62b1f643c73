// Concurrent `hermit run`s against one host: ten different profiles at the same moment must all
// end with complete rules (no lost or doubled jumps), and two runs of one profile with one container.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { ProfileStatus } from '../../src/plan/profile-status.js';
import { FIREWALL, type WorldInfo, docker, hermit, inHost, nftTableOf, sleeperYaml } from './world.js';

const world = inject('world') as WorldInfo;
const dir = join(world.root, 'concurrency');
const names = Array.from({ length: 10 }, (_, i) => `conc-${i}`);

function writeProfile(name: string, subnet: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, sleeperYaml(world, name, subnet));
  return file;
}

describe.skipIf(!!world.skip)('concurrent hermit runs (end to end)', () => {
  const files = names.map((n, i) => writeProfile(n, `172.30.${50 + i}.0/24`));
  const same = writeProfile('conc-same', '172.30.60.0/24');
  afterAll(async () => {
    await Promise.all([...files, same].map((f) => hermit(world, ['down', f, '--time', '0'])));
  });

  it('ten different profiles at once: every run succeeds and every profile has complete rules', async () => {
    const t0 = Date.now();
    const results = await Promise.all(files.map((f) => hermit(world, ['run', f], { timeout: 110_000 })));
    console.log(`[concurrency] ten concurrent runs finished in ${Date.now() - t0} ms`);
    results.forEach((r, i) => expect({ profile: names[i], code: r.exitCode, err: r.exitCode ? r.stderr : '' }).toEqual({ profile: names[i], code: 0, err: '' }));

    if (FIREWALL === 'nftables') {
      // One table each, whole: both hooks, both families.
      for (const n of names) expect((await nftTableOf(world, n)).match(/ jump HERMIT-/g)).toHaveLength(4);
    } else {
      const save4 = (await inHost(world, 'iptables-save', ['-t', 'filter'])).stdout;
      const save6 = (await inHost(world, 'ip6tables-save', ['-t', 'filter'])).stdout;
      for (const n of names) {
        // Exactly one jump of each kind: none lost, none doubled.
        expect(save4.match(new RegExp(`^-A DOCKER-USER -i hm-${n} .*-j HERMIT-${n}$`, 'gm'))).toHaveLength(1);
        expect(save4.match(new RegExp(`^-A INPUT -i hm-${n} .*-j HERMIT-IN-${n}$`, 'gm'))).toHaveLength(1);
        expect(save6.match(new RegExp(`-j HERMIT-${n}$`, 'gm'))).toHaveLength(2);
      }
      expect(save4.match(/^-A FORWARD -j DOCKER-USER$/gm)).toHaveLength(1);
    }
    const statuses = await Promise.all(files.map(async (f) => JSON.parse((await hermit(world, ['status', f, '--json'])).stdout) as ProfileStatus));
    for (const s of statuses) expect({ profile: s.profile, rules: s.rules.map((r) => r.state), ok: s.ok }).toEqual({ profile: s.profile, rules: ['intact', 'intact'], ok: true });
  });

  it('two runs of one profile at once end with one container', async () => {
    const [a, b] = await Promise.all([hermit(world, ['run', same]), hermit(world, ['run', same])]);
    expect([a.exitCode, b.exitCode], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
    expect([a.stdout, b.stdout].filter((o) => o.includes('Nothing changed'))).toHaveLength(1);
    const ps = await docker(world, ['ps', '-a', '--filter', 'label=hermit.profile=conc-same', '--format', '{{.Names}} {{.State}}']);
    expect(ps.stdout.trim()).toBe('hermit-conc-same running');
  });
});
