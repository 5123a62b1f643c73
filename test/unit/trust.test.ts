// Approval as pure functions: the approval form, what changed and which way, what a profile grants,
// who besides root can write a file, which mounts hand over the host.
import { describe, expect, it } from 'vitest';
import { profileProblems } from '../../src/profile/checks.js';
import { sensitivePathProblem } from '../../src/profile/isolation.js';
import { approvalForm, compareProfiles, fingerprint, grants, onlyNarrows } from '../../src/profile/trust.js';
import type { Profile } from '../../src/profile/types.js';
import { insideWritableMounts, otherWriters } from '../../src/profile/writers.js';
import { printable, printableLine } from '../../src/report/printable.js';
import { renderGrants } from '../../src/report/approval-summary.js';
import { sampleProfile } from './fixtures.js';

const withContainer = (p: Profile, c: Partial<Profile['container']>): Profile => ({ ...p, container: { ...p.container, ...c } });

describe('approval form and fingerprint', () => {
  it('hides secret env values behind a digest, and a changed secret still changes the fingerprint', () => {
    const p = withContainer(sampleProfile(), { env: { TZ: 'UTC', API_TOKEN: 'hunter2-secret', URL: 'https://x/?k=abcdef123' } });
    const form = approvalForm(p, { MY_KEY: 'abcdef123' });
    expect(form.container.env.TZ).toBe('UTC');
    expect(form.container.env.API_TOKEN).toMatch(/^<secret sha256:[0-9a-f]{16}>$/);
    expect(form.container.env.URL).toMatch(/^<secret sha256:/); // holds the value of a secret-looking variable
    expect(JSON.stringify(form)).not.toContain('hunter2');
    const rotated = approvalForm(withContainer(p, { env: { ...p.container.env, API_TOKEN: 'other-secret' } }));
    expect(fingerprint(rotated)).not.toBe(fingerprint(approvalForm(p)));
  });

  it('does not depend on key order', () => {
    const p = sampleProfile();
    const reordered = Object.fromEntries(Object.entries(p).reverse()) as unknown as Profile;
    expect(fingerprint(reordered)).toBe(fingerprint(p));
  });
});

