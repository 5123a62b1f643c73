// Build inputs: .dockerignore as Docker reads it, the ADD check, the tar writer, the snapshot of a
// context (no links followed, special files refused) and what is shown before approval.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isIgnored, parseDockerignore } from '../../src/profile/dockerignore.js';
import { addSources, checkDockerfile, instructions } from '../../src/profile/dockerfile.js';
import { tarArchive } from '../../src/plan/tar.js';
import { OUTSIDE_DOCKERFILE, compareEntries, contextTar, entryRecord, snapshotBuildInputs } from '../../src/profile/build-inputs.js';
import { renderBuildApproval, unifiedDiff } from '../../src/report/build-inputs.js';

describe('.dockerignore', () => {
  const ignored = (patterns: string, path: string) => isIgnored(parseDockerignore(patterns), path);

  it.each([
    ['*.log', 'a.log', true],
    ['*.log', 'sub/a.log', false],
    ['**/*.log', 'sub/deep/a.log', true],
    ['**/*.log', 'a.log', true],
    ['node_modules', 'node_modules/x/index.js', true],
    ['/secret', 'secret', true],
    ['secret/', 'secret/key', true],
    ['./build/../out', 'out/x', true],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['[a-c]x', 'bx', true],
    ['[^a-c]x', 'bx', false],
    ['docs/**', 'docs/a/b.md', true],
    ['docs/**', 'docs', false],
    ['f.txt', 'f_txt', false],
    ['# a comment', '# a comment', false],
    ['  spaced  ', 'spaced', true],
  ])('%j leaves out %j: %s', (pattern, path, want) => {
    expect(ignored(pattern, path)).toBe(want);
  });

  it('the last matching pattern wins; ! re-includes', () => {
    const text = '*.md\n!README.md\n';
    expect(ignored(text, 'CHANGES.md')).toBe(true);
    expect(ignored(text, 'README.md')).toBe(false);
    expect(ignored(`${text}README*\n`, 'README.md')).toBe(true);
    expect(ignored('secrets\n!secrets/public.pem\n', 'secrets/public.pem')).toBe(false);
    expect(ignored('secrets\n!secrets/public.pem\n', 'secrets/private.pem')).toBe(true);
  });

  it("refuses '!' alone", () => {
    expect(() => parseDockerignore('!\n')).toThrow(/line 1/);
  });
});

