// Loads the CLI bundle (dist/cli.cjs, one CommonJS file) with the V8 code cache made for it
// (dist/cli.cjs.cache): V8 then skips compiling the functions the cache holds, about 40 ms of CPU
// in a `hermit run` (docs/benchmarks.md). The cache only saves compiling: the code still runs at
// run time, reading the environment it runs in.
//
// `npm run build` makes the cache from what the start of `hermit run` and `hermit validate`
// compile. The first whole `hermit run` of that build replaces it, once, with a cache of
// everything that run compiled (facts, plan, apply, probe, report: ~10 ms less of the next
// launches), as Node's own compile cache is written by the runs that use it.
//
// The cache is optional: hermit compiles the bundle from source, slower but otherwise the same, when
// the cache is missing, was made from another dist/cli.cjs ('stale': its first 32 bytes are the
// SHA-256 of the source it was made from, which V8 itself does not check), or when V8 refuses it
// ('rejected': another Node or V8 version, or other V8 flags).
const { createHash } = require('node:crypto');
const { readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');
const vm = require('node:vm');

// The cache file: the bundle's SHA-256, one byte saying what made it, then V8's data.
const DIGEST_BYTES = 32;
const MADE_BY = ['build', 'run'];
const HEADER_BYTES = DIGEST_BYTES + 1;

const sha256 = (source) => createHash('sha256').update(source).digest();

/** Where the code cache of a bundle lives. */
const cacheFile = (file) => `${file}.cache`;

/**
 * Compiles and runs a CommonJS bundle as Node's own loader would (same wrapper and arguments).
 * @returns {{ exports: any, script: vm.Script, cache: 'used' | 'missing' | 'stale' | 'rejected' | 'off',
 *   madeBy?: 'build' | 'run', digest: Buffer }}
 * Throws (ENOENT) when the bundle itself is missing.
 */
function loadBundle(file, { useCache = true } = {}) {
  // Hashing the bytes, not the string, saves encoding 1.4 MB back to UTF-8 (~1 ms).
  const bytes = readFileSync(file);
  const digest = sha256(bytes);
  const source = bytes.toString('utf8');
  let cachedData;
  let madeBy;
  let cache = useCache ? 'missing' : 'off';
  if (useCache) {
    try {
      const data = readFileSync(cacheFile(file));
      if (data.subarray(0, DIGEST_BYTES).equals(digest)) {
        cachedData = data.subarray(HEADER_BYTES);
        madeBy = MADE_BY[data[DIGEST_BYTES]];
      } else {
        cache = 'stale';
      }
    } catch {
      // no cache: compile from source
    }
  }
  // No importModuleDynamically: Node 20 drops it for code that comes from a cache, so the bundle
  // must not call import() (scripts/code-cache.mjs checks).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  if (cachedData) cache = script.cachedDataRejected ? 'rejected' : 'used';
  const bundleModule = { exports: {} };
  // module.constructor is Node's Module: its createRequire without loading node:module (~1 ms).
  const bundleRequire = (module.constructor.createRequire ?? require('node:module').createRequire)(file);
  script.runInThisContext().call(bundleModule.exports, bundleModule.exports, bundleRequire, bundleModule, file, dirname(file));
  return { exports: bundleModule.exports, script, cache, ...(cache === 'used' ? { madeBy } : {}), digest };
}

/**
 * Writes the code cache of a bundle loaded with loadBundle: whatever V8 compiled so far. Through
 * a file of its own, renamed into place, so a hermit starting meanwhile reads the old or the new.
 */
function writeCodeCache(file, script, madeBy = 'build', digest = sha256(readFileSync(file))) {
  const tmp = `${cacheFile(file)}.${process.pid}.tmp`;
  try {
    // wx: never through a file or link already there (root may write into a dist/ someone else owns).
    writeFileSync(tmp, Buffer.concat([digest, Buffer.of(MADE_BY.indexOf(madeBy)), script.createCachedData()]), { flag: 'wx' });
    renameSync(tmp, cacheFile(file));
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * After a whole `hermit run`: replaces the build's cache, which this process used (so this Node
 * and these V8 flags), with one of everything compiled since. Once per build; a bundle that
 * changed meanwhile gets a cache it will find stale. Where dist/ cannot be written, nothing happens.
 */
function keepRunCache(file, loaded) {
  if (loaded.cache !== 'used' || loaded.madeBy !== 'build') return;
  try {
    writeCodeCache(file, loaded.script, 'run', loaded.digest);
  } catch {
    // a read-only installation: the build's cache stays
  }
}

module.exports = { cacheFile, keepRunCache, loadBundle, writeCodeCache };
