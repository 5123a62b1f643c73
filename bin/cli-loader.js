// Loads the CLI bundle (dist/cli.cjs, one CommonJS file) with the V8 code cache that `npm run
// build` made for it (dist/cli.cjs.cache): V8 then skips compiling the functions the cache holds,
// about 40 ms of CPU in a `hermit run` (docs/benchmarks.md). The cache only saves compiling:
// the code still runs at run time, reading the environment it runs in.
//
// The cache is optional: hermit compiles the bundle from source, slower but otherwise the same, when
// the cache is missing, was made from another dist/cli.cjs ('stale': its first 32 bytes are the
// SHA-256 of the source it was made from, which V8 itself does not check), or when V8 refuses it
// ('rejected': another Node or V8 version, or other V8 flags).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';

const DIGEST_BYTES = 32;

const sha256 = (source) => createHash('sha256').update(source).digest();

/** Where the code cache of a bundle lives. */
export const cacheFile = (file) => `${file}.cache`;

/**
 * Compiles and runs a CommonJS bundle as Node's own loader would (same wrapper and arguments).
 * @returns {{ exports: any, script: vm.Script, cache: 'used' | 'missing' | 'stale' | 'rejected' | 'off' }}
 * Throws (ENOENT) when the bundle itself is missing.
 */
export function loadBundle(file, { useCache = true } = {}) {
  const source = readFileSync(file, 'utf8');
  let cachedData;
  let cache = useCache ? 'missing' : 'off';
  if (useCache) {
    try {
      const data = readFileSync(cacheFile(file));
      if (data.subarray(0, DIGEST_BYTES).equals(sha256(source))) cachedData = data.subarray(DIGEST_BYTES);
      else cache = 'stale';
    } catch {
      // no cache: compile from source
    }
  }
  // No importModuleDynamically: Node 20 drops it for code that comes from a cache, so the bundle
  // must not call import() (scripts/code-cache.mjs checks).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  if (cachedData) cache = script.cachedDataRejected ? 'rejected' : 'used';
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, script, cache };
}

/** Writes the code cache of a bundle loaded with loadBundle: whatever V8 compiled so far. */
export function writeCodeCache(file, script) {
  writeFileSync(cacheFile(file), Buffer.concat([sha256(readFileSync(file, 'utf8')), script.createCachedData()]));
}
