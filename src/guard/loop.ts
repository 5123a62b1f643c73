// The guard in the foreground: a pass on start, every interval, on Docker events (container
// start/restart, network connect/disconnect, and the events stream coming back after the daemon
// restarted), and on rule changes the kernel announces (nft monitor: nftables and iptables-nft).
// Passes never overlap; triggers during a pass coalesce into one more pass, so the guard's own
// restores cost one more verification, never a loop: a pass that finds nothing changes nothing.
import { execa } from 'execa';
import { createInterface } from 'node:readline';
import type { LoadedProfile } from '../profile/types.js';
import { type Log, type PassResult, guardPass } from './guard.js';

interface DockerEvent { Type?: string; Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } }

/** The events worth a pass, as a reason for the log; undefined for the rest. */
export function eventReason(e: DockerEvent): string | undefined {
  const a = e.Action ?? '';
  const attrs = e.Actor?.Attributes ?? {};
  if (e.Type === 'container' && ['start', 'restart', 'unpause'].includes(a)) return `docker event: container ${a} ${attrs.name ?? e.Actor?.ID?.slice(0, 12)}`;
  if (e.Type === 'network' && ['connect', 'disconnect', 'destroy'].includes(a)) return `docker event: network ${a} ${attrs.name ?? ''}`.trimEnd();
  if (e.Type === 'daemon') return `docker event: daemon ${a}`;
  return undefined;
}

export const EVENT_ARGS = ['events', '--format', '{{json .}}', '--filter', 'type=container', '--filter', 'type=network', '--filter', 'type=daemon'];

/**
 * The table a line of `nft monitor` output changes, when it is one hermit's rules live in: the
 * filter tables iptables-nft writes, and hermit's own nft tables.
 */
export function ruleChange(line: string): string | undefined {
  const m = /^(add|insert|delete|replace|create|flush|destroy) (rule|chain|table) (ip6?|inet) (filter|hermit\S*)\b(?: (\S+))?/.exec(line.trim());
  if (!m) return undefined;
  const [, verb, what, family, table, chain] = m;
  return `rule change: ${verb} ${what} ${family} ${table}${chain && what !== 'table' ? ` ${chain}` : ''}`;
}

/**
 * Calls `trigger` once a burst of changes has settled: `quietMs` without a new one, or `maxWaitMs`
 * after its first. dockerd reprograms its chains in several steps (a network connect deletes and
 * re-inserts its FORWARD jump); a pass in the middle would find a half-made table, "restore" it,
 * and race dockerd's next step. The first change of a burst names the trigger.
 */
export function settler(trigger: (by: string) => void, quietMs = 200, maxWaitMs = 1000): (change: string) => void {
  let first: string | undefined;
  let firstAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const fire = () => { const by = first!; first = undefined; timer = undefined; trigger(by); };
  return (change) => {
    if (first === undefined) { first = change; firstAt = Date.now(); }
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, Math.max(0, Math.min(quietMs, firstAt + maxWaitMs - Date.now())));
  };
}

// Every change (nft monitor takes one object type at most); ruleChange keeps those to hermit's tables.
export const MONITOR_ARGS = ['monitor'];

/**
 * Triggers a pass within moments of a change to the tables hermit's rules live in, once the burst
 * it belongs to has settled (settler). Resolves when the
 * monitor cannot run (no nft, an iptables-legacy host): the interval is then the only fallback.
 */
export async function watchRuleChanges(trigger: (by: string) => void, log: Log): Promise<void> {
  for (let said = false; ;) {
    const child = execa('nft', MONITOR_ARGS, { buffer: false, reject: false, stdin: 'ignore', stderr: 'ignore' });
    child.once('spawn', () => { if (!said) log('watching rule changes (nft monitor)'); said = true; });
    const settle = settler(trigger);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const change = ruleChange(line);
      if (change) settle(change);
    });
    const started = Date.now();
    const r = await child;
    // One that could not start, or dies at once, will not do better next time.
    if (r.failed && Date.now() - started < 2000) {
      log(`rule changes are not watched (nft monitor: ${r.code === 'ENOENT' ? 'nft is not installed' : (r.shortMessage ?? 'exited')}); drift is found on the interval and on Docker events`);
      return;
    }
    await new Promise((res) => setTimeout(res, 1000));
  }
}

/** One pass over the profiles (guardPass): one read of the host, one restore of what drifted, the probes a few at a time. */
export const passAll = (profiles: LoadedProfile[], by: string, log: Log): Promise<PassResult[]> => guardPass(profiles, by, log);

/** @param profiles read again before each pass: without profile arguments, one applied later is guarded too. */
export async function guardForever(profiles: () => Promise<LoadedProfile[]>, intervalSec: number, log: Log): Promise<never> {
  let running = false;
  let pending: string | undefined;
  let last: LoadedProfile[] = [];
  const trigger = (by: string) => {
    if (running) { pending ??= by; return; }
    running = true;
    void (async () => {
      for (let next: string | undefined = by; next; ) {
        pending = undefined;
        // A profile file broken meanwhile: keep guarding with what was last read.
        last = await profiles().catch((e: unknown) => { log(`cannot read the profiles (${(e as Error).message.split('\n')[0]}); using the last ones read`); return last; });
        const results = await passAll(last, `hermit guard (${next})`, log);
        // The first pass says it is done, so a reader of the log (or a test) knows the guard is up.
        if (next === 'start') log(`first pass done: ${results.map((r) => `${r.profile} ${r.ok ? 'ok' : r.stopped ? 'stopped' : r.outage ? 'outage' : 'NOT ok'}`).join(', ') || 'nothing to guard'}`);
        next = pending;
      }
      running = false;
    })();
  };

  last = await profiles();
  log(`guarding ${last.map((p) => p.profile.name).join(', ') || 'nothing yet (no profile applied on this host)'}; every ${intervalSec} s, on Docker events and on rule changes`);
  trigger('start');
  setInterval(() => trigger('interval'), intervalSec * 1000);
  void watchRuleChanges(trigger, log);

  // The events stream ends when dockerd stops; restarted until it stays up, which is when the
  // daemon is back: a pass then catches what the restart changed. --since replays what happened
  // while no stream was connected (from the guard's start, or the stream's end), so an event right
  // after the guard starts, before the stream is up, is not missed.
  let since = Date.now() / 1000;
  for (let lost = false; ;) {
    const child = execa('docker', [...EVENT_ARGS, '--since', since.toFixed(3)], { buffer: false, reject: false, stdin: 'ignore', stderr: 'ignore' });
    const up = setTimeout(() => { if (lost) { log('docker events stream is back (the daemon restarted?)'); trigger('docker daemon back'); lost = false; } }, 1000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      let e: DockerEvent;
      try { e = JSON.parse(line) as DockerEvent; } catch { return; }
      const reason = eventReason(e);
      if (reason) trigger(reason);
    });
    await child;
    since = Date.now() / 1000;
    clearTimeout(up);
    if (!lost) log('docker events stream ended (dockerd stopped or restarting); reconnecting');
    lost = true;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
