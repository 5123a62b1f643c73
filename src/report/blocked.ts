// Blocked connections from the kernel log: the lines hermit's LOG rules wrote (prefix
// "hermit:<profile>: "), parsed into time, destination, port and protocol. Pure.
import { logPrefix } from '../plan/ruleset.js';
import { table } from './status-text.js';

export interface BlockedEntry {
  /** As the log source printed it (ISO from dmesg --time-format iso and journalctl -o short-iso). */
  time: string;
  source: string;
  destination: string;
  /** Destination port; absent for protocols without one (ICMP). */
  port?: number;
  protocol: string;
  /** "forward" (to another host), "host" (to the host itself: INPUT), or "proxy" (refused by the
   * proxy of allowlist mode; destination is then the name asked for). */
  path: 'forward' | 'host' | 'proxy';
}

/**
 * Refusals in the proxy's access log (allowlist mode), written with hermit's logformat:
 * "<epoch.ms> <client> TCP_DENIED/403 <method> <host:port | URL> <server>". The proxy sits on the
 * agent's network, so every field is untrusted text: only well-formed lines are kept.
 */
export function parseProxyLog(log: string): BlockedEntry[] {
  const out: BlockedEntry[] = [];
  for (const line of log.split('\n')) {
    const m = /^(\d{9,11})\.(\d{3}) (\S+) TCP_DENIED\/\d{3} ([A-Z]{1,20}) (\S+)/.exec(line);
    if (!m) continue;
    const [, secs, millis, client, method, target] = m as unknown as [string, string, string, string, string, string];
    let host: string;
    let port: number;
    if (method === 'CONNECT') {
      const at = target.lastIndexOf(':');
      host = target.slice(0, at);
      port = Number(target.slice(at + 1));
    } else {
      let url: URL;
      try { url = new URL(target); } catch { continue; }
      host = url.hostname;
      port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    }
    if (!host || !Number.isInteger(port)) continue;
    // The agent chose this text: nothing but printable ASCII reaches a terminal.
    const printable = (s: string) => s.replace(/[^\x21-\x7e]/g, '?');
    out.push({ time: new Date(Number(secs) * 1000 + Number(millis)).toISOString(), source: printable(client), destination: printable(host.replace(/^\[|\]$/g, '')), port, protocol: method === 'CONNECT' ? 'connect' : 'http', path: 'proxy' });
  }
  return out;
}

/** Kernel and proxy entries in time order (times that do not parse keep their place). */
export function mergeBlocked(a: BlockedEntry[], b: BlockedEntry[]): BlockedEntry[] {
  const t = (e: BlockedEntry) => Date.parse(e.time.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return [...a, ...b].map((e, i) => ({ e, i })).sort((x, y) => (t(x.e) - t(y.e)) || x.i - y.i).map(({ e }) => e);
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
    entries.map((e) => [e.time, e.destination, e.port === undefined ? '-' : String(e.port), e.protocol, e.source,
      e.path === 'host' ? 'to the host' : e.path === 'proxy' ? 'refused by the proxy' : 'forwarded']));
}
