import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HermitError } from '../../src/errors.js';
import { type LoadOptions, loadProfile, parseProfile } from '../../src/profile/load.js';
import { mergeLayers } from '../../src/profile/merge.js';

const root = path.resolve(fileURLToPath(import.meta.url), '../../..');
const dir = path.join(root, 'test/fixtures/profiles/extends');
const at = (p: string) => path.join(dir, p);
// Shown relative to the current directory, which vitest sets to the repository.
const shown = (p: string) => path.relative(process.cwd(), at(p));
// Names are looked up with the fixture folder as the built-in profiles, and nothing else.
const opts: LoadOptions = { places: { system: at('no-such-dir'), builtin: dir } };
const load = (p: string, env: NodeJS.ProcessEnv = {}) => loadProfile(at(p), undefined, env, opts);

function problemsOf(file: string, text: string): string {
  try {
    parseProfile(file, text, {}, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(HermitError);
    return (err as HermitError).message;
  }
  throw new Error('expected the profile to be refused');
}

describe('mergeLayers', () => {
  it('merges maps, replaces lists and values, appends alsoAllow', () => {
    const merged = mergeLayers([
      { name: 'a', network: { subnet: 's', mtu: 1400 }, dns: ['1', '2'], egress: { allow: [{ to: 'x' }] }, container: { env: { A: 1, B: 1 } } },
      { extends: 'a', name: 'b', network: { subnet: 't' }, dns: ['3'], egress: { alsoAllow: [{ to: 'y' }] }, container: { env: { B: 2 } } },
    ]);
    expect(merged.data).toEqual({
      name: 'b', network: { subnet: 't', mtu: 1400 }, dns: ['3'], egress: { allow: [{ to: 'x' }, { to: 'y' }] }, container: { env: { A: 1, B: 2 } },
    });
    // Each value knows the layer and key that wrote it.
    expect(merged.originOf(['network', 'mtu'])).toEqual({ layer: 0, docPath: ['network', 'mtu'] });
    expect(merged.originOf(['network', 'subnet'])).toEqual({ layer: 1, docPath: ['network', 'subnet'] });
    expect(merged.originOf(['network'])).toEqual({ layer: 1, docPath: ['network'] });
    expect(merged.originOf(['egress', 'allow', 0, 'to'])).toEqual({ layer: 0, docPath: ['egress', 'allow', 0, 'to'] });
    expect(merged.originOf(['egress', 'allow', 1, 'to'])).toEqual({ layer: 1, docPath: ['egress', 'alsoAllow', 0, 'to'] });
    expect(merged.originOf(['container', 'env', 'A'])).toEqual({ layer: 0, docPath: ['container', 'env', 'A'] });
  });

  it('lets a replaced list forget where the old items came from', () => {
    const merged = mergeLayers([{ dns: ['1', '2'] }, { dns: ['3'] }]);
    expect(merged.originOf(['dns', 1])).toEqual({ layer: 1, docPath: ['dns', 1] });
  });

  it('replaces a map with a value and back', () => {
    expect(mergeLayers([{ network: { subnet: 's' } }, { network: 'host' }]).data).toEqual({ network: 'host' });
    expect(mergeLayers([{ network: 'host' }, { network: { subnet: 's' } }]).data).toEqual({ network: { subnet: 's' } });
  });

  it('does not change the layers', () => {
    const base = { container: { env: { A: 1 } } };
    mergeLayers([base, { container: { env: { B: 2 } } }]);
    expect(base).toEqual({ container: { env: { A: 1 } } });
  });
});

describe('extends', () => {
  it('lays a profile over its parent', () => {
    const { profile, chain } = load('project/child.yaml');
    expect(chain).toEqual([at('project/child.yaml'), at('base.yaml')]);
    expect(profile.name).toBe('child');
    expect(profile.image).toBe('alpine:3.20');
    expect(profile.network).toMatchObject({ name: 'hermit-child', subnet: '172.30.51.0/24', gateway: '172.30.51.1', mtu: 1400 });
    expect(profile.dns).toEqual(['9.9.9.9']);
    expect(profile.egress.allow).toEqual([
      { to: '192.168.1.20', ports: [22], protocol: 'tcp', comment: 'base exception' },
      { to: '10.0.0.5', ports: [443], protocol: 'tcp', comment: 'child exception' },
    ]);
    expect(profile.container.env).toEqual({ A: 'from-base', B: 'from-child', C: 'from-child' });
    expect(profile.container.sysctls).toEqual({ 'net.ipv4.tcp_keepalive_time': '60' });
    expect(profile.container.mounts).toEqual([`${at('project/src')}:/workspace`]);
    expect(profile.probe.timeoutMs).toBe(2000);
  });

  it('resolves relative paths against the file that wrote them', () => {
    expect(load('project/inherit.yaml').profile.container.mounts).toEqual([`${at('data')}:/data`, `${at('cache')}:/cache`]);
  });

  it('follows a chain; allow replaces the inherited list and alsoAllow adds to it', () => {
    const { profile, chain } = load('project/grandchild.yaml');
    expect(chain).toEqual([at('project/grandchild.yaml'), at('project/child.yaml'), at('base.yaml')]);
    expect(profile.egress.allow).toEqual([{ to: '10.0.0.6', ports: [], protocol: 'tcp' }]);
    expect(profile.dns).toEqual(['9.9.9.9']);
  });

  it('looks a name up past the file itself', () => {
    const { profile, chain } = load('project/.hermit/base.yaml');
    expect(chain).toEqual([at('project/.hermit/base.yaml'), at('base.yaml')]);
    expect(profile.name).toBe('own-name');
  });

  it('locates inherited values in the parent', () => {
    const loaded = load('project/child.yaml');
    expect(loaded.locate(['network', 'mtu'])).toEqual({ line: 6, col: 8, file: shown('base.yaml') });
    expect(loaded.locate(['network', 'subnet'])).toEqual({ line: 4, col: 11 });
    expect(loaded.locate(['egress', 'allow', 1, 'to'])).toEqual({ line: 8, col: 13 });
  });

  it('reports a problem where it was written, parent or child', () => {
    const text = 'extends: ../bad-parent.yaml\nname: kid\ndns: [127.0.0.1]\n';
    expect(problemsOf(at('project/kid.yaml'), text).split('\n')).toEqual([
      `${at('project/kid.yaml')}:3:7: dns[0]: is a loopback address, which inside the container is the container itself; use a resolver such as 1.1.1.1`,
      `${shown('bad-parent.yaml')}:4:11: network.subnet: has host bits set; write 172.30.0.0/24`,
    ]);
  });

  it('reports a cycle with the chain, at the extends key that closes it', () => {
    expect(() => load('cycle-a.yaml')).toThrow(
      `${shown('cycle-b.yaml')}:3:1: extends: makes a cycle: ${shown('cycle-a.yaml')} → ${shown('cycle-b.yaml')} → ${shown('cycle-a.yaml')}`,
    );
    expect(problemsOf(at('self.yaml'), 'name: self\nextends: ./self.yaml\n')).toBe(`${at('self.yaml')}:2:1: extends: makes a cycle: ${shown('self.yaml')} → ${shown('self.yaml')}`);
  });

  it('reports a missing parent with the chain and where it looked', () => {
    const message = problemsOf(at('project/orphan.yaml'), 'name: orphan\nextends: nowhere\n');
    expect(message.split('\n')[0]).toBe(`${at('project/orphan.yaml')}:2:1: extends: no profile named 'nowhere' (${shown('project/orphan.yaml')} → nowhere); looked in:`);
    expect(message).toContain(at('nowhere.yaml'));
    expect(problemsOf(at('project/orphan.yaml'), 'name: orphan\nextends: ./gone.yaml\n')).toMatch(
      new RegExp(`^${at('project/orphan.yaml')}:2:1: extends: profile file ${at('project/gone.yaml')} does not exist \\(`),
    );
  });

  it('refuses an extends that is not a name', () => {
    expect(problemsOf(at('x.yaml'), 'name: x\nextends: [a, b]\n')).toBe(`${at('x.yaml')}:2:1: extends: must be the name of a profile, or a path such as ../base.yaml`);
  });

  it('refuses alsoAllow items like allow items', () => {
    const text = 'extends: ../base.yaml\nname: kid\negress:\n  alsoAllow:\n    - { to: 192.168.1.30, protocol: icmp }\n';
    expect(problemsOf(at('project/kid.yaml'), text)).toBe(`${at('project/kid.yaml')}:5:37: egress.allow[1].protocol: must be one of tcp, udp, any (not 'icmp')`);
  });

  it('keeps the shipped profile loadable through extends', () => {
    const text = 'extends: claude-agent\nname: mine\nnetwork: { subnet: 172.30.99.0/24 }\n';
    const { profile, chain } = parseProfile(at('mine.yaml'), text, { PWD: '/p' }, { places: { system: '/nonexistent' } });
    expect(chain).toEqual([at('mine.yaml'), path.join(root, 'profiles/claude-agent.yaml')]);
    expect(profile.build?.context).toBe(path.join(root, 'profiles/claude-agent'));
    expect(profile.container.mounts[0]).toBe('/p:/workspace');
    expect(readFileSync(at('base.yaml'), 'utf8')).toContain('name: base');
  });
});
