// The one place hermit starts docker, iptables and friends: argument arrays, never a shell.
import { type Options, execa } from 'execa';
import { HermitError } from '../errors.js';

/** A command as data, so --dry-run can print exactly what would run. */
export interface Command {
  file: string;
  args: string[];
  input?: string;
  /** stdin as bytes (a build context's tar): never printed. */
  inputBytes?: Buffer;
  /** Extra environment for the child (e.g. secret values named by `docker run -e NAME`). */
  env?: Record<string, string>;
  /** For slow commands (docker build, pull); the default suits everything else. */
  timeoutMs?: number;
  /** A file hermit opened itself (no link followed), given to the child as its fd 3; `path` is
   * what it was opened from, shown as `3<path`. */
  fd3?: { path: string; fd?: number };
}

export interface Output {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const HINTS: Record<string, string> = {
  docker: 'Install the Docker CLI and make sure dockerd is running (docker info must work)',
  'iptables-save': 'Install iptables (apt-get install iptables)',
  'iptables-restore': 'Install iptables (apt-get install iptables)',
  nft: 'Install nftables (apt-get install nftables)',
  nsenter: 'Install util-linux (it provides nsenter)',
  ip: 'Install iproute2 (it provides ip)',
};

/** Runs a command; returns its output whatever the exit code. Throws only if it cannot start. */
export async function exec(cmd: Command, timeoutMs = 60_000): Promise<Output> {
  const result = await execa(cmd.file, cmd.args, {
    input: cmd.input ?? cmd.inputBytes,
    env: cmd.env,
    reject: false,
    stripFinalNewline: true,
    timeout: cmd.timeoutMs ?? timeoutMs,
    // execa's types leave out a bare fd number for an extra stdio slot; Node's spawn takes it.
    ...(cmd.fd3?.fd === undefined ? {} : { stdio: ['pipe', 'pipe', 'pipe', cmd.fd3.fd] as unknown as Options['stdio'] }),
  });
  if (result.failed && result.exitCode === undefined) {
    const code = (result as { code?: string }).code;
    if (code === 'ENOENT') {
      throw new HermitError('host', `${cmd.file} was not found on PATH`, HINTS[cmd.file]);
    }
    throw new HermitError('host', `${cmd.file} could not run: ${result.shortMessage}`);
  }
  return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exitCode: result.exitCode ?? 1 };
}

/**
 * What carries out commands: the host (exec), or in tests a fake that records them and answers as
 * the host would. Effects take it as a parameter, so every test has its own (no global to patch).
 */
export interface Runner {
  run(cmd: Command): Promise<Output>;
}

export const hostRunner: Runner = { run: (cmd) => exec(cmd) };

/** Runs a command that must succeed; a failure becomes a HermitError naming the command. */
export async function runOk(runner: Runner, cmd: Command, kind: 'host' | 'apply' = 'apply', hint?: string): Promise<string> {
  const out = await runner.run(cmd);
  if (out.exitCode !== 0) {
    const detail = out.stderr.trim() || out.stdout.trim() || `exit code ${out.exitCode}`;
    throw new HermitError(kind, `${describe(cmd)} failed: ${detail}`, hint ?? dockerHint(detail));
  }
  return out.stdout;
}

/** runOk on the host. */
export function execOk(cmd: Command, kind: 'host' | 'apply' = 'apply', hint?: string): Promise<string> {
  return runOk(hostRunner, cmd, kind, hint);
}

/** The command as a person would type it; environment values are never shown. */
export function describe(cmd: Command): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [cmd.file, ...cmd.args].map(quote).join(' ') + (cmd.fd3 ? ` 3<${quote(cmd.fd3.path)}` : '');
}

export function dockerHint(detail: string): string | undefined {
  if (/Cannot connect to the Docker daemon|docker daemon is not running/i.test(detail)) {
    return 'Start Docker (systemctl start docker) or point DOCKER_HOST at a running engine';
  }
  if (/permission denied/i.test(detail)) return 'Run hermit as root (sudo hermit ...)';
  if (/No such image|pull access denied|manifest unknown/i.test(detail)) {
    return 'Build or pull the image named in the profile first (docker pull / docker build)';
  }
  return undefined;
}
