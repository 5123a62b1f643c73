// bin/cli-loader.js: the CLI bundle loads with its V8 code cache when the cache fits, and the same
// way without it when the cache is missing, made from another source, or refused by V8.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript beside bin/hermit, no type declarations
import { cacheFile, loadBundle } from '../../bin/cli-loader.js';

const LOADER = fileURLToPath(new URL('../../bin/cli-loader.js', import.meta.url));

/** After hermit's header (the bundle's SHA-256, one byte for what made the cache), V8's: magic
 * number, then the hash of the V8 version that made it. */
const V8_VERSION_HASH_AT = 33 + 4;

const dir = mkdtempSync(join(tmpdir(), 'hermit-loader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SOURCE = `const path = require('node:path');
exports.main = (argv) => \`ran \${argv.join(' ')} from \${path.basename(__filename)} in \${path.basename(__dirname)}\`;
`;

/** Runs the loader in a fresh Node, as bin/hermit does: V8 consults cached data only for a
 * script it has not compiled already, so this process cannot both make and use a cache. */
function node(code: string): string {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import * as l from ${JSON.stringify(LOADER)};\n${code}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

function bundle(name: string, withCache: boolean): string {
  const file = join(dir, name, 'cli.cjs');
  mkdirSync(join(dir, name));
  writeFileSync(file, SOURCE);
  if (withCache) node(`l.writeCodeCache(${JSON.stringify(file)}, l.loadBundle(${JSON.stringify(file)}, { useCache: false }).script);`);
  return file;
}

function load(file: string, arg: string): { cache: string; out: string } {
  return JSON.parse(node(`const r = l.loadBundle(${JSON.stringify(file)}); console.log(JSON.stringify({ cache: r.cache, out: r.exports.main([${JSON.stringify(arg)}]) }));`));
}

describe('loadBundle', () => {
  it('runs the bundle as Node would (exports, require, __filename, __dirname) and uses a fitting cache', () => {
    expect(load(bundle('fits', true), 'a')).toEqual({ cache: 'used', out: 'ran a from cli.cjs in fits' });
  });

  it('compiles from source without a cache', () => {
    expect(load(bundle('none', false), 'b')).toEqual({ cache: 'missing', out: 'ran b from cli.cjs in none' });
  });

  it('ignores a cache made from another source (V8 would only compare lengths)', () => {
    const file = bundle('stale', true);
    writeFileSync(file, SOURCE.replace('ran', 'new')); // same length
    expect(load(file, 'c')).toEqual({ cache: 'stale', out: 'new c from cli.cjs in stale' });
  });

  it('falls back when V8 refuses the cache (made by another Node/V8)', () => {
    const file = bundle('foreign', true);
    const data = readFileSync(cacheFile(file));
    for (let i = V8_VERSION_HASH_AT; i < V8_VERSION_HASH_AT + 4; i++) data[i] = data[i]! ^ 0xff;
    writeFileSync(cacheFile(file), data);
    expect(load(file, 'd')).toEqual({ cache: 'rejected', out: 'ran d from cli.cjs in foreign' });
  });

  it('falls back on a truncated or garbage cache', () => {
    const file = bundle('garbage', true);
    writeFileSync(cacheFile(file), readFileSync(cacheFile(file)).subarray(0, 40));
    expect(load(file, 'e')).toEqual({ cache: 'rejected', out: 'ran e from cli.cjs in garbage' });
    writeFileSync(cacheFile(file), 'not a cache');
    expect(load(file, 'f')).toEqual({ cache: 'stale', out: 'ran f from cli.cjs in garbage' });
  });

  it('after a whole run, keeps what it compiled as the cache, once, in place of the build\'s', () => {
    const file = bundle('kept', true);
    const keep = (f: string) => JSON.parse(node(`const r = l.loadBundle(${JSON.stringify(f)}); r.exports.main(['g']); l.keepRunCache(${JSON.stringify(f)}, r); console.log(JSON.stringify({ cache: r.cache, madeBy: r.madeBy }));`));
    expect(keep(file)).toEqual({ cache: 'used', madeBy: 'build' });
    const kept = readFileSync(cacheFile(file));
    expect(keep(file)).toEqual({ cache: 'used', madeBy: 'run' });
    expect(readFileSync(cacheFile(file)).equals(kept)).toBe(true); // not again
    expect(load(file, 'h')).toEqual({ cache: 'used', out: 'ran h from cli.cjs in kept' });
  });

  it('makes no cache where there was none, and leaves a stale one alone', () => {
    const none = bundle('nokeep', false);
    node(`const r = l.loadBundle(${JSON.stringify(none)}); l.keepRunCache(${JSON.stringify(none)}, r);`);
    expect(existsSync(cacheFile(none))).toBe(false);
    const stale = bundle('stalekeep', true);
    writeFileSync(stale, SOURCE.replace('ran', 'new'));
    const before = readFileSync(cacheFile(stale));
    node(`const r = l.loadBundle(${JSON.stringify(stale)}); l.keepRunCache(${JSON.stringify(stale)}, r);`);
    expect(readFileSync(cacheFile(stale)).equals(before)).toBe(true);
  });

  it('throws ENOENT naming the bundle when it is missing (bin/hermit says "not built")', () => {
    const file = join(dir, 'absent', 'cli.cjs');
    expect(() => loadBundle(file)).toThrow(expect.objectContaining({ code: 'ENOENT', path: file }));
  });
});
