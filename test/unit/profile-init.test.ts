import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createFile } from '../../src/create-file.js';
import { parseProfile } from '../../src/profile/load.js';
import { controlCharacterIn, nameFromDir, profileTemplate, subnetFor } from '../../src/profile/template.js';

const root = path.resolve(fileURLToPath(import.meta.url), '../../..');
const project = path.join(root, 'test/fixtures/profiles/extends/project');

// Only the built-in profiles, whatever this host has in /etc/hermit.
const hostless = { places: { system: '/nonexistent' } };

const template = (name: string, projectDir: string) =>
  profileTemplate({
    name,
    extends: 'claude-agent',
    baseName: 'claude-agent',
    baseDescription: 'the built-in profile claude-agent, /x/profiles/claude-agent.yaml',
    schema: '/x/schema/profile.schema.json',
    baseMounts: ['${WORKSPACE_DIR:-${PWD}}:/workspace', 'hermit-claude-agent-home:/home/node', '/etc/gitconfig:/etc/gitconfig:ro'],
    projectDir,
  });

describe('hermit init', () => {
  it('writes a commented profile that extends the base and loads', () => {
    const text = template('my-app', '.');
    expect(text.split('\n').slice(0, 4)).toEqual([
      '# yaml-language-server: $schema=/x/schema/profile.schema.json',
      '#',
      "# hermit profile 'my-app', written by hermit init. It extends the built-in profile claude-agent:",
      '#   /x/profiles/claude-agent.yaml',
    ]);
    const { profile, chain } = parseProfile(path.join(project, 'hermit.yaml'), text, { PWD: '/somewhere/else' }, hostless);
    expect(chain?.[1]).toBe(path.join(root, 'profiles/claude-agent.yaml'));
    expect(profile.name).toBe('my-app');
    expect(profile.network.subnet).toBe(subnetFor('my-app'));
    // The workspace is the project folder, not wherever hermit runs; volumes are the project's own.
    expect(profile.container.mounts).toEqual([`${project}:/workspace`, 'hermit-my-app-home:/home/node', '/etc/gitconfig:/etc/gitconfig:ro']);
    expect(profile.credentialProxy?.credentials?.map((c) => c.baseUrlEnv)).toEqual(['ANTHROPIC_BASE_URL']);
  });

  it('points the workspace one folder up from .hermit/', () => {
    const { profile } = parseProfile(path.join(project, '.hermit/reviewer.yaml'), template('reviewer', '..'), { WORKSPACE_DIR: '' }, hostless);
    expect(profile.container.mounts[0]).toBe(`${project}:/workspace`);
  });

  it('names a profile after its folder', () => {
    expect(nameFromDir('/home/u/src/My_Project.v2')).toBe('my-project-v2');
    expect(nameFromDir('/home/u/src/a-really-long-project-name')).toBe('a-really-long-proj');
    expect(nameFromDir('/home/u/src/--x--')).toBe('x');
    expect(nameFromDir('/')).toBe('project');
  });

  it('picks a /24 of its own in 172.30.0.0/16, never the built-in one', () => {
    expect(subnetFor('my-app')).toBe(subnetFor('my-app'));
    for (const n of ['a', 'b', 'c', 'my-app', 'reviewer', 'x']) expect(subnetFor(n)).toMatch(/^172\.30\.([1-9]\d?|1\d\d|2[0-4]\d|25[0-4])\.0\/24$/);
  });
});

describe('what hermit init copies from the base', () => {
  const input = {
    name: 'p', extends: 'claude-agent', baseName: 'claude-agent', baseDescription: 'the built-in profile claude-agent, /x.yaml',
    schema: '/x/schema.json', baseMounts: ['./a:/workspace'], projectDir: '.',
  };

  it('is refused when it holds a control character: a line break would put lines of the base\'s choosing into the file', () => {
    expect(controlCharacterIn(input)).toBeUndefined();
    expect(controlCharacterIn({ ...input, baseMounts: ['./a:/workspace', 'x:/y\necho pwned >> ~/.bashrc'] })).toBe('container.mounts[1] of the base');
    expect(controlCharacterIn({ ...input, baseName: 'a\rb' })).toBe("the base's name");
    expect(controlCharacterIn({ ...input, extends: 'x\u001b[2K' })).toBe('the base profile name');
    expect(controlCharacterIn({ ...input, baseMounts: ['a\u2028b:/c'] })).toBe('container.mounts[0] of the base');
  });
});

describe('createFile: never through a link', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hermit-create-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const outside = path.join(dir, 'outside');
  mkdirSync(outside);

  it('creates a new file', () => {
    createFile(path.join(dir, 'new.yaml'), 'a: 1\n');
    expect(readFileSync(path.join(dir, 'new.yaml'), 'utf8')).toBe('a: 1\n');
  });

  it('refuses any name already there, a dangling link included, and does not create its target', () => {
    const target = path.join(outside, '.bash_aliases');
    symlinkSync(target, path.join(dir, 'hermit.yaml'));
    expect(() => createFile(path.join(dir, 'hermit.yaml'), 'x')).toThrow(`${path.join(dir, 'hermit.yaml')} already exists (a file or a link); nothing was written`);
    expect(existsSync(target)).toBe(false);
    expect(() => createFile(path.join(dir, 'new.yaml'), 'x')).toThrow('already exists');
  });

  it('with replace, puts a new file in place of a link (the link is replaced, its target untouched)', () => {
    const target = path.join(outside, 'victim');
    writeFileSync(target, 'keep\n');
    symlinkSync(target, path.join(dir, 'evidence.json'));
    createFile(path.join(dir, 'evidence.json'), '{}\n', { replace: true });
    expect(lstatSync(path.join(dir, 'evidence.json')).isFile()).toBe(true);
    expect(readFileSync(path.join(dir, 'evidence.json'), 'utf8')).toBe('{}\n');
    expect(readFileSync(target, 'utf8')).toBe('keep\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a link in place of the folder (.hermit -> elsewhere), and makes the folder when asked', () => {
    symlinkSync(outside, path.join(dir, '.hermit'));
    expect(() => createFile(path.join(dir, '.hermit', 'x.yaml'), 'x', { makeDir: true })).toThrow(`${path.join(dir, '.hermit')} is not a folder but a link or a file`);
    expect(readdirSync(outside)).not.toContain('x.yaml');
    expect(readlinkSync(path.join(dir, '.hermit'))).toBe(outside);
    createFile(path.join(dir, 'sub', 'x.yaml'), 'x', { makeDir: true });
    expect(readFileSync(path.join(dir, 'sub', 'x.yaml'), 'utf8')).toBe('x');
  });
});