describe('compareProfiles', () => {
  const base = sampleProfile();

  it('marks added exceptions, host ports, mounts, capabilities and resolvers as widening', () => {
    const wider: Profile = {
      ...base,
      dns: [...base.dns, '9.9.9.9'],
      egress: { ...base.egress, allow: [...base.egress.allow, { to: '192.168.77.50', ports: [5432], protocol: 'tcp' }] },
      hostPorts: [...base.hostPorts, { port: 8081, protocol: 'tcp' }],
      container: { ...base.container, mounts: [...base.container.mounts, '/home/u/.ssh:/s'], capAdd: ['CHOWN'], dockerArgs: ['--memory', '4g'] },
    };
    const changes = compareProfiles(base, wider);
    expect(changes.map((c) => `${c.op} ${c.key}: ${c.text} ${c.direction}`)).toEqual([
      '+ dns: 9.9.9.9 widens',
      '+ egress.allow: to: 192.168.77.50, ports: 5432, protocol: tcp widens',
      '+ hostPorts: port: 8081, protocol: tcp widens',
      '+ container.mounts: /home/u/.ssh:/s widens',
      '+ container.capAdd: CHOWN widens',
      '~ container.dockerArgs: [] → [--memory, 4g] widens',
    ]);
    expect(onlyNarrows(changes)).toBe(false);
  });

  it('a changed exception is a removal and an addition: it widens', () => {
    const changed: Profile = { ...base, egress: { ...base.egress, allow: [{ ...base.egress.allow[0]!, to: '192.168.50.0/24' }, base.egress.allow[1]!] } };
    const changes = compareProfiles(base, changed);
    expect(changes.map((c) => c.direction).sort()).toEqual(['narrows', 'widens']);
    expect(onlyNarrows(changes)).toBe(false);
  });

  it('only narrows: exceptions and host ports removed, a range blocked, a target that must be blocked, read-only, warn → stop', () => {
    const warn = { ...base, probe: { ...base.probe, onFailure: 'warn' as const } };
    const narrower: Profile = {
      ...base,
      egress: { ...base.egress, block: ['198.51.100.0/24', ...base.egress.block], allow: base.egress.allow.slice(1) },
      hostPorts: [],
      container: { ...base.container, readOnly: true },
      probe: { ...base.probe, mustBlock: [...base.probe.mustBlock, { host: '10.0.0.1', port: 80 }] },
    };
    const changes = compareProfiles(warn, narrower);
    expect(changes.every((c) => c.direction === 'narrows')).toBe(true);
    expect(changes.map((c) => c.key)).toEqual(['egress.block', 'egress.allow', 'hostPorts', 'container.readOnly', 'probe.mustBlock', 'probe.onFailure']);
    expect(onlyNarrows(changes)).toBe(true);
  });

  it('anything else is a change to approve: image, command, user, env; root and probe warn widen', () => {
    const other = withContainer({ ...base, image: 'evil/agent:1', command: ['sh'], probe: { ...base.probe, onFailure: 'warn' } }, { user: '0', env: { TZ: 'CET' } });
    const changes = compareProfiles(base, other);
    expect(changes.map((c) => `${c.key} ${c.direction}`)).toEqual([
      'image changes', 'command changes', 'container.user widens', 'container.env changes', 'probe.onFailure widens',
    ]);
    expect(onlyNarrows(changes)).toBe(false);
    expect(onlyNarrows([])).toBe(false);
  });

  it('taking a mask, a tmpfs or a restrictive docker option away is a change to ask about, not a narrowing', () => {
    const masked = withContainer(base, {
      mounts: [...base.container.mounts, '/srv/work/.git:/workspace/.git:ro'], tmpfs: ['/workspace/secrets'],
      dockerArgs: ['--runtime', 'runsc', '--memory', '4g', '--pids-limit', '256'],
    });
    const cases: [string, Partial<Profile['container']>][] = [
      ['the read-only .git mask removed', { mounts: base.container.mounts }],
      ['the tmpfs removed', { tmpfs: [] }],
      ['--runtime removed', { dockerArgs: ['--memory', '4g', '--pids-limit', '256'] }],
      ['values re-paired', { dockerArgs: ['--runtime', 'runsc', '--memory', '256', '--pids-limit', '4g'] }],
    ];
    for (const [what, c] of cases) {
      const changes = compareProfiles(approvalForm(masked), approvalForm(withContainer(masked, c)));
      expect(changes.length, what).toBeGreaterThan(0);
      expect(changes.every((x) => x.direction === 'changes'), what).toBe(true);
      expect(onlyNarrows(changes), what).toBe(false);
    }
  });

  it('turning IPv6 off, or taking a passed variable away, is not counted as narrowing either', () => {
    const v6 = { ...base, network: { ...base.network, ipv6: true, subnet6: 'fd00:1::/64' } };
    expect(onlyNarrows(compareProfiles(v6, { ...v6, network: { ...v6.network, ipv6: false } }))).toBe(false);
    const passing = withContainer(base, { passEnv: ['GITHUB_TOKEN'] });
    expect(onlyNarrows(compareProfiles(passing, base))).toBe(false);
  });
});

describe('compareProfiles: docker:', () => {
  const base = sampleProfile();
  const engine = { image: 'localhost/hermit/engine:1', build: { context: '/h/profiles/engine' }, container: 'hermit-agent-docker', dataVolume: 'hermit-agent-docker', socketVolume: 'hermit-agent-docker-sock' };
  it('adding the engine or changing its image widens; taking it away narrows', () => {
    const added = compareProfiles(base, { ...base, docker: engine });
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((c) => c.direction === 'widens')).toBe(true);
    const other = compareProfiles({ ...base, docker: engine }, { ...base, docker: { ...engine, image: 'example.org/engine:2' } });
    expect(other.map((c) => `${c.key} ${c.direction}`)).toEqual(['docker.image widens']);
    expect(onlyNarrows(compareProfiles({ ...base, docker: engine }, base))).toBe(true);
  });
  it('is listed among the grants', () => {
    const rows = Object.fromEntries(grants({ ...base, docker: engine }));
    expect(rows['a docker engine of its own (docker:)']![0]).toMatch(/^localhost\/hermit\/engine:1 \(built from/);
  });
});

describe('grants', () => {
  it('lists what the agent gets, root marked', () => {
    const rows = Object.fromEntries(grants(withContainer(sampleProfile(), { user: 'root' })));
    expect(rows['LAN exceptions (egress.allow)']).toEqual(['to: 192.168.50.20, ports: 8080, protocol: tcp, comment: NAS git', 'to: 10.8.0.0/24, ports: 443,8443, protocol: any']);
    expect(rows['host ports (hostPorts)']).toEqual(['11434/tcp (ollama)']);
    expect(rows.mounts).toEqual(['/srv/work → /workspace (read-write)']);
    expect(rows['runs as user']).toEqual(['root   ← root inside the container']);
    expect(rows['capabilities added']).toEqual(['(none)']);
  });
});

