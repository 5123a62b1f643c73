import { linkSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEnvFile, readEnvFile, withEnvFile } from '../../src/profile/env-file.js';
import { approvalForm, compareProfiles, grants } from '../../src/profile/trust.js';
import type { LoadedProfile } from '../../src/profile/types.js';
import { sampleProfile } from './fixtures.js';

describe('parseEnvFile: docker\'s env-file format', () => {
  it('takes NAME=value literally, skips comments and blank lines, later lines win', () => {
    const text = '\uFEFF# a comment\n\nA=1\n  B = x\nC="quoted" \\n $HOME ${X}\r\n\t# indented comment\nD=\nE=a=b\nA=2\nF=trailing space \n';
    const { values, problems } = parseEnvFile(text, '.env');
    expect(problems).toEqual(['.env:4: \'B \' is not a variable name; write NAME=value, with a name of letters, digits and _ (not starting with a digit)']);
    expect(values).toEqual({ A: '2', C: '"quoted" \\n $HOME ${X}', D: '', E: 'a=b', F: 'trailing space ' });
  });

  it('refuses a line with only a name, located, and says what to write instead', () => {
    expect(parseEnvFile('OK=1\nAWS_SECRET_ACCESS_KEY\n', '/p/.env').problems).toEqual([
      "/p/.env:2: AWS_SECRET_ACCESS_KEY has no value (docker would copy hermit's own AWS_SECRET_ACCESS_KEY); write AWS_SECRET_ACCESS_KEY=value, or list AWS_SECRET_ACCESS_KEY under container.passEnv in the profile",
    ]);
  });

  it('refuses names that are not variable names, and names the docker CLI itself would read', () => {
    const { problems } = parseEnvFile('1X=a\n=b\nmy.var=c\nPATH=/workspace/bin\nLD_PRELOAD=/workspace/x.so\nDOCKER_HOST=tcp://x\n', 'e');
    expect(problems.map((p) => p.split(': ')[0])).toEqual(['e:1', 'e:2', 'e:3', 'e:4', 'e:5', 'e:6']);
    expect(problems[3]).toContain('PATH would also change the docker command hermit runs as root');
  });
});

describe('readEnvFile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hermit-envfile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it('reads a regular file', () => {
    expect(readEnvFile(file('ok.env', 'NAME=public\n'))).toEqual({ NAME: 'public' });
  });

  it('refuses a link in its place, naming container.envFile and what to do', () => {
    const secret = file('secret.env', 'SECRET=topsecret\n');
    const link = path.join(dir, 'link.env');
    symlinkSync(secret, link);
    expect(() => readEnvFile(link)).toThrow(`container.envFile ${link}: is a symbolic link; hermit does not follow links at this place`);
    try {
      readEnvFile(link);
    } catch (e) {
      expect((e as { hint: string }).hint).toBe(`Put the file itself at ${link}, or point container.envFile in the profile at the real file`);
    }
  });

  it('refuses what is not a regular file with one name: a folder, a FIFO (without hanging), a hard link', () => {
    mkdirSync(path.join(dir, 'folder.env'));
    expect(() => readEnvFile(path.join(dir, 'folder.env'))).toThrow('is not a regular file');
    execFileSync('mkfifo', [path.join(dir, 'fifo.env')]);
    expect(() => readEnvFile(path.join(dir, 'fifo.env'))).toThrow('is not a regular file');
    const original = file('original.env', 'A=1\n');
    linkSync(original, path.join(dir, 'hard.env'));
    expect(() => readEnvFile(path.join(dir, 'hard.env'))).toThrow('has 2 names (hard links)');
    expect(() => readEnvFile(path.join(dir, 'missing.env'))).toThrow('no such file');
  });

  it('refuses invalid UTF-8 as docker does, and reports every bad line at once', () => {
    const bad = path.join(dir, 'latin1.env');
    writeFileSync(bad, Buffer.from([0x41, 0x3d, 0xe9, 0x0a]));
    expect(() => readEnvFile(bad)).toThrow('is not UTF-8 text');
    expect(() => readEnvFile(file('two.env', 'A\nB\n'))).toThrow(/two\.env:1: A has no value.*\n.*two\.env:2: B has no value/);
  });

  it('withEnvFile reads once: the profile handed on carries the values', () => {
    const p = sampleProfile();
    p.container.envFile = file('w.env', 'W=1\n');
    const loaded: LoadedProfile = { profile: p, file: '/p.yaml', locate: () => undefined };
    const read = withEnvFile(loaded);
    expect(read.profile.container.envFileValues).toEqual({ W: '1' });
    writeFileSync(p.container.envFile, 'W=2\n');
    expect(withEnvFile(read)).toBe(read);
  });
});

describe('the env file in the approval', () => {
  const withValues = (values: Record<string, string>) => {
    const p = sampleProfile();
    p.container.envFile = '/p/.env';
    p.container.envFileValues = values;
    return p;
  };

  it('holds digests of the values, never the values; a changed or added value is a change to ask about', () => {
    const a = approvalForm(withValues({ NAME: 'public' }));
    expect(a.container.envFileValues).toEqual({ NAME: expect.stringMatching(/^<sha256:[0-9a-f]{16}>$/) });
    expect(JSON.stringify(a)).not.toContain('public');
    const b = approvalForm(withValues({ NAME: 'changed', MORE: 'x' }));
    const changes = compareProfiles(a, b);
    expect(changes.map((c) => [c.key, c.op, c.direction])).toEqual([
      ['container.envFileValues.NAME', '~', 'changes'],
      ['container.envFileValues.MORE', '~', 'changes'],
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/changed|"x"/);
  });

  it('shows the file and its names in the summary, not the values', () => {
    const rows = Object.fromEntries(grants(approvalForm(withValues({ NAME: 'public', OTHER: 'y' }))));
    expect(rows['env file']).toEqual(['/p/.env: NAME, OTHER (values approved, not shown)']);
  });
});
