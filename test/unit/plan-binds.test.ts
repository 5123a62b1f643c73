// Pinned bind sources: which mounts hermit binds itself, the paths Docker gets instead, and what a
// run does with binds already in place, gone, or holding another folder.
import { describe, expect, it } from 'vitest';
import { planCommands } from '../../src/apply/apply.js';
import { teardownCommands } from '../../src/apply/teardown.js';
import { describe as describeCommand } from '../../src/apply/exec.js';
import { dockerMounts, pinnedMounts, planBinds, rebindReason } from '../../src/plan/binds.js';
import { dockerRun } from '../../src/plan/container.js';
import { makePlan } from '../../src/plan/plan.js';
import { planTeardown } from '../../src/plan/teardown.js';
import { verify } from '../../src/guard/verify.js';
import { FRESH_SAVE4, sampleFacts, sampleProfile } from './fixtures.js';

const ENV = { API_KEY: 'k', HERMIT_STATE_DIR: '/state' };
const noExtras = { dockerArgs: [], command: [] };

function profileWithData() {
  const p = sampleProfile({ name: 'box' });
  p.container.name = 'hermit-box';
  p.container.mounts = ['/home/u/proj:/workspace', '/home/u/proj/data:/data:ro', 'cache:/cache', '/anon'];
  return p;
}

