// Runs a command on the user's terminal (docker logs -f, docker exec -it) and hands back its exit code.
import { constants } from 'node:os';
import { execa } from 'execa';
import { HermitError } from '../errors.js';
import type { Command } from './exec.js';

export async function execAttached(cmd: Command): Promise<number> {
  const r = await execa(cmd.file, cmd.args, { stdio: 'inherit', reject: false, env: cmd.env });
  if (r.exitCode !== undefined) return r.exitCode;
  if (r.signal) return 128 + (constants.signals[r.signal] ?? 0);
  throw new HermitError('host', `${cmd.file} could not run: ${r.shortMessage}`,
    (r as { code?: string }).code === 'ENOENT' ? 'Install the Docker CLI and make sure dockerd is running (docker info must work)' : undefined);
}
