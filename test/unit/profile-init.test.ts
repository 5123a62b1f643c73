import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../src/profile/load.js';
import { nameFromDir, profileTemplate, subnetFor } from '../../src/profile/template.js';

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
    expect(profile.container.passEnv).toEqual(['ANTHROPIC_API_KEY']);
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