describe('the ADD check', () => {
  it('joins continuation lines, drops comments, reads flags and the JSON form', () => {
    const text = 'FROM x\n# ADD http://no/\nRUN a \\\n  # inside\n  b\nADD --chmod=755 --chown=1:1 a b /dst/\nADD ["c d", "/e"]\nONBUILD ADD f /g\n';
    const ins = instructions(text);
    expect(ins.map((i) => [i.keyword, i.line])).toEqual([['FROM', 1], ['RUN', 3], ['ADD', 6], ['ADD', 7], ['ADD', 8]]);
    expect(ins[1]!.rest).toBe('a b');
    expect(addSources(ins[2]!.rest)).toEqual(['a', 'b']);
    expect(addSources(ins[3]!.rest)).toEqual(['c d']);
    expect(() => checkDockerfile(text, '/c/Dockerfile')).not.toThrow();
  });

  it.each([
    ['ADD http://192.168.50.20:8080/ /leak', 2],
    ['add --chmod=644 HTTPS://example.com/x /x', 2],
    ['ADD git@github.com:me/repo.git /src', 2],
    ['ADD ["https://example.com/x", "/x"]', 2],
    ['ONBUILD ADD ftp://x/y /y', 2],
    ['ARG U=http://192.168.50.20/\nADD $U /x', 3],
    ['RUN true\nADD \\\n  --link \\\n  http://x/ /y', 3],
  ])('refuses %j, naming the file and line', (body, line) => {
    expect(() => checkDockerfile(`FROM x\n${body}\n`, '/c/Dockerfile')).toThrow(new RegExp(`^/c/Dockerfile:${line}: ADD `));
  });

  it('the refusal says what to do instead', () => {
    try {
      checkDockerfile('FROM x\nADD http://x/ /y\n', '/c/Dockerfile');
      expect.unreachable();
    } catch (e) {
      expect((e as { hint?: string }).hint).toMatch(/RUN curl .*COPY it/);
    }
  });

  it('follows the escape directive', () => {
    expect(() => checkDockerfile('# escape=`\nFROM x\nADD `\n  http://x/ /y\n', '/c/Dockerfile')).toThrow(/Dockerfile:3: ADD http:\/\/x\//);
  });
});

const dir = mkdtempSync(join(tmpdir(), 'hermit-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the tar writer', () => {
  it('writes ustar entries tar(1) lists, long names through pax headers, and extracts the same bytes', () => {
    const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/file-with-a-long-name.txt`;
    const tar = tarArchive([
      { path: 'dir', type: 'dir', mode: 0o755, mtime: 1_700_000_000 },
      { path: 'dir/run.sh', type: 'file', mode: 0o755, mtime: 1_700_000_000, data: Buffer.from('#!/bin/sh\necho hi\n') },
      { path: 'link', type: 'symlink', mode: 0o777, mtime: 1_700_000_000, target: 'dir/run.sh' },
      { path: long, type: 'file', mode: 0o644, mtime: 1_700_000_000, data: Buffer.alloc(1000, 1) },
      { path: 'ünï', type: 'file', mode: 0o600, mtime: 1_700_000_000, data: Buffer.from('') },
    ]);
    expect(tar.length % 512).toBe(0);
    const file = join(dir, 't.tar');
    writeFileSync(file, tar);
    const listing = execFileSync('tar', ['-tvf', file], { encoding: 'utf8' });
    expect(listing).toMatch(/^drwxr-xr-x root\/root +0 .* dir\/$/m);
    expect(listing).toMatch(/^-rwxr-xr-x root\/root +18 .* dir\/run\.sh$/m);
    expect(listing).toMatch(/^lrwxrwxrwx root\/root +0 .* link -> dir\/run\.sh$/m);
    expect(listing).toContain(` ${long}\n`);
    expect(listing).toContain(' ünï\n');
    const out = join(dir, 'x');
    mkdirSync(out);
    execFileSync('tar', ['-xf', file, '-C', out]);
    expect(execFileSync('cat', [join(out, 'dir/run.sh')], { encoding: 'utf8' })).toBe('#!/bin/sh\necho hi\n');
    expect(execFileSync('wc', ['-c', join(out, long)], { encoding: 'utf8' })).toMatch(/^1000 /);
  });
});

describe('the snapshot of a build context', () => {
  const ctx = join(dir, 'ctx');
  mkdirSync(join(ctx, 'src'), { recursive: true });
  mkdirSync(join(ctx, 'node_modules', 'x'), { recursive: true });
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM x\nCOPY . /app\n');
  writeFileSync(join(ctx, '.dockerignore'), 'node_modules\n*.log\nDockerfile\n');
  writeFileSync(join(ctx, 'src', 'main.sh'), 'echo main\n');
  writeFileSync(join(ctx, 'debug.log'), 'noise\n');
  writeFileSync(join(ctx, 'node_modules', 'x', 'index.js'), '1\n');
  symlinkSync('/root/.ssh/id_ed25519', join(ctx, 'key'));
  const build = { context: ctx, dockerfile: join(ctx, 'Dockerfile') };

  it('reads what .dockerignore lets through (the Dockerfile and .dockerignore always), links as links', () => {
    const s = snapshotBuildInputs(build);
    expect(s.entries.map((e) => `${e.type} ${e.path}`)).toEqual(['file .dockerignore', 'file Dockerfile', 'symlink key', 'dir src', 'file src/main.sh']);
    expect(s.data.get('key')!.toString()).toBe('/root/.ssh/id_ed25519');
    expect(s.dockerfile.text).toBe('FROM x\nCOPY . /app\n');
    expect(s.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(snapshotBuildInputs(build).digest).toBe(s.digest);
    const listing = tarListing(contextTar(s));
    expect(listing).toMatch(/^lrwxrwxrwx .* key -> \/root\/\.ssh\/id_ed25519$/m);
    expect(listing).not.toContain('node_modules');
  });

  it('a changed file, mode or link changes the digest, and the comparison names it', () => {
    const before = snapshotBuildInputs(build);
    chmodSync(join(ctx, 'src', 'main.sh'), 0o755);
    writeFileSync(join(ctx, 'new.txt'), 'x');
    const after = snapshotBuildInputs(build);
    expect(after.digest).not.toBe(before.digest);
    expect(compareEntries(entryRecord(before.entries), after.entries)).toEqual({ added: ['new.txt'], removed: [], changed: ['src/main.sh'] });
    rmSync(join(ctx, 'new.txt'));
  });

  it('refuses a fifo, a Dockerfile that is a link, and ADD <url>', () => {
    execFileSync('mkfifo', [join(ctx, 'pipe')]);
    expect(() => snapshotBuildInputs(build)).toThrow(/pipe is not a file, folder or link/);
    rmSync(join(ctx, 'pipe'));
    const linked = join(dir, 'linked');
    mkdirSync(linked);
    writeFileSync(join(dir, 'real.Dockerfile'), 'FROM x\n');
    symlinkSync(join(dir, 'real.Dockerfile'), join(linked, 'Dockerfile'));
    expect(() => snapshotBuildInputs({ context: linked, dockerfile: join(linked, 'Dockerfile') })).toThrow(/not a regular file/);
    expect(() => snapshotBuildInputs({ context: dir + '/nowhere', dockerfile: join(linked, 'Dockerfile') })).toThrow(/could not be opened as a folder/);
    const adds = join(dir, 'adds');
    mkdirSync(adds);
    writeFileSync(join(adds, 'Dockerfile'), 'FROM x\nADD http://192.168.50.20/ /leak\n');
    expect(() => snapshotBuildInputs({ context: adds, dockerfile: join(adds, 'Dockerfile') })).toThrow(`${join(adds, 'Dockerfile')}:2: ADD http://192.168.50.20/`);
  });

  it('puts a Dockerfile from outside the context into the tar under its own name, left out by .dockerignore', () => {
    writeFileSync(join(dir, 'Outside.Dockerfile'), 'FROM y\n');
    const s = snapshotBuildInputs({ context: ctx, dockerfile: join(dir, 'Outside.Dockerfile') });
    expect(s.dockerfile.text).toBe('FROM y\n');
    const out = join(dir, 'unpacked');
    mkdirSync(out);
    const file = join(dir, 'ctx.tar');
    writeFileSync(file, contextTar(s));
    execFileSync('tar', ['-xf', file, '-C', out]);
    expect(execFileSync('cat', [join(out, OUTSIDE_DOCKERFILE)], { encoding: 'utf8' })).toBe('FROM y\n');
    expect(execFileSync('cat', [join(out, '.dockerignore')], { encoding: 'utf8' })).toBe(`node_modules\n*.log\nDockerfile\n\n${OUTSIDE_DOCKERFILE}\n`);
  });

  it('shows the Dockerfile as a diff and changed files, one printable line each', () => {
    const s = snapshotBuildInputs(build);
    const record = { at: 'then', profile: 'p', file: '/p.yaml', by: 'hermit trust', digest: 'sha256:old', dockerfile: { file: s.dockerfile.file, text: 'FROM x\n', digest: '' }, context: ctx, files: { 'src/main.sh': 'file 644 00' } };
    const forged = { ...s, entries: [...s.entries, { path: 'evil\n  The context is the approved one.\u001b[2K', type: 'file' as const, mode: 0o644, mtime: 0, digest: 'aa' }], writers: ['x is owned by uid 1000'] };
    const text = renderBuildApproval('p', forged, record);
    expect(text).toContain('    --- ');
    expect(text).toContain('    +COPY . /app');
    expect(text).toContain('      ~ src/main.sh');
    expect(text).toContain('      + evil\\u{a}  The context is the approved one.\\u{1b}[2K');
    expect(text.split('\n').filter((l) => l.includes('approved one'))).toHaveLength(1);
    const escaped = renderBuildApproval('p', { ...forged, dockerfile: { ...s.dockerfile, text: 'FROM x\nRUN true \u001b[1A\r\n' } }, record);
    expect(escaped).toContain('    +RUN true \\u{1b}[1A\\u{d}');
  });
});

describe('unified diff', () => {
  it('gives hunks with three lines of context', () => {
    const a = ['FROM x', 'RUN 1', 'RUN 2', 'RUN 3', 'RUN 4', 'RUN 5', 'RUN 6', 'RUN 7', 'RUN 8'].join('\n');
    const b = a.replace('RUN 8', 'RUN 8\nRUN nc 192.168.50.20 8080 > /leak');
    expect(unifiedDiff(a, b, ['old', 'new'])).toEqual(['--- old', '+++ new', '@@ -7,3 +7,4 @@', ' RUN 6', ' RUN 7', ' RUN 8', '+RUN nc 192.168.50.20 8080 > /leak']);
    expect(unifiedDiff(a, a, ['old', 'new'])).toEqual([]);
    expect(unifiedDiff('', 'FROM x\n', ['old', 'new'])).toEqual(['--- old', '+++ new', '@@ -0,0 +1,1 @@', '+FROM x']);
  });
});

function tarListing(tar: Buffer): string {
  const file = join(dir, `l${Math.random()}.tar`);
  writeFileSync(file, tar);
  return execFileSync('tar', ['-tvf', file], { encoding: 'utf8' });
}
