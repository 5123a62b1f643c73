// bin/hermit in a checkout that was never built: a sentence saying how to build, not Node's stack.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
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
    expect(r.stderr).toContain(`hermit: this checkout is not built (${join(checkout, 'dist', 'cli.js')} is missing)`);
    expect(r.stderr).toContain(`${checkout}/install.sh`);
    expect(r.stderr).toContain('npm run build');
    expect(r.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|\n\s+at /);
    expect(r.stdout).toBe('');
  });
});
