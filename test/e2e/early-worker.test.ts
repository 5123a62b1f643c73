// The probe worker started in the container's network namespace while Docker starts the container
// (src/probe/early-worker.ts): used only when it is in the namespace of the container's process,
// and then with the same verdicts as a worker started after the start, breaches included.
import { watch } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { ProbeReport } from '../../src/probe/types.js';
import { type WorldInfo, docker, hermit, inHost, sleeperYaml, waitUntil, writeProfile } from './world.js';

const world = inject('world') as WorldInfo;
const CLAIMED = 'hermit: timing: early worker claimed';
const ELSEWHERE = "hermit: timing: early worker not in the container's namespace";

const lastProbeFile = (profile: string) => join(world.root, 'state', profile, 'last-probe.json');
const sandboxKey = async (name: string) => (await docker(world, ['inspect', '--format', '{{.NetworkSettings.SandboxKey}}', name])).stdout.trim();

/** hermit run --json with its timing marks; the container removed first (a new one each time). */
async function launch(file: string, container: string) {
  await docker(world, ['rm', '--force', container]);
  const r = await hermit(world, ['run', file, '--json'], { env: { HERMIT_TIMING: '1' } });
  // The run's document first; after a breach, the error's follows it.
  const out = r.stdout ? JSON.parse(r.stdout.slice(0, r.stdout.indexOf('\n}') + 2)) as { probe: ProbeReport } : undefined;
  return { ...r, rows: out?.probe.rows.map((row) => ({ target: row.target, expected: row.expected, ok: row.ok })) };
}

describe.skipIf(!!world.skip)('the probe worker started during the container start', () => {
  it('is used from the second launch on, in the container\'s namespace, with the same verdicts', async () => {
    const file = writeProfile(world, 'early', sleeperYaml(world, 'early', '172.30.40.0/24'));
    try {
      const first = await launch(file, 'hermit-early');
      expect(first.exitCode, first.stderr).toBe(0);
      // No record yet of where the engine keeps namespaces: the usual way.
      expect(first.stderr).not.toContain(CLAIMED);
      const record = JSON.parse(await readFile(lastProbeFile('early'), 'utf8')) as { netnsDir?: string };
      expect(record.netnsDir).toBe(dirname(await sandboxKey('hermit-early')));

      const second = await launch(file, 'hermit-early');
      expect(second.exitCode, second.stderr).toBe(0);
      expect(second.stderr).toContain(CLAIMED);
      expect(second.rows).toEqual(first.rows);
      expect(second.rows!.every((r) => r.ok)).toBe(true);
    } finally {
      await hermit(world, ['down', file, '--time', '0']);
    }
  });

  it('finds a breach as the usual worker does: the container is stopped, exit 5', async () => {
    const nas = `${world.addr.nas}:${world.ports.nasDisallowed}`;
    const file = writeProfile(world, 'early-breach', sleeperYaml(world, 'early-breach', '172.30.41.0/24',
      `  mustBlock:\n    - { host: ${world.addr.nas}, port: ${world.ports.nasDisallowed}, comment: NAS disallowed port }\n`));
    // A NAT rule of someone else's sends the agent's connects to the NAS's closed port to the
    // internet page instead: hermit's rules see an internet address and let it through.
    const dnat = ['PREROUTING', '-i', 'hm-early-breach', '-d', world.addr.nas, '-p', 'tcp', '--dport', String(world.ports.nasDisallowed),
      '-m', 'comment', '--comment', 'e2e early breach', '-j', 'DNAT', '--to-destination', `${world.addr.internet}:${world.ports.internet}`];
    try {
      const first = await launch(file, 'hermit-early-breach');
      expect(first.exitCode, first.stderr).toBe(0);
      expect((await inHost(world, 'iptables', ['-t', 'nat', '-I', ...dnat.slice(0, 1), '1', ...dnat.slice(1)])).exitCode).toBe(0);
      const second = await launch(file, 'hermit-early-breach');
      expect(second.exitCode, second.stderr).toBe(5);
      expect(second.stderr).toContain(CLAIMED);
      expect(second.stderr).toMatch(new RegExp(`a BREACH .*${nas.replaceAll('.', '\\.')}: expected blocked, observed connected`));
      expect(second.rows!.filter((r) => !r.ok).map((r) => r.target)).toEqual([nas]);
      expect((await docker(world, ['inspect', '--format', '{{.State.Running}}', 'hermit-early-breach'])).stdout.trim()).toBe('false');
    } finally {
      await inHost(world, 'iptables', ['-t', 'nat', '-D', ...dnat]);
      await hermit(world, ['down', file, '--time', '0']);
    }
  });

  it('is never used in a namespace other than the container\'s: the probe starts its worker after the start', async () => {
    const file = writeProfile(world, 'early-decoy', sleeperYaml(world, 'early-decoy', '172.30.42.0/24'));
    const decoyDir = join(world.root, 'decoy-netns');
    const decoy = join(decoyDir, 'decoy');
    try {
      const first = await launch(file, 'hermit-early-decoy');
      expect(first.exitCode, first.stderr).toBe(0);
      const engineDir = dirname(await sandboxKey('hermit-early-decoy'));
      // The record now names a folder where, as soon as Docker makes the new container's
      // namespace, another namespace appears (a network namespace of its own, empty). It has to
      // appear before the start returns (~150 ms); on a loaded machine it may not: then again.
      expect((await inHost(world, 'mkdir', ['-p', decoyDir])).exitCode).toBe(0);
      const record = JSON.parse(await readFile(lastProbeFile('early-decoy'), 'utf8')) as Record<string, unknown>;
      let seen = false;
      for (let attempt = 0; attempt < 4 && !seen; attempt++) {
        await inHost(world, 'sh', ['-c', 'umount "$1"; rm -f "$1"', 'sh', decoy]);
        await writeFile(lastProbeFile('early-decoy'), JSON.stringify({ ...record, netnsDir: decoyDir }));
        await docker(world, ['rm', '--force', 'hermit-early-decoy']);
        let made: Promise<{ exitCode: number; stderr: string }> | undefined;
        const watcher = watch(engineDir, () => {
          made ??= inHost(world, 'sh', ['-c', 'touch "$1" && unshare --net="$1" true', 'sh', decoy]);
        });
        let second;
        try {
          second = await hermit(world, ['run', file, '--json'], { env: { HERMIT_TIMING: '1' } });
        } finally {
          watcher.close();
        }
        const decoyMade = await waitUntil('the decoy namespace', 10_000, async () => made);
        expect(decoyMade.exitCode, decoyMade.stderr).toBe(0);
        expect(second.exitCode, second.stderr).toBe(0);
        expect(second.stderr).not.toContain(CLAIMED);
        seen = second.stderr.includes(ELSEWHERE);
        const rows = (JSON.parse(second.stdout) as { probe: ProbeReport }).probe.rows;
        expect(rows.map((r) => ({ target: r.target, expected: r.expected, ok: r.ok }))).toEqual(first.rows);
      }
      expect(seen, 'the early worker started in the decoy namespace in none of 4 launches').toBe(true);
    } finally {
      await inHost(world, 'umount', [decoy]);
      await hermit(world, ['down', file, '--time', '0']);
    }
  });
});
