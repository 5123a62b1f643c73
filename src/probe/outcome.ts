// How a failed connect's errno reads: shared by the probe worker and doctor's netns worker, and
// free of side effects so bundling one worker never pulls in the other's main().
import type { TcpOutcome } from './types.js';

export function tcpErrorOutcome(code: string | undefined): { outcome: TcpOutcome; code: string } {
  const c = code ?? 'EUNKNOWN';
  switch (c) {
    case 'ECONNREFUSED': // RST in answer to the SYN
    case 'ECONNRESET':
      return { outcome: 'refused', code: c };
    case 'EHOSTUNREACH': // REJECT --reject-with icmp-admin-prohibited lands here
    case 'ENETUNREACH':
    case 'EACCES':
    case 'EPERM': // a local OUTPUT drop/reject
      return { outcome: 'unreachable', code: c };
    case 'ETIMEDOUT': // the kernel gave up on SYN retransmits before our timer
      return { outcome: 'timeout', code: c };
    default:
      return { outcome: 'error', code: c };
  }
}
