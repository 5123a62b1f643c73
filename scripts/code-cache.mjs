// The last step of `npm run build`: makes dist/cli.cjs.cache, the V8 code cache bin/hermit loads
// the CLI with (see bin/cli-loader.js). V8 puts in it what it has compiled, so the CLI is first
// exercised the way `hermit run` starts: the run flow's modules are loaded (by a run of a profile
// that does not exist, which fails before anything else) and a profile is loaded and checked
// (hermit validate of the built-in claude-agent). Nothing on the host is touched; output is
// swallowed. The rest of a run (facts, plan, apply, probe) needs a Docker host: the first whole
// `hermit run` adds it (keepRunCache in bin/cli-loader.js). Without a cache hermit still works,
// only its start is slower.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundle, writeCodeCache } from '../bin/cli-loader.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist', 'cli.cjs');
// Node 20 gives code loaded from a code cache no dynamic import callback: import() would fail at
// run time (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING). esbuild turns import() of bundled modules
// into plain calls; only an import() of something outside the bundle (a Node built-in) is left.
const left = readFileSync(bundle, 'utf8').match(/\bimport\(["'][^"']*["']\)/g);
if (left) throw new Error(`dist/cli.cjs must not call import(): ${[...new Set(left)].join(', ')} (import it statically)`);
const { exports: cli, script } = loadBundle(bundle, { useCache: false });

const nowhere = mkdtempSync(join(tmpdir(), 'hermit-code-cache-'));
const write = { out: process.stdout.write, err: process.stderr.write };
process.stdout.write = process.stderr.write = () => true;
try {
  await cli.main(['run', join(nowhere, 'no-such-profile.yaml')]);
  await cli.main(['validate', join(root, 'profiles', 'claude-agent.yaml')]);
} finally {
  process.stdout.write = write.out;
  process.stderr.write = write.err;
  process.exitCode = 0;
  rmSync(nowhere, { recursive: true, force: true });
}
writeCodeCache(bundle, script);
