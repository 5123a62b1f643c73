// Builds the e2e world once for the e2e project and hands its description to the test files.
// Locally a world that cannot be built skips the e2e tests, loudly; in CI it fails the run.
import { existsSync } from 'node:fs';
import { execaSync } from 'execa';
import type { TestProject } from 'vitest/node';
import { startWorld, stopWorld, tail, worldInfo, type WorldInfo } from './world.js';

const TOOLS = ['ip', 'nsenter', 'unshare', 'mount', 'dockerd', 'docker', 'dnsmasq', 'busybox', 'iptables', 'nft', 'script'];

function missingTools(): string[] {
  return TOOLS.filter((t) => execaSync('sh', ['-c', 'command -v "$1"', 'sh', t], { reject: false }).exitCode !== 0);
}

export default async function setup(project: TestProject) {
  const ci = !!process.env.CI;
  let reason: string | undefined;
  const missing = missingTools();
  if (process.getuid?.() !== 0) reason = 'end-to-end tests need root (network namespaces, iptables, dockerd)';
  else if (missing.length) reason = `end-to-end tests need ${missing.join(', ')} (see .ci/run)`;

  let info: WorldInfo = worldInfo();
  if (!reason) {
    const t0 = Date.now();
    try {
      info = await startWorld();
      console.log(`[e2e] world ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${info.root}, Docker engine ${info.engine})`);
    } catch (err) {
      const msg = (err as Error).message;
      // The failing daemon's log is already in msg; otherwise dockerd's is the likeliest to explain.
      const log = msg.includes(`--- ${info.root}/logs/`) ? '' : `\n${tail(info.logs.dockerd!, 15)}`;
      await stopWorld(info).catch(() => {}); // keeps the logs
      reason = `could not build the e2e world: ${msg}${log}\n(all logs: ${info.root}/logs)`;
    }
  }
  if (reason) {
    if (ci) throw new Error(`[e2e] CI must run the end-to-end tests, but ${reason}`);
    console.warn(`\n[e2e] SKIPPING end-to-end tests: ${reason}\n`);
    project.provide('world', { ...info, skip: reason.split('\n')[0] });
    return;
  }
  project.provide('world', info);
  if (!existsSync(new URL('../../dist/cli.cjs', import.meta.url))) {
    console.warn('[e2e] dist/ is missing: hermit() runs bin/hermit, which needs `npm run build` first');
  }
  return async () => {
    const t0 = Date.now();
    await stopWorld(info);
    console.log(`[e2e] world removed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
}
