// The check before a bind: which links on the way to a source are followed (only root's), and that
// the opened source is the approved path itself. Needs root (chown) and Linux (O_PATH, /proc).
import { chownSync, closeSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { approvedPath, openSource } from '../../src/apply/binds.js';
import type { PinnedMount } from '../../src/plan/binds.js';

const asRoot = process.getuid?.() === 0 && process.platform === 'linux';
const pin = (source: string): PinnedMount => ({ key: 'container.mounts[1]', index: 1, source, target: '/unused', container: '/data' });

describe.skipIf(!asRoot)('bind sources: the check before the bind', () => {
  const root = mkdtempSync(join(tmpdir(), 'hermit-binds-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const real = join(root, 'real', 'data');
  mkdirSync(real, { recursive: true });
  // A link only root could have made (root's folder, root's folders above it): followed.
  symlinkSync(join(root, 'real'), join(root, 'system-link'));
  // The same link in a folder the user (and so perhaps the agent) can write: refused.
  const project = join(root, 'project');
  mkdirSync(project);
  chownSync(project, 1000, 1000);
  symlinkSync(real, join(project, 'data'));

  it('follows a link only root could have put there, and opens exactly the approved path', () => {
    expect(approvedPath(pin(join(root, 'system-link', 'data')))).toBe(real);
    const src = openSource(pin(join(root, 'system-link', 'data')))!;
    try {
      const st = statSync(real);
      expect(src).toMatchObject({ path: real, id: `${st.dev}:${st.ino}`, dir: true });
    } finally {
      closeSync(src.fd);
    }
  });

  it('refuses a link in a folder someone other than root can write, naming the key, the link and what to do', () => {
    expect(() => approvedPath(pin(join(project, 'data')))).toThrow(
      `container.mounts[1]: ${project}/data cannot be mounted: ${project}/data is a symbolic link (→ ${real}), and ${project} is owned by uid 1000`);
    expect(() => openSource(pin(join(project, 'data', 'sub')))).toThrow(/is a symbolic link/);
  });

  it('refuses what opened as another path than the one checked (a link swapped in on the way)', () => {
    // As if the folder on the way had become a link after the check: the kernel follows it, the fd tells.
    const through = join(root, 'system-link', 'data');
    expect(() => openSource(pin(through), through)).toThrow(`${through} changed while hermit opened it (it opened as ${real})`);
  });

  it('a missing source is not an error here: the bind creates it as Docker would', () => {
    expect(openSource(pin(join(root, 'real', 'missing')))).toBeUndefined();
  });
});