describe('printable', () => {
  it('shows escapes and bidi overrides instead of sending them', () => {
    expect(printable('a\u001b[2Kb\u202ec\rd\n\te')).toBe('a\\u{1b}[2Kb\\u{202e}c\\u{d}d\n\te');
  });

  it('a value shown on one line cannot start another (a forged "mounts (none)")', () => {
    expect(printableLine('/w:/w\n    mounts  (none)\tx')).toBe('/w:/w\\u{a}    mounts  (none)\\u{9}x');
  });

  it('the approval summary shows newlines inside values escaped', () => {
    const p = withContainer(sampleProfile(), { mounts: ['/srv/work:/workspace\n    mounts                          (none)'], env: { NOTE: 'a\nb' } });
    const lines = renderGrants(approvalForm(p));
    expect(lines.filter((l) => /^\s+mounts\s/.test(l))).toHaveLength(1);
    expect(lines.join('\n')).toContain('NOTE=a\\u{a}b');
  });
});

describe('otherWriters', () => {
  type St = { uid: number; gid: number; mode: number; isDirectory: () => boolean };
  const dir = (uid: number, mode: number, gid = 0): St => ({ uid, gid, mode: 0o040000 | mode, isDirectory: () => true });
  const file = (uid: number, mode: number, gid = 0): St => ({ uid, gid, mode: 0o100000 | mode, isDirectory: () => false });
  const fs = (tree: Record<string, St>) => (p: string) => tree[p];

  it('nobody but root: root-owned file in root-owned folders, /tmp-like sticky folders included', () => {
    expect(otherWriters('/tmp/w/p.yaml', fs({ '/': dir(0, 0o755), '/tmp': dir(0, 0o1777), '/tmp/w': dir(0, 0o755), '/tmp/w/p.yaml': file(0, 0o644) }))).toEqual([]);
  });

  it('names the owner, a writable group, a folder anyone can write', () => {
    const tree = { '/': dir(0, 0o755), '/home': dir(0, 0o755), '/home/u': dir(1000, 0o755, 1000), '/home/u/p.yaml': file(0, 0o664, 1000) };
    expect(otherWriters('/home/u/p.yaml', fs(tree))).toEqual(['/home/u/p.yaml is writable by group 1000', '/home/u is owned by uid 1000']);
    expect(otherWriters('/x/p.yaml', fs({ '/': dir(0, 0o755), '/x': dir(0, 0o777), '/x/p.yaml': file(0, 0o644) }))).toEqual(['/x is writable by everyone']);
    expect(otherWriters('/x/p.yaml', fs({ '/': dir(0, 0o755), '/x': dir(0, 0o755), '/x/p.yaml': file(0, 0o1666) }))).toEqual(['/x/p.yaml is writable by everyone']);
  });

  it('judges a link on the way by its owner (its mode bits mean nothing), its target along the real path', () => {
    const link = (uid: number): St => ({ uid, gid: uid, mode: 0o120000 | 0o777, isDirectory: () => false });
    const tree = { '/': dir(0, 0o755), '/etc': dir(0, 0o755), '/etc/p.yaml': link(0), '/etc/q.yaml': link(1000) };
    // realpathSync of a path that does not exist here leaves it as written: only the link itself is judged.
    expect(otherWriters('/etc/p.yaml', fs(tree))).toEqual([]);
    expect(otherWriters('/etc/q.yaml', fs(tree))).toEqual(['/etc/q.yaml is a symbolic link owned by uid 1000']);
  });

  it('finds profile files inside a folder bound writable by dockerArgs (-v, --mount), not read-only ones', () => {
    const p = withContainer(sampleProfile(), { dockerArgs: ['-v', '/srv/a:/a', '--mount', 'type=bind,src=/srv/b,dst=/b', '--mount=type=bind,source=/srv/c,target=/c,readonly', '-v=/srv/d:/d:ro'] });
    const real = (x: string) => x;
    expect(insideWritableMounts(['/srv/a/p.yaml', '/srv/b/p.yaml', '/srv/c/p.yaml', '/srv/d/p.yaml'], p, real)).toEqual([
      '/srv/a/p.yaml is inside /srv/a, which the container mounts writable at /a (-v /srv/a:/a)',
      '/srv/b/p.yaml is inside /srv/b, which the container mounts writable at /b (--mount type=bind,src=/srv/b,dst=/b)',
    ]);
  });

  it('finds profile files inside a folder the container mounts writable', () => {
    const p = withContainer(sampleProfile(), { mounts: ['/srv/work:/workspace', '/srv/ro:/ro:ro', 'vol:/v'] });
    const real = (x: string) => x;
    expect(insideWritableMounts(['/srv/work/.hermit/a.yaml', '/srv/ro/b.yaml', '/srv/other.yaml'], p, real))
      .toEqual(['/srv/work/.hermit/a.yaml is inside /srv/work, which the container mounts writable at /workspace']);
  });
});

