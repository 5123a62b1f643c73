// hermit creates and starts the container over the Engine API when the profile allows it, and
// falls back to `docker run` otherwise. Both must give the same container: this runs one profile
// that uses every container setting both ways and compares what Docker recorded.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type WorldInfo, docker, hermit, writeProfile } from './world.js';

const world = inject('world') as WorldInfo;
const dir = join(world.root, 'engine-create');
const NAME = 'hermit-engine';

const yaml = () => `name: engine
image: ${world.image}
command: [sh, -c, "echo up; exec sleep 86400"]
network:
  subnet: 172.30.50.0/24
dns: [${world.addr.router}]
container:
  name: ${NAME}
  user: "1000:1000"
  workdir: /work
  restart: always
  readOnly: true
  env: { MODE: test, EMPTY: "" }
  passEnv: [E2E_SECRET]
  mounts: ["${join(dir, 'data')}:/work:ro", /cache]
  tmpfs: [/tmp, "/run:size=8m"]
  publish: ["127.0.0.1:18080:8080", "127.0.0.1::9090/udp"]
  capAdd: [CHOWN]
  sysctls: { net.ipv4.tcp_keepalive_time: "60" }
  healthcheck: { command: "true", interval: 1m30s, timeout: 5s, startPeriod: 500ms, retries: 4 }
probe:
  dnsName: internet.test
  mustReach: [{ host: internet.test, port: ${world.ports.internet} }]
`;

/**
 * What Docker recorded of the container's configuration, minus what differs between any two
 * containers (the hostname is the id). The CLI sends [] where the API request leaves a list out
 * and Docker stores null; the environment's order carries no meaning.
 */
async function recorded(): Promise<Record<string, unknown>> {
  const [c] = JSON.parse((await docker(world, ['container', 'inspect', NAME])).stdout) as { Config: Record<string, unknown>; HostConfig: Record<string, unknown> }[];
  const { Hostname: _h, ...config } = c!.Config;
  config.Env = [...(config.Env as string[])].sort();
  const host = Object.fromEntries(Object.entries(c!.HostConfig).map(([k, v]) => [k, Array.isArray(v) && v.length === 0 ? null : v]));
  return { Config: config, HostConfig: host };
}

describe.skipIf(!!world.skip)('container creation through the Engine API (end to end)', () => {
  afterAll(async () => { await hermit(world, ['down', join(dir, 'engine.yaml'), '--time', '0']); });

  it('gives the same container as docker run, and the probe proves it either way', async () => {
    mkdirSync(join(dir, 'data'), { recursive: true });
    const file = writeProfile(world, 'engine', yaml(), dir);
    const env = { E2E_SECRET: 's3cret-value' };

    const api = await hermit(world, ['run', file, '--json'], { env });
    expect(api.exitCode, api.stderr + api.stdout).toBe(0);
    const viaApi = await recorded();
    expect((viaApi.Config as { Env: string[] }).Env).toEqual(expect.arrayContaining(['E2E_SECRET=s3cret-value', 'MODE=test', 'EMPTY=']));

    const cli = await hermit(world, ['run', file, '--replace', '--json'], { env: { ...env, HERMIT_DOCKER_CLI: '1' } });
    expect(cli.exitCode, cli.stderr + cli.stdout).toBe(0);
    expect(await recorded()).toEqual(viaApi);
  });

  it('a container that cannot start is removed, and the error names the equivalent docker run', async () => {
    const file = writeProfile(world, 'engine', yaml().replace(`command: [sh, -c, "echo up; exec sleep 86400"]`, 'command: [/no/such/binary]'), dir);
    const r = await hermit(world, ['run', file, '--replace'], { env: { E2E_SECRET: 'x' } });
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/docker run --detach --name hermit-engine .* failed: the Docker engine answered \d+: .*no such file or directory/);
    expect(r.stderr).not.toContain('s3cret');
    expect((await docker(world, ['container', 'inspect', NAME])).exitCode).not.toBe(0);
  });
});
