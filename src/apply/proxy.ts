// The proxy's upkeep outside a plan: `hermit guard` rotates its logs between passes. Creating,
// starting and reloading it is the sidecar step's (apply/sidecar.ts).
import { proxyLogs } from '../plan/proxy.js';
import type { ProxyContainer } from '../profile/types.js';
import { type Runner, hostRunner } from './exec.js';
import { rotateLogs } from './sidecar.js';

/** Asks Squid to rotate its logs when one has grown past a few MB; run by `hermit run` and each guard pass. */
export const rotateProxyLogs = (proxy: ProxyContainer, logDir: string, runner: Runner = hostRunner): Promise<boolean> =>
  rotateLogs(proxyLogs(proxy, logDir), runner);
