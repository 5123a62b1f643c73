// Docker Engine API calls over the engine's unix socket. Reads answer the same JSON as
// `docker info` / `docker inspect` in a few milliseconds, where each docker CLI process costs
// 30-130 ms: this keeps fact gathering off the critical path of `hermit run`. The only change
// made this way is creating and starting the container (apply.ts); everything else that
// changes Docker goes through the docker CLI (src/apply/exec.ts).
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createConnection } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HermitError } from '../errors.js';

/**
 * The engine's socket path, or undefined when the docker CLI would talk to something else
 * (tcp:// or ssh:// DOCKER_HOST, or a non-default docker context): then callers use the CLI.
 */
export function engineSocket(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.DOCKER_HOST) return env.DOCKER_HOST.startsWith('unix://') ? env.DOCKER_HOST.slice('unix://'.length) : undefined;
  if (env.DOCKER_CONTEXT && env.DOCKER_CONTEXT !== 'default') return undefined;
  try {
    const dir = env.DOCKER_CONFIG ?? join(homedir(), '.docker');
    const ctx = (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { currentContext?: string }).currentContext;
    if (ctx && ctx !== 'default') return undefined;
  } catch {
    // No CLI config: the default context.
  }
  return '/var/run/docker.sock';
}

/** The socket of the engine the docker CLI would use, read once per process. */
export const localEngineSocket = engineSocket();

export interface EngineReply<T> {
  status: number;
  body: T;
}

/** GET a path of the Engine API; 404 comes back as a reply, anything unreachable throws. */
export function engineGet<T>(socketPath: string, path: string, timeoutMs = 10_000): Promise<EngineReply<T>> {
  return engineCall<T>(socketPath, 'GET', path, undefined, timeoutMs);
}

/** POST to the Engine API (a JSON body, or none); any status comes back as a reply. */
export function enginePost<T>(socketPath: string, path: string, body?: unknown, timeoutMs = 60_000): Promise<EngineReply<T>> {
  return engineCall<T>(socketPath, 'POST', path, body, timeoutMs);
}

function engineCall<T>(socketPath: string, method: 'GET' | 'POST', path: string, body: unknown, timeoutMs: number): Promise<EngineReply<T>> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = { Host: 'docker' };
    if (payload !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
    // A connection of its own instead of an http.Agent's: the agent's first request costs ~4 ms of
    // CPU more (it compiles Node's IPv6 pattern to decide on a TLS server name), on the critical path.
    const req = request({ createConnection: () => createConnection(socketPath), path, method, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        // 204 (started) and 304 (already started) have no body.
        if (text === '') return resolve({ status: res.statusCode ?? 0, body: {} as T });
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as T });
        } catch {
          reject(new HermitError('host', `the Docker engine at ${socketPath} answered ${path} with something that is not JSON: ${text.slice(0, 200)}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'EACCES'
        ? 'Run hermit as root (sudo hermit ...)'
        : 'Start Docker (systemctl start docker) or point DOCKER_HOST at a running engine, then check with: docker info';
      reject(new HermitError('host', `cannot reach the Docker engine at ${socketPath}: ${err.message}`, hint));
    });
    req.end(payload);
  });
}

/** The body of a successful GET; a non-2xx status becomes a HermitError quoting the engine. */
export async function engineGetOk<T>(socketPath: string, path: string): Promise<T> {
  const reply = await engineGet<T & { message?: string }>(socketPath, path);
  if (reply.status < 200 || reply.status > 299) {
    throw new HermitError('host', `the Docker engine refused GET ${path} (${reply.status}): ${reply.body?.message ?? ''}`);
  }
  return reply.body;
}