describe('mounts that hand over the host', () => {
  const places = { homes: ['/home/u'], dirs: ['/var/lib/hermit'], exists: (p: string) => p === '/home/bob/.ssh' };
  it.each([
    ['/', false, 'which is the whole host filesystem'],
    ['/etc', true, 'which is /etc, the host\'s configuration'],
    ['/etc/passwd', false, 'which is inside /etc, the host\'s configuration, writable'],
    ['/etc/ssh', true, 'which is /etc/ssh'],
    ['/var/lib/hermit/x', true, "which is inside /var/lib/hermit (hermit's or the engine's state)"],
    ['/var', true, 'which holds /var/lib/docker'],
    ['/home/u', false, 'which holds /home/u/.ssh (credentials)'],
    ['/home/u/.aws/credentials', true, 'which is inside /home/u/.aws (credentials)'],
    ['/home/bob', false, 'which holds /home/bob/.ssh (credentials: a home directory?)'],
    ['/srv/x/.gnupg', false, 'which is inside a .gnupg folder (credentials)'],
    ['/proc/1', true, 'which is inside /proc'],
  ])('%s (read-only: %s) is refused', (path, ro, why) => {
    expect(sensitivePathProblem(path, places, ro)).toBe(why);
  });

  it.each([['/etc/localtime', true], ['/home/u/src/project', false], ['/srv/data', false], ['/tmp/work', false], ['/home/u/project/.docker', false]])(
    '%s (read-only: %s) is fine', (path, ro) => {
      expect(sensitivePathProblem(path, places, ro)).toBeUndefined();
    },
  );
});

describe('container.sensitiveMounts', () => {
  const sensitive = { homes: ['/home/u'], dirs: [] };
  it('lets a named mount through, and must name a mount', () => {
    const home = withContainer(sampleProfile(), { mounts: ['/home/u:/home/agent'] });
    expect(profileProblems(home, { sensitive }).map((p) => p.path.join('.'))).toEqual(['container.mounts.0']);
    expect(profileProblems(withContainer(home, { sensitiveMounts: ['/home/u'] }), { sensitive })).toEqual([]);
    expect(profileProblems(withContainer(home, { sensitiveMounts: ['/home/u', '/home/x'] }), { sensitive }).map((p) => p.message))
      .toEqual(["/home/x is not the host side of any of container.mounts; write it exactly as the mount's host path, or remove it"]);
  });

  it('applies to docker run options too (-v, --mount)', () => {
    const args = withContainer(sampleProfile(), { dockerArgs: ['-v', '/home/u/.kube:/k:ro', '--mount', 'type=bind,source=/var,target=/v,readonly'] });
    expect(profileProblems(args, { sensitive }).map((p) => p.message)).toEqual([
      expect.stringContaining('-v /home/u/.kube:/k:ro: mounts /home/u/.kube, which is /home/u/.kube (credentials)'),
      expect.stringContaining('mounts /var, which holds /var/lib/docker'),
    ]);
  });
});

describe('allowlist mode', () => {
  const withDomains = (names: string[]): Profile => ({
    ...sampleProfile(),
    proxy: {
      domains: names.map((n) => ({ name: n.replace(/^\./, ''), subdomains: n.startsWith('.'), ports: [] })),
      image: 'localhost/hermit/squid:latest', container: 'hermit-agent-proxy', address: '172.30.0.130', bridgeAddress: '172.30.0.2', port: 3128,
      network: { name: 'hermit-agent-internal', subnet: '172.30.0.128/25', gateway: '172.30.0.129', bridge: 'hm-agent-in' },
    },
  });
  it('a listed name more widens, one fewer narrows, and the grants name them', () => {
    expect(compareProfiles(withDomains(['git.example.org']), withDomains(['git.example.org', '.example.org'])).map((c) => `${c.op} ${c.key}: ${c.text} ${c.direction}`))
      .toEqual(['+ proxy.domains: .example.org widens']);
    expect(onlyNarrows(compareProfiles(withDomains(['git.example.org', 'x.example.org']), withDomains(['git.example.org'])))).toBe(true);
    expect(Object.fromEntries(grants(withDomains(['.example.org'])))['the internet, only through the proxy, to (egress.domains)']).toEqual(['.example.org']);
  });
  it('leaving allowlist mode is not a narrowing', () => {
    expect(onlyNarrows(compareProfiles(withDomains(['git.example.org']), sampleProfile()))).toBe(false);
  });
});
