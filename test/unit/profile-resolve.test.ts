import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { profileEnv } from '../../src/profile/host-env.js';
import { type Places, findProfile, findProjectDefault, hidesMoreTrusted, listProfiles, projectProfiles, userDirs } from '../../src/profile/resolve.js';

// A tree with a profile of the same name at every level, to see which one wins:
//   root/home/u/.config/hermit/profiles   user
//   root/etc                              system
//   root/builtin                          built-in
//   root/proj/.hermit, root/proj/hermit.yaml, root/proj/sub/.hermit   project
const root = mkdtempSync(path.join(tmpdir(), 'hermit-resolve-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const at = (...p: string[]) => path.join(root, ...p);
const write = (file: string, text = 'name: x\n') => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};

write(at('builtin/agent.yaml'));
write(at('builtin/only-builtin.yaml'));
write(at('etc/agent.yaml'));
write(at('etc/only-system.yaml'));
write(at('home/u/.config/hermit/profiles/agent.yaml'));
write(at('home/u/.config/hermit/profiles/only-user.yaml'));
write(at('home/root/.config/hermit/profiles/rooty.yaml'));
write(at('proj/.hermit/agent.yaml'));
write(at('proj/hermit.yaml'), 'name: proj\n');
write(at('proj/sub/.hermit/deep.yaml'));
mkdirSync(at('proj/sub/dir'), { recursive: true });

const env = { HOME: at('home/u') };
const places = (cwd: string, e: NodeJS.ProcessEnv = env): Places => ({ cwd, env: e, system: at('etc'), builtin: at('builtin'), homeOf: () => undefined });

describe('findProfile', () => {
  it('takes the first match: project, user, system, built-in', () => {
    const project = findProfile('agent', places(at('proj/sub/dir')));
    expect(project).toMatchObject({ kind: 'project', file: at('proj/.hermit/agent.yaml'), name: 'agent' });
    // The project file hides the user's, the system's and the built-in one, all more trusted than it.
    expect(project.shadows?.map((s) => s.kind)).toEqual(['user', 'system', 'builtin']);
    expect(hidesMoreTrusted(project).map((s) => s.file)).toEqual([at('home/u/.config/hermit/profiles/agent.yaml'), at('etc/agent.yaml'), at('builtin/agent.yaml')]);
    expect(hidesMoreTrusted(findProfile('agent', places(at('elsewhere'), {})))).toEqual([]);
    expect(findProfile('agent', places(at('elsewhere')))).toMatchObject({ kind: 'user', file: at('home/u/.config/hermit/profiles/agent.yaml') });
    expect(findProfile('agent', places(at('elsewhere'), {}))).toMatchObject({ kind: 'system', file: at('etc/agent.yaml') });
    expect(findProfile('only-builtin', places(at('proj')))).toMatchObject({ kind: 'builtin', file: at('builtin/only-builtin.yaml') });
  });

  it('prefers the nearest project folder', () => {
    write(at('proj/sub/.hermit/agent.yaml'));
    expect(findProfile('agent', places(at('proj/sub/dir'))).file).toBe(at('proj/sub/.hermit/agent.yaml'));
    rmSync(at('proj/sub/.hermit/agent.yaml'));
  });

  it('finds hermit.yaml by the name it declares', () => {
    expect(findProfile('proj', places(at('proj/sub/dir')))).toEqual({ kind: 'project', file: at('proj/hermit.yaml'), name: 'proj', projectDefault: true, shadows: [] });
  });

  it('follows XDG_CONFIG_HOME', () => {
    write(at('xdg/hermit/profiles/agent.yaml'));
    expect(findProfile('agent', places(at('elsewhere'), { ...env, XDG_CONFIG_HOME: at('xdg') })).file).toBe(at('xdg/hermit/profiles/agent.yaml'));
  });

  it('takes a path as it is, relative to the current directory', () => {
    expect(findProfile('./hermit.yaml', places(at('proj')))).toEqual({ kind: 'path', file: at('proj/hermit.yaml'), name: 'hermit' });
    expect(() => findProfile('./nope.yaml', places(at('proj')))).toThrow(/profile file .*nope\.yaml does not exist/);
  });

  it('sharedOnly (hermit init\'s base): never a project file, a path only inside the user\'s, system or built-in folders', () => {
    expect(findProfile('agent', places(at('proj/sub/dir')), { sharedOnly: true })).toMatchObject({ kind: 'user', file: at('home/u/.config/hermit/profiles/agent.yaml') });
    expect(() => findProfile('deep', places(at('proj/sub/dir')), { sharedOnly: true })).toThrow(/no profile named 'deep'; looked in:\n\s+\/.*home\/u/);
    expect(() => findProfile('./hermit.yaml', places(at('proj')), { sharedOnly: true })).toThrow(`${at('proj/hermit.yaml')} is not in a folder of your own, the system's or hermit's profiles`);
    expect(findProfile(at('etc/agent.yaml'), places(at('proj')), { sharedOnly: true })).toMatchObject({ kind: 'path', file: at('etc/agent.yaml') });
  });

  it('skips a file, so a profile can extend its own name', () => {
    expect(findProfile('agent', places(at('proj')), { skip: at('proj/.hermit/agent.yaml') }).kind).toBe('user');
  });

  it('says where it looked', () => {
    let message = '';
    try {
      findProfile('missing', places(at('proj')));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split('\n')).toEqual([
      "no profile named 'missing'; looked in:",
      `    .hermit/missing.yaml, or hermit.yaml with name: missing, in ${at('proj')} and each parent`,
      `    ${at('home/u/.config/hermit/profiles/missing.yaml')}`,
      `    ${at('etc/missing.yaml')}`,
      `    ${at('builtin/missing.yaml')}`,
    ]);
  });
});

describe('under sudo', () => {
  const homeOf = (user: string) => ({ alice: at('home/u'), root: at('home/root') })[user];
  const sudoEnv = { HOME: at('home/root'), SUDO_USER: 'alice' };

  it("looks in the invoking user's profiles as well as root's", () => {
    expect(userDirs(sudoEnv, homeOf)).toEqual([at('home/root/.config/hermit/profiles'), at('home/u/.config/hermit/profiles')]);
    expect(findProfile('only-user', { ...places(at('x'), sudoEnv), homeOf }).kind).toBe('user');
    expect(findProfile('rooty', { ...places(at('x'), sudoEnv), homeOf }).kind).toBe('user');
  });

  it("expands ~ and ${HOME} to the invoking user's home, unless HOME was kept", () => {
    expect(profileEnv(sudoEnv, { cwd: '/w', homeOf }).HOME).toBe(at('home/u'));
    expect(profileEnv({ HOME: '/kept', SUDO_USER: 'alice' }, { cwd: '/w', homeOf }).HOME).toBe('/kept');
    expect(profileEnv({ HOME: at('home/root') }, { cwd: '/w', homeOf }).HOME).toBe(at('home/root'));
    expect(profileEnv({ HOME: at('home/root'), SUDO_USER: 'root' }, { cwd: '/w', homeOf }).HOME).toBe(at('home/root'));
  });

  it('sets PWD to the working directory (sudo drops it)', () => {
    expect(profileEnv({ PWD: '/stale' }, { cwd: '/w' }).PWD).toBe('/w');
  });
});

describe('the project default and listings', () => {
  it('finds the nearest hermit.yaml', () => {
    expect(findProjectDefault(places(at('proj/sub/dir')))).toEqual({ kind: 'project', file: at('proj/hermit.yaml'), name: 'proj', projectDefault: true });
    expect(() => findProjectDefault(places(at('elsewhere')))).toThrow(/no hermit\.yaml in .*elsewhere or a parent/);
  });

  it('lists every profile in lookup order, marking the shadowed ones', () => {
    const list = listProfiles(places(at('proj/sub'))).map((p) => `${p.name} ${p.kind}${p.projectDefault ? ' default' : ''}${p.shadowed ? ' shadowed' : ''}`);
    expect(list).toEqual([
      'deep project',
      'agent project',
      'proj project default',
      'agent user shadowed',
      'only-user user',
      'agent system shadowed',
      'only-system system',
      'agent builtin shadowed',
      'only-builtin builtin',
    ]);
  });

  it("lists the nearest project's own files for validate", () => {
    expect(projectProfiles(places(at('proj/sub/dir')))).toEqual([at('proj/sub/.hermit/deep.yaml')]);
    expect(projectProfiles(places(at('proj')))).toEqual([at('proj/hermit.yaml'), at('proj/.hermit/agent.yaml')]);
  });
});
