import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describe as describeCommand } from '../../src/apply/exec.js';
import { dockerRun } from '../../src/plan/container.js';
import { checkDockerArgs } from '../../src/profile/isolation.js';
import { loadProfile, parseProfile } from '../../src/profile/load.js';
import { REDACTED, looksSecret, redactProfile } from '../../src/profile/secrets.js';
import { sampleProfile } from './fixtures.js';

const root = path.resolve(fileURLToPath(import.meta.url), '../../..');
const KEY = 'sk-ant-0123456789abcdef';

describe('looksSecret', () => {
  it.each(['ANTHROPIC_API_KEY', 'GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'PGPASSWORD', 'db_passwd', 'GPG_PASSPHRASE', 'GOOGLE_APPLICATION_CREDENTIALS', 'SSH_PRIVATE'])('%s is secret', (name) => {
    expect(looksSecret(name)).toBe(true);
  });
  it.each(['NODE_OPTIONS', 'TZ', 'HOME', 'WORKSPACE_DIR', 'SSH_AUTH_SOCK'])('%s is not', (name) => {
    expect(looksSecret(name)).toBe(false);
  });
});

describe('redactProfile', () => {
  it('hides env values with secret names, or holding a secret of the environment', () => {
    const p = sampleProfile();
    p.container.env = { TZ: 'UTC', OPENAI_API_KEY: 'literal-key', FORWARDED: `Bearer ${KEY}` };
    const shown = redactProfile(p, { ANTHROPIC_API_KEY: KEY, SHORT_KEY: 'x' });
    expect(shown.container.env).toEqual({ TZ: 'UTC', OPENAI_API_KEY: REDACTED, FORWARDED: REDACTED });
    expect(shown.container.passEnv).toEqual(['API_KEY']);
    expect(p.container.env.OPENAI_API_KEY).toBe('literal-key'); // a copy, not in place
  });
});

describe('secrets never reach docker argv', () => {
  it('passes env and passEnv by name only, the values in docker\'s own environment', () => {
    const { profile } = loadProfile(path.join(root, 'profiles/claude-agent.yaml'), undefined, { PWD: '/p' });
    profile.container.passEnv = ['GITHUB_TOKEN'];
    const run = dockerRun(profile, { dockerArgs: [], command: [] }, { ANTHROPIC_API_KEY: KEY, GITHUB_TOKEN: KEY });
    expect(run.env.GITHUB_TOKEN).toBe(KEY);
    // The shipped profile's API key is added by the proxy: the agent holds a placeholder.
    expect(run.env.ANTHROPIC_API_KEY).toBe('hermit-placeholder');
    expect(run.env.ANTHROPIC_BASE_URL).toBe('http://172.30.0.254:3129');
    const argv = describeCommand({ file: 'docker', args: run.args });
    expect(argv).not.toContain(KEY);
    expect(argv).toContain('--env GITHUB_TOKEN ');
    expect(argv).toContain('--env ANTHROPIC_API_KEY ');
    expect(argv).toContain('--env NODE_OPTIONS ');
  });

  it('refuses -e NAME=value for a secret-looking name, in the profile and after --, without repeating the value', () => {
    expect(checkDockerArgs(['-e', `ANTHROPIC_API_KEY=${KEY}`, '--env=TZ=UTC', '-e', 'GITHUB_TOKEN'], 'arguments after --')).toEqual([
      `arguments after --: -e ANTHROPIC_API_KEY=…: puts the value of ANTHROPIC_API_KEY on docker's command line, where ps shows it; pass it by name with container.passEnv: [ANTHROPIC_API_KEY], or as a container.env value`,
    ]);
    const text = 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\ncontainer:\n  dockerArgs: [--env, "NPM_TOKEN=abc"]\n';
    expect(() => parseProfile('p.yaml', text, {})).toThrow("p.yaml:6:16: container.dockerArgs[0]: --env NPM_TOKEN=…: puts the value of NPM_TOKEN on docker's command line");
  });
});

describe('healthcheck', () => {
  it('reaches docker run as --health-* options, a list quoted into one shell line', () => {
    const text = [
      'name: demo', 'image: alpine', 'network: { subnet: 172.30.0.0/24 }', 'dns: [1.1.1.1]',
      'container:', "  healthcheck: { command: [wget, -q, -O-, \"http://x/it's\"], interval: 1m30s, retries: 2 }",
    ].join('\n');
    const { profile } = parseProfile('p.yaml', text, {});
    expect(profile.container.healthcheck).toEqual({ command: `wget -q -O- 'http://x/it'\\''s'`, interval: '1m30s', retries: 2 });
    const args = dockerRun(profile, { dockerArgs: [], command: [] }, {}).args;
    const at = args.indexOf('--health-cmd');
    expect(args.slice(at, at + 6)).toEqual(['--health-cmd', `wget -q -O- 'http://x/it'\\''s'`, '--health-interval', '1m30s', '--health-retries', '2']);
  });

  it('leaves docker run alone without one', () => {
    expect(dockerRun(sampleProfile(), { dockerArgs: [], command: [] }, { API_KEY: 'k' }).args.some((a) => a.startsWith('--health'))).toBe(false);
  });

  it('refuses a duration docker would not take', () => {
    const text = 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\ncontainer:\n  healthcheck: { command: "true", interval: 30 }\n';
    expect(() => parseProfile('p.yaml', text, {})).toThrow('p.yaml:6:45: container.healthcheck.interval: must be a duration such as 30s, 1m30s or 500ms');
  });
});

describe('build', () => {
  const text = (build: string, image = 'localhost/demo:1') =>
    `name: demo\nimage: ${image}\nbuild: ${build}\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\n`;
  const file = path.join(root, 'profiles/demo.yaml');

  it('makes the context and Dockerfile absolute, relative to the profile file', () => {
    expect(parseProfile(file, text('{ context: claude-agent }'), {}).profile.build).toEqual({
      context: path.join(root, 'profiles/claude-agent'), dockerfile: path.join(root, 'profiles/claude-agent/Dockerfile'),
    });
    expect(parseProfile(file, text('{ context: ., dockerfile: claude-agent/Dockerfile }'), {}).profile.build).toEqual({
      context: path.join(root, 'profiles'), dockerfile: path.join(root, 'profiles/claude-agent/Dockerfile'),
    });
  });

  it('refuses a context or Dockerfile that is not there, and a digest as the tag', () => {
    expect(() => parseProfile(file, text('{ context: nowhere }'), {})).toThrow(`profiles/demo.yaml:3:19: build.context: ${path.join(root, 'profiles/nowhere')} is not a directory`);
    expect(() => parseProfile(file, text('{ context: ., dockerfile: No.Dockerfile }'), {})).toThrow(`build.dockerfile: there is no Dockerfile at ${path.join(root, 'profiles/No.Dockerfile')}`);
    expect(() => parseProfile(file, text('{ context: claude-agent }', 'demo@sha256:abc'), {})).toThrow('image: names a digest, but build needs a tag');
  });
});
