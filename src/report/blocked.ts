// Blocked connections from the kernel log: the lines hermit's LOG rules wrote (prefix
// "hermit:<profile>: "), parsed into time, destination, port and protocol. Pure.
import { logPrefix } from '../plan/ruleset.js';
import { table } from './status.js';

export interface BlockedEntry {
  /** As the log source printed it (ISO from dmesg --time-format iso and journalctl -o short-iso). */
  time: string;
  source: string;
  destination: string;
  /** Destination port; absent for protocols without one (ICMP). */
  port?: number;
  protocol: string;
  /** "forward" (to another host) or "host" (to the host itself: INPUT). */
  path: 'forward' | 'host';
}

export function parseBlocked(log: string, profile: string): BlockedEntry[] {
  const prefix = logPrefix(profile);
  const out: BlockedEntry[] = [];
  for (const line of log.split('\n')) {
    const at = line.indexOf(prefix);
    if (at < 0) continue;
    const fields = Object.fromEntries([...line.slice(at + prefix.length).matchAll(/\b([A-Z]+)=(\S*)/g)].map((m) => [m[1]!, m[2]!]));
    if (!fields.DST) continue;
    const time = line.slice(0, at).trim().split(/\s+/)[0]?.replace(/^\[|\]$/g, '') ?? '';
    out.push({
      time, source: fields.SRC ?? '', destination: fields.DST, protocol: (fields.PROTO ?? '?').toLowerCase(),
      ...(fields.DPT ? { port: Number(fields.DPT) } : {}),
      path: fields.OUT ? 'forward' : 'host',
    });
  }
  return out;
}

export function renderBlocked(entries: BlockedEntry[], profile: string): string {
  if (entries.length === 0) return `No blocked connections of profile '${profile}' in the kernel log.`;
  return table(['TIME', 'DESTINATION', 'PORT', 'PROTO', 'SOURCE', 'PATH'],
    entries.map((e) => [e.time, e.destination, e.port === undefined ? '-' : String(e.port), e.protocol, e.source, e.path === 'host' ? 'to the host' : 'forwarded']));
}
