// bin/hermit in a checkout that was never built: a sentence saying how to build, not Node's stack;
// in a built one whose code cache V8 refuses (another Node): the CLI, compiled from source.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

describe('bin/hermit without dist/', () => {
  const checkout = mkdtempSync(join(tmpdir(), 'hermit-unbuilt-'));
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));

  it('says hermit is not built and how to build it, exit 1, no stack', () => {
    for (const f of ['bin', 'package.json']) cpSync(join(REPO, f), join(checkout, f), { recursive: true });
    const r = spawnSync(process.execPath, [join(checkout, 'bin', 'hermit'), 'run', 'claude-agent'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`hermit: this checkout is not built (${join(checkout, 'dist', 'cli.cjs')} is missing)`);
    expect(r.stderr).toContain(`${checkout}/install.sh`);
    expect(r.stderr).toContain('npm run build');
    expect(r.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|\n\s+at /);
    expect(r.stdout).toBe('');
  });
});

describe('bin/hermit with a code cache made by another Node', () => {
  const checkout = mkdtempSync(join(tmpdir(), 'hermit-foreign-cache-'));
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));

  it('runs the CLI compiled from source, and says so under HERMIT_TIMING', () => {
    for (const f of ['bin', 'package.json']) cpSync(join(REPO, f), join(checkout, f), { recursive: true });
    mkdirSync(join(checkout, 'dist'));
    const bundle = join(checkout, 'dist', 'cli.cjs');
    writeFileSync(bundle, "exports.main = (argv) => { process.stdout.write(`main ${argv.join(' ')}\\n`); };\n");
    const loader = join(checkout, 'bin', 'cli-loader.js');
    const make = spawnSync(process.execPath, ['--input-type=module', '-e',
      `import * as l from ${JSON.stringify(loader)}; const b = ${JSON.stringify(bundle)}; const r = l.loadBundle(b, { useCache: false }); r.exports.main([]); l.writeCodeCache(b, r.script);`]);
    expect(make.status).toBe(0);
    const cache = readFileSync(`${bundle}.cache`);
    for (let i = 37; i < 41; i++) cache[i] = cache[i]! ^ 0xff; // V8's version hash, after hermit's 33-byte header and V8's magic
    writeFileSync(`${bundle}.cache`, cache);

    const r = spawnSync(process.execPath, [join(checkout, 'bin', 'hermit'), 'run', 'x'], { encoding: 'utf8', env: { ...process.env, HERMIT_TIMING: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('main run x\n');
    expect(r.stderr).toContain('hermit: code cache: rejected');
  });
});
