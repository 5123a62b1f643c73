// Reads the packet counters of hermit's reset rules (plan/attribution.ts says which, and how).
import { resetCounters } from '../plan/attribution.js';
import type { Attribution } from '../probe/types.js';
import { exec } from './exec.js';

/** Each rule's count now; undefined for a rule not found, or for all when the firewall cannot be read. */
export async function readResetCounters(att: Attribution): Promise<(number | undefined)[]> {
  const cmd = att.backend === 'nftables'
    ? { file: 'nft', args: ['list', 'table', 'inet', att.table ?? ''] }
    : { file: 'iptables-save', args: ['-c', '-t', 'filter'] };
  const out = await exec(cmd, 10_000).catch(() => undefined);
  if (!out || out.exitCode !== 0) return att.rules.map(() => undefined);
  return resetCounters(att, out.stdout);
}