describe('pinned binds', () => {
  it('pins every host path, and leaves volume names and anonymous volumes to Docker', () => {
    const p = profileWithData();
    expect(pinnedMounts(p, '/state')).toEqual([
      { key: 'container.mounts[0]', index: 0, source: '/home/u/proj', target: '/state/.binds/box/0', container: '/workspace' },
      { key: 'container.mounts[1]', index: 1, source: '/home/u/proj/data', target: '/state/.binds/box/1', container: '/data' },
    ]);
    expect(dockerMounts(p, '/state')).toEqual(['/state/.binds/box/0:/workspace', '/state/.binds/box/1:/data:ro', 'cache:/cache', '/anon']);
  });

  it('docker run and the Engine API create request both mount the pinned folders, never the sources', () => {
    const run = dockerRun(profileWithData(), noExtras, ENV);
    const volumes = run.args.flatMap((a, i) => (run.args[i - 1] === '--volume' ? [a] : []));
    expect(volumes).toEqual(['/state/.binds/box/0:/workspace', '/state/.binds/box/1:/data:ro', 'cache:/cache', '/anon']);
    expect((run.create!.body.HostConfig as { Binds: string[] }).Binds).toEqual(['/state/.binds/box/0:/workspace', '/state/.binds/box/1:/data:ro', 'cache:/cache']);
    expect(run.args.join(' ')).not.toContain('/home/u/proj');
    // The same profile gives the same container every time; another source gives another.
    expect(dockerRun(profileWithData(), noExtras, ENV).configHash).toBe(run.configHash);
    const moved = profileWithData();
    moved.container.mounts[1] = '/home/u/other:/data:ro';
    expect(dockerRun(moved, noExtras, ENV).configHash).not.toBe(run.configHash);
  });

  it('keeps a bind in place, binds a missing or stale one, and refuses a source that cannot be bound', () => {
    const pins = pinnedMounts(profileWithData(), '/state');
    const inPlace = { target: '/state/.binds/box/0', source: '1:10', mounted: '1:10', bound: true };
    const stale = { target: '/state/.binds/box/1', source: '1:20', mounted: '1:99', bound: true };
    const actions = planBinds(pins, [inPlace, stale]);
    expect(actions.map((a) => [a.kind, a.reason])).toEqual([
      ['keep', '/home/u/proj bound at /state/.binds/box/0'],
      ['bind', 'bind /home/u/proj/data again at /state/.binds/box/1 (it is another folder now)'],
    ]);
    expect(rebindReason(actions)).toBe('mount source /home/u/proj/data (re)bound: recreate container');
    expect(planBinds(pins, [inPlace, { target: '/state/.binds/box/1', mounted: '1:5', bound: false }])[1]).toMatchObject({ kind: 'bind', create: true });
    expect(rebindReason(planBinds(pins, [inPlace, { ...stale, mounted: '1:20' }]))).toBeUndefined();
    expect(() => planBinds(pins, [inPlace, { ...stale, refused: { message: 'container.mounts[1]: /home/u/proj/data cannot be mounted: it is a link', hint: 'h' } }]))
      .toThrow(/container.mounts\[1\]: .* cannot be mounted/);
  });

  it('removes a bind of a mount the profile no longer has', () => {
    const p = profileWithData();
    p.container.mounts = p.container.mounts.slice(0, 1);
    const binds = [{ target: '/state/.binds/box/0', source: '1:10', mounted: '1:10', bound: true }, { target: '/state/.binds/box/1', bound: true }];
    const plan = makePlan(p, sampleFacts({ binds }), { extras: noExtras, environment: ENV, replace: false });
    expect(plan.binds.map((a) => [a.kind, a.reason])).toEqual([
      ['unbind', 'remove /state/.binds/box/1 (no mount of the profile uses it now)'],
      ['keep', '/home/u/proj bound at /state/.binds/box/0'],
    ]);
    expect(planCommands(plan).map(describeCommand)).toContain('umount /state/.binds/box/1');
  });

  it('a run binds before the container starts (dry run shows it), and recreates a container whose binds changed', () => {
    const p = profileWithData();
    const run = dockerRun(p, noExtras, ENV);
    const existing = { id: 'c1', name: 'hermit-box', running: true, status: 'running', pid: 4, image: 'sha256:1', startedAt: '', networks: ['hermit-box'], restartPolicy: 'unless-stopped', labels: { 'hermit.profile': 'box', 'hermit.config': run.configHash } };
    const binds = [{ target: '/state/.binds/box/0', source: '1:10', mounted: '1:10', bound: true }, { target: '/state/.binds/box/1', source: '1:20', mounted: '1:20', bound: true }];
    const opts = { extras: noExtras, environment: ENV, replace: false };
    const kept = makePlan(p, sampleFacts({ container: existing, binds }), opts);
    expect(kept.container.kind).toBe('keep');
    expect(planCommands(kept).filter((c) => c.file === 'mount')).toEqual([]);

    const stale = makePlan(p, sampleFacts({ container: existing, binds: [binds[0]!, { ...binds[1]!, mounted: '1:99' }] }), opts);
    expect(stale.container).toMatchObject({ kind: 'run', remove: 'c1', reason: 'mount source /home/u/proj/data (re)bound: recreate container' });
    const cmds = planCommands(stale).map(describeCommand);
    const mount = cmds.indexOf('mount --no-canonicalize --bind /proc/self/fd/3 /state/.binds/box/1 3</home/u/proj/data');
    expect(mount).toBeGreaterThanOrEqual(0);
    expect(cmds.findIndex((c) => c.startsWith('docker run'))).toBeGreaterThan(mount);
  });

  it('down unmounts every pinned folder after the container is gone', () => {
    const td = planTeardown('box', { containers: [], networks: [], save4: FRESH_SAVE4, save6: '', nftTables: {}, binds: ['/state/.binds/box/0', '/state/.binds/box/1'] });
    expect(teardownCommands(td, 10).map(describeCommand)).toEqual(['umount /state/.binds/box/0', 'umount /state/.binds/box/1']);
  });

  it('the guard finds a container not mounting the pinned folder, and a bind that is not in place', () => {
    process.env.HERMIT_STATE_DIR = '/state';
    try {
      const p = profileWithData();
      const c = { id: 'c1', name: 'hermit-box', running: true, status: 'running', pid: 4, image: 'sha256:1', startedAt: '', networks: ['hermit-agent'], restartPolicy: 'unless-stopped', labels: { 'hermit.profile': 'box' },
        binds: [{ source: '/state/.binds/box/0', destination: '/workspace' }, { source: '/home/u/proj/data', destination: '/data' }] };
      const net = { id: 'n', name: 'hermit-agent', driver: 'bridge', subnets: ['172.30.0.0/24'], gateways: ['172.30.0.1'], bridge: 'hm-agent', ipv6: false, labels: { 'hermit.profile': 'box' }, containers: [] };
      const binds = [{ target: '/state/.binds/box/0', source: '1:10', mounted: '1:3', bound: false }, { target: '/state/.binds/box/1', source: '1:20', mounted: '1:20', bound: true }];
      const fatal = verify(p, sampleFacts({ container: c, networks: [net], binds })).drifts.filter((d) => d.kind === 'fatal').map((d) => (d as { reason: string }).reason);
      expect(fatal).toEqual([
        'container.mounts[0]: /home/u/proj is not bound at /state/.binds/box/0 (hermit run binds it again and recreates the container)',
        "container mounts /home/u/proj/data at /data, not hermit's pinned bind /state/.binds/box/1 of /home/u/proj/data",
      ]);
    } finally {
      delete process.env.HERMIT_STATE_DIR;
    }
  });
});
