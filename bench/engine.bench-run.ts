// The agent's own engine (issue 19, `docker:`) against the host's: a nested `docker run --rm` and
// a small classic build (FROM busybox, one RUN), each through the agent's rootless engine and
// through the world's (the host's) engine, medians of BENCH_RUNS, interleaved so the shared
// machine's drift hits both alike. The agent's commands go through `docker exec` into the agent,
// as an agent's would run inside it; that exec's own cost is a row of its own.
// Run: npm run build && npx vitest run --config bench/vitest.config.ts bench/engine.bench-run.ts
// (root; HERMIT_E2E_WORLD=<id> on a shared machine). Prints figures; asserts nothing about time.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { inject, it } from 'vitest';
import { type RunResult, type WorldInfo, docker, engineImage, hermit, inHost, writeProfile } from '../test/e2e/world.js';
import { median, range, timed } from './measure.js';

const world = inject('world') as WorldInfo;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const NAME = 'enginebench';
const AGENT = `hermit-${NAME}`;
const AGENT_IMAGE = 'hermit-e2e/engine-agent:latest';

it.skipIf(!!world.skip)('the agent\'s engine against the host\'s', async () => {
  const engineImg = await engineImage(world);
  const must = (r: RunResult, what: string) => { if (r.exitCode !== 0) throw new Error(`${what} failed:\n${r.stderr}`); };
  // The engine image with the docker CLI, made to sleep: the agent (as in test/e2e/engine.test.ts).
  must(await docker(world, ['build', '-q', '-t', AGENT_IMAGE, '-'], { input: `FROM ${engineImg}\nENTRYPOINT []\n`, env: { DOCKER_BUILDKIT: '0' }, timeout: 120_000 }), 'agent image build');
  const file = writeProfile(world, NAME, `name: ${NAME}
image: ${AGENT_IMAGE}
command: [sleep, "86400"]
network:
  subnet: 172.30.27.0/24
dns: [${world.addr.router}]
docker: { image: ${engineImg} }
probe:
  dnsName: internet.test
  mustReach: [{ host: internet.test, port: ${world.ports.internet} }]
`, join(world.root, 'bench'));
  must(await hermit(world, ['run', file], { timeout: 300_000 }), 'hermit run');
  try {
    // No registry: the world's busybox goes in as an agent would bring a tarball.
    must(await inHost(world, 'sh', ['-c', `docker save ${world.image} | docker exec -i ${AGENT} docker load`], { timeout: 120_000 }), 'docker load');
    const dockerfile = `FROM ${world.image}\nRUN echo built > /built\n`;
    const build = { input: dockerfile, env: { DOCKER_BUILDKIT: '0' }, timeout: 120_000 };
    const cases: Record<string, { agent: () => Promise<RunResult>; host?: () => Promise<RunResult> }> = {
      '`docker exec` into the agent (`true`): part of every agent figure': {
        agent: () => docker(world, ['exec', AGENT, 'true']),
      },
      '`docker run --rm busybox true`': {
        agent: () => docker(world, ['exec', AGENT, 'docker', 'run', '--rm', world.image, 'true'], { timeout: 120_000 }),
        host: () => docker(world, ['run', '--rm', world.image, 'true'], { timeout: 120_000 }),
      },
      'classic build, `FROM busybox` + one `RUN`, `--no-cache`': {
        agent: () => docker(world, ['exec', '-i', '-e', 'DOCKER_BUILDKIT=0', AGENT, 'docker', 'build', '-q', '--no-cache', '-'], build),
        host: () => docker(world, ['build', '-q', '--no-cache', '-'], build),
      },
    };
    // One untimed round first: the first nested run and build pay for cold caches.
    for (const c of Object.values(cases)) { await timed(c.agent); if (c.host) await timed(c.host); }
    const ms: Record<string, { agent: number[]; host: number[] }> = {};
    const loads: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      for (const [what, c] of Object.entries(cases)) {
        const m = (ms[what] ??= { agent: [], host: [] });
        // Alternate which goes first, so neither always follows the other's clean-up.
        const host = async () => { if (c.host) m.host.push(await timed(c.host)); };
        if (i % 2) { await host(); m.agent.push(await timed(c.agent)); } else { m.agent.push(await timed(c.agent)); await host(); }
      }
      loads.push(loadavg()[0]!);
    }
    const info = (await docker(world, ['exec', AGENT, 'docker', 'info', '--format', '{{.ServerVersion}} {{.Driver}}'])).stdout.trim();
    const lines = [`\n# the agent's engine (${info}) against the host's (Docker ${world.engine}), median of ${RUNS}, 1-min load ${loads.map((l) => l.toFixed(2)).join(', ')}`,
      '| case | agent\'s engine | host\'s engine | ratio |', '| --- | ---: | ---: | ---: |'];
    for (const [what, { agent, host }] of Object.entries(ms)) {
      const [a, h] = [median(agent), median(host)];
      const hostCells = host.length ? `${Math.round(h)} ms (${range(host)}) | ${(a / h).toFixed(2)}×` : '— | —';
      lines.push(`| ${what} | ${Math.round(a)} ms (${range(agent)}) | ${hostCells} |`);
    }
    console.log(lines.join('\n'));
  } finally {
    await hermit(world, ['down', '--volumes', file]);
  }
});
