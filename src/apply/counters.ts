// Reads the packet counters of hermit's reset rules (plan/attribution.ts says which, and how).
import { resetCounters } from '../plan/attribution.js';
import type { Attribution } from '../probe/types.js';
import { exec } from './exec.js';

/** Each rule's count now; undefined for a rule not found, or for all when the firewall cannot be read. */
export async function readResetCounters(att: Attribution): Promise<(number | undefined)[]> {
  const read = (file: string, args: string[]) => exec({ file, args }, 10_000).then((o) => (o.exitCode === 0 ? o.stdout : undefined), () => undefined);
  if (att.backend === 'nftables') {
    const listing = await read('nft', ['list', 'table', 'inet', att.table ?? '']);
    return listing === undefined ? att.rules.map(() => undefined) : resetCounters(att, listing);
  }
  const [v4, v6] = await Promise.all([
    read('iptables-save', ['-c', '-t', 'filter']),
    att.rules.some((r) => r.family === 6) ? read('ip6tables-save', ['-c', '-t', 'filter']) : Promise.resolve(''),
  ]);
  return resetCounters(att, v4 ?? '', v6 ?? '').map((n, i) => ((att.rules[i]!.family === 6 ? v6 : v4) === undefined ? undefined : n));
}
