// The built CLI (dist/, bundled) for the commands that need neither root nor Docker: catches
// what only shows once bundled, such as a dynamic import that loses its named exports.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/hermit', import.meta.url));
const hermit = (args: string[], cwd: string) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, WORKSPACE_DIR: cwd } });

describe('the built CLI', () => {
  const project = mkdtempSync(join(tmpdir(), 'hermit-cli-'));

  it('prints its version and help for every command', () => {
    expect(execFileSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    for (const cmd of ['run', 'probe', 'validate', 'init', 'profiles', 'stop', 'down', 'status', 'ps', 'logs', 'shell', 'update', 'alias', 'doctor', 'guard']) {
      const r = hermit([cmd, '--help'], project);
      expect({ cmd, status: r.status, err: r.stderr }).toEqual({ cmd, status: 0, err: '' });
    }
  });

  it('init writes a profile that validate accepts, run finds by default and profiles show resolves', () => {
    const init = hermit(['init'], project);
    expect(init.status, init.stderr).toBe(0);
    expect(readFileSync(join(project, 'hermit.yaml'), 'utf8')).toContain('extends: claude-agent');
    const validate = hermit(['validate'], project);
    expect(validate.status, validate.stderr).toBe(0);
    const show = hermit(['profiles', 'show'], project);
    expect(show.status, show.stderr).toBe(0);
    expect(show.stdout).toContain('subnet:');
    const list = hermit(['profiles', 'list', '--json'], project);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toContain('claude-agent');
    const alias = hermit(['alias', 'claude-agent'], project);
    expect(alias.status, alias.stderr).toBe(0);
  });

  it('refuses a bad profile with file:line:col and exit 2, no stack', () => {
    const r = hermit(['validate', join(fileURLToPath(new URL('../fixtures/profiles/extends/cycle-a.yaml', import.meta.url)))], project);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cycle-[ab]\.yaml:\d+:\d+: extends: makes a cycle: .*cycle-a\.yaml → .*cycle-b\.yaml → .*cycle-a\.yaml/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('with --json, a failure is one JSON result on stdout too (the message still on stderr)', () => {
    const r = hermit(['status', 'no-such-profile-here', '--json'], project);
    expect(r.status).toBe(2);
    const result = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ outcome: 'error', kind: 'usage', exitCode: 2 });
    expect(String(result.message)).toContain("no profile named 'no-such-profile-here'");
    expect(r.stderr).toContain("no profile named 'no-such-profile-here'");
  });
});
