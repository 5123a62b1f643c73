// Connectivity from the three vantage points (profile network, default bridge, host), and the
// comparison that localises a fault: host fails → outside Docker; host works but the default bridge
// does not → Docker's forwarding; both work but the profile's network does not → hermit's network.
import { EMBEDDED_DNS } from '../../plan/targets.js';
import type { DnsResult, TcpResult } from '../../probe/types.js';
import type { Facts } from '../snapshot-views.js';
import type { MtuResult } from '../netns-worker.js';
import type { Vantage, VantageId } from '../types.js';
import { type Body, type CheckDef, type Ctx, fail, hermitRun, ok, plural, skip, warn } from './util.js';

const SLOW_DNS_MS = 1000;
const vantage = (f: Facts, id: VantageId) => f.snap.vantages.find((v) => v.id === id);
const ms = (n: number) => `${Math.round(n)} ms`;
const ALL: VantageId[] = ['profile', 'bridge', 'host'];
const FROM: Record<VantageId, string> = { profile: "the profile's network", bridge: 'the default bridge', host: 'the host' };

interface DnsRow { server: string; name: string; r?: DnsResult }
interface TcpRow { host: string; port: number; r?: TcpResult }

const dnsRows = (v: Vantage): DnsRow[] => (v.probeRequest?.dns ?? []).map((p) => ({ server: p.server, name: p.name, r: v.probe?.dns.find((x) => x.id === p.id) }));
const tcpRows = (v: Vantage): TcpRow[] => (v.probeRequest?.tcp ?? []).map((p) => ({ host: p.host, port: p.port, r: v.probe?.tcp.find((x) => x.id === p.id) }));
/** The resolver answered (an NXDOMAIN is an answer). */
const answered = (r?: DnsResult) => !!r && ['answered', 'nxdomain', 'nodata'].includes(r.outcome);
const connected = (r?: TcpResult) => r?.outcome === 'connected';

function describeDns(r?: DnsResult): string {
  if (!r) return 'no result';
  const code = r.code ? ` (${r.code})` : '';
  switch (r.outcome) {
    case 'answered': return `answered ${r.addresses.join(', ') || '(no addresses)'} in ${ms(r.ms)}`;
    case 'nxdomain': return `NXDOMAIN (no such name) in ${ms(r.ms)}`;
    case 'nodata': return `no A records in ${ms(r.ms)}`;
    case 'refused': return `${r.code === 'EREFUSED' ? 'the resolver refused the query' : 'could not reach the resolver'}${code} in ${ms(r.ms)}`;
    case 'timeout': return `no answer within ${ms(r.ms)}`;
    default: return `error${code} after ${ms(r.ms)}`;
  }
}

function describeTcp(t: TcpRow): string {
  const r = t.r;
  if (!r) return 'no result';
  const at = r.address && r.address !== t.host ? ` [${r.address}]` : '';
  const code = r.code ? ` (${r.code})` : '';
  if (r.address === undefined && r.outcome === 'error') return `the name did not resolve${code}`;
  const text = { connected: 'connected', refused: 'refused: a TCP reset (the port is closed, or a firewall rule such as hermit\'s refused it)', unreachable: 'rejected / unreachable', timeout: 'no answer (timed out)', error: 'error', denied: 'refused by the proxy' }[r.outcome];
  return `${text}${code}${at} in ${ms(r.ms)}`;
}

/** Whether a vantage point reached everything: undefined when it did not run. */
function healthy(v: Vantage | undefined): boolean | undefined {
  if (!v || v.skipped || !v.probe) return undefined;
  return dnsRows(v).every((d) => answered(d.r)) && tcpRows(v).every((t) => connected(t.r));
}

/** Where the fault lies, from what each vantage point saw of one thing (true = it worked). */
export function layer(ctx: Ctx, seen: Partial<Record<VantageId, boolean | undefined>>): { where: string; fix: string } {
  if (seen.host === false) {
    return { where: 'the host itself fails: the fault is outside Docker (the uplink, the resolver, or a proxy this network requires)',
      fix: 'Fix the host first: check its connection and resolver (resolvectl status, /etc/resolv.conf, ip route) and whether this network only lets a proxy out (see proxy.*)' };
  }
  if (seen.bridge === false) {
    return { where: "the host succeeds but Docker's default bridge fails too: the fault is in Docker's forwarding (ip_forward, the FORWARD chain, NAT, a firewall manager)",
      fix: 'See host.ip-forward, host.forward-order and host.firewall-managers; restarting Docker (systemctl restart docker) re-creates its NAT and FORWARD rules' };
  }
  if (seen.host === true && seen.bridge === true) {
    return { where: "the host and Docker's default bridge succeed, only the profile's network fails: the fault is in that network or hermit's rules",
      fix: `See host.hermit-rules, network.mtu and network.bridge; check the profile's dns and egress.allow; ${hermitRun(ctx)} re-applies the rules` };
  }
  return { where: 'not enough vantage points ran to localise it',
    fix: 'Run doctor as root with the profile\'s image present, so it can compare the profile\'s network with Docker\'s default bridge and the host' };
}

function dnsCheck(id: VantageId): CheckDef {
  return {
    id: `connectivity.dns.${id}`, area: 'connectivity', title: `DNS from ${FROM[id]}`,
    run(ctx) {
      const v = vantage(ctx.f, id);
      if (!v || v.skipped || !v.probe) return skip(v?.skipped ?? `the probe could not run: ${v?.error ?? 'not attempted'}`);
      const rows = dnsRows(v);
      if (rows.length === 0) return skip('no resolvers to ask');
      const evidence = [`from ${v.label}`, ...rows.map((d) => `${d.name} via ${d.server}: ${describeDns(d.r)}`)];
      const dead = [...new Set(rows.filter((d) => !answered(d.r)).map((d) => d.server))];
      if (dead.length > 0) {
        const fixes = dead.map((server) => resolverFix(ctx, id, server));
        return fail(`${plural(dead.length, 'resolver')} did not answer: ${dead.join(', ')}`, evidence, fixes.join(' '));
      }
      const missing = rows.filter((d) => d.r?.outcome === 'nxdomain' || d.r?.outcome === 'nodata');
      if (missing.length > 0) {
        return warn(`${missing.map((d) => `${d.name} via ${d.server}`).join(', ')}: no such name`, evidence,
          'Check the names in probe.mustReach and probe.dnsName; a split-horizon resolver may only know them on some networks');
      }
      const slow = rows.filter((d) => (d.r?.ms ?? 0) > SLOW_DNS_MS);
      if (slow.length > 0) {
        return warn(`slow answers: ${slow.map((d) => `${d.server} ${ms(d.r!.ms)}`).join(', ')}`, evidence,
          'A resolver that answers in seconds makes every new connection wait as long; prefer a closer one in the profile\'s dns');
      }
      return ok(`${plural(rows.length, 'lookup')} through ${[...new Set(rows.map((d) => d.server))].join(', ')}: all answered`, evidence);
    },
  };
}

function resolverFix(ctx: Ctx, id: VantageId, server: string): string {
  const atHost = vantage(ctx.f, 'host');
  const hostRows = atHost?.probe ? dnsRows(atHost).filter((d) => d.server === server) : [];
  if (hostRows.length > 0 && hostRows.every((d) => !answered(d.r))) {
    return `Resolver ${server} does not answer even from the host: it is down or unreachable; point the profile's dns: at a resolver that answers (try: dig @${server} ${hostRows[0]!.name}).`;
  }
  if (server === EMBEDDED_DNS) {
    const v = vantage(ctx.f, id);
    const direct = v ? dnsRows(v).filter((d) => d.server !== EMBEDDED_DNS) : [];
    if (direct.length > 0 && direct.every((d) => answered(d.r))) {
      return `Docker's embedded DNS (${EMBEDDED_DNS}) fails while the resolvers it forwards to answer directly: dockerd forwards from the host's side; look for DNS errors in dockerd's log (journalctl -u docker) and restart Docker.`;
    }
    if (direct.length > 0) return `Docker's embedded DNS (${EMBEDDED_DNS}) forwards to the profile's resolvers, which fail too:`;
  }
  const same = (vid: VantageId) => {
    const w = vantage(ctx.f, vid);
    const rows = w?.probe ? dnsRows(w).filter((d) => d.server === server) : [];
    return rows.length > 0 ? rows.every((d) => answered(d.r)) : undefined;
  };
  const l = layer(ctx, { host: same('host'), bridge: id === 'bridge' ? false : same('bridge'), profile: false });
  return `Resolver ${server}: ${l.where}. ${l.fix}.`;
}

function tcpCheck(id: VantageId): CheckDef {
  return {
    id: `connectivity.tcp.${id}`, area: 'connectivity', title: `TCP to must-reach targets from ${FROM[id]}`,
    run(ctx) {
      const v = vantage(ctx.f, id);
      if (!v || v.skipped || !v.probe) return skip(v?.skipped ?? `the probe could not run: ${v?.error ?? 'not attempted'}`);
      const rows = tcpRows(v);
      if (rows.length === 0) return skip('the profile has no probe.mustReach targets');
      const evidence = [`from ${v.label}`, ...rows.map((t) => `${t.host}:${t.port}: ${describeTcp(t)}`)];
      const bad = rows.filter((t) => !connected(t.r));
      if (bad.length === 0) return ok(`${plural(rows.length, 'target')} connected`, evidence);
      const seen = (vid: VantageId, t: TcpRow) => {
        const w = vantage(ctx.f, vid);
        const r = w?.probe ? tcpRows(w).find((x) => x.host === t.host && x.port === t.port) : undefined;
        return r ? connected(r.r) : undefined;
      };
      const first = bad[0]!;
      const unresolved = bad.filter((t) => t.r?.address === undefined && t.r?.outcome === 'error');
      const l = layer(ctx, { host: id === 'host' ? false : seen('host', first), bridge: id === 'bridge' ? false : id === 'host' ? undefined : seen('bridge', first), profile: false });
      const fix = unresolved.length === bad.length ? `The names did not resolve: see connectivity.dns.${id}.` : `${l.where}. ${l.fix}.`;
      return fail(`${bad.map((t) => `${t.host}:${t.port}`).join(', ')}: ${describeTcp(first)}`, evidence, fix);
    },
  };
}

/** The kernel's cached path MTU for the destination, from `ip -j route get`. */
export function learnedMtu(routeJson?: string): number | undefined {
  try {
    const route = (JSON.parse(routeJson || '[]') as { metrics?: { mtu?: number }[] }[])[0];
    return route?.metrics?.find((m) => m.mtu !== undefined)?.mtu;
  } catch {
    return undefined;
  }
}

function mtuCheck(id: VantageId): CheckDef {
  return {
    id: `connectivity.mtu.${id}`, area: 'connectivity', title: `Path MTU from ${FROM[id]}`,
    run(ctx) {
      const v = vantage(ctx.f, id);
      if (!v || v.skipped || !v.netns) return skip(v?.skipped ?? `the MTU probe could not run: ${v?.error ?? 'not attempted'}`);
      const hosts = v.netnsRequest?.mtu ?? [];
      const evidence = [`from ${v.label}`];
      const smaller: { host: string; learned: number; sent: number }[] = [];
      const holes: { host: string; sent: number }[] = [];
      let tested = 0;
      for (const p of hosts) {
        const r: MtuResult | undefined = v.netns.mtu.find((m) => m.id === p.id);
        if (!r || r.code || r.size === undefined) { evidence.push(`${p.host}: not tested (${r?.code ?? 'no result'})`); continue; }
        tested++;
        const sent = r.size + 28;
        const learned = learnedMtu(r.routeAfter) ?? learnedMtu(r.routeBefore);
        const ping = r.pingLarge ? `; ping ${r.pingSmall?.exitCode === 0 ? 'small answered' : 'small unanswered'}, ${sent}-byte with DF ${r.pingLarge.exitCode === 0 ? 'answered' : 'unanswered'}` : '';
        // ECONNREFUSED on the UDP socket is the target's port-unreachable: a full-size datagram got there.
        // (After an EMSGSIZE the kernel fragments the rest, so "arrived" would prove nothing.)
        const arrived = r.udpErrors.includes('ECONNREFUSED') && !r.udpErrors.includes('EMSGSIZE') ? ', which arrived (port unreachable came back)' : '';
        const other = r.udpErrors.filter((e) => e !== 'ECONNREFUSED');
        const errors = other.map((e) => (e === 'EMSGSIZE' ? 'EMSGSIZE: a router said they were too big' : e));
        evidence.push(`${p.host} [${r.address}]: sent ${sent}-byte datagrams with DF${arrived}${errors.length ? ` (${errors.join(', ')})` : ''}; ` +
          `kernel's path MTU ${learned ?? 'none reported'}${ping}`);
        if (learned !== undefined && learned < sent) smaller.push({ host: p.host, learned, sent });
        else if (r.pingSmall?.exitCode === 0 && r.pingLarge && r.pingLarge.exitCode !== 0) holes.push({ host: p.host, sent });
      }
      if (!ctx.f.ping) evidence.push('no ping binary on the host: black holes (lost "fragmentation needed") cannot be seen');
      if (tested === 0) return skip('no target could be tested (names did not resolve, or no route)', evidence);
      const setMtu = (n: number | string) => (id === 'profile'
        ? `Set network.mtu: ${n} in the profile and recreate its network (docker network rm ${ctx.profile?.network.name ?? '<network>'}; ${hermitRun(ctx)})`
        : id === 'bridge' ? `Set "mtu": ${n} in /etc/docker/daemon.json and restart Docker` : `Containers need network.mtu: ${n} (or "mtu": ${n} in /etc/docker/daemon.json)`);
      if (holes.length > 0) {
        const h = holes[0]!;
        return fail(`black hole: ${h.sent}-byte packets to ${h.host} vanish and nothing reports why (small ones get through)`, evidence,
          `Find the path MTU (ping -M do -s <size> ${h.host}, lowering the size until it answers; add 28), then: ${setMtu('<that value>')}`);
      }
      if (smaller.length > 0) {
        const s = smaller[0]!;
        return warn(`the path MTU to ${s.host} is ${s.learned}, but this side sends ${s.sent}-byte packets: it works only as long as "fragmentation needed" answers arrive`,
          evidence, setMtu(s.learned));
      }
      return ok(`full-size packets reach ${plural(tested, 'target')} with no smaller path MTU reported`, evidence);
    },
  };
}

const ipv4First = (ctx: Ctx) => /ipv4first/.test(ctx.profile?.container.env.NODE_OPTIONS ?? '');

const ipv6Check: CheckDef = {
  id: 'connectivity.ipv6', area: 'connectivity', title: 'AAAA answers against working IPv6 (the hang pattern)',
  run(ctx) {
    const results: Body[] = [];
    const evidence: string[] = [];
    let anyAaaa = false;
    for (const id of ALL) {
      const v = vantage(ctx.f, id);
      if (!v?.netns) continue;
      const off = v.probe?.ipv6.disabled ?? false;
      const defaults6 = (() => { try { return (JSON.parse(v.netns.routes6 || '[]') as { dst: string }[]).filter((r) => r.dst === 'default').length; } catch { return 0; } })();
      evidence.push(`${v.label}: IPv6 ${off ? 'disabled' : 'enabled'}, ${plural(defaults6, 'IPv6 default route')}`);
      for (const a of v.netns.aaaa) {
        const req = v.netnsRequest?.aaaa.find((x) => x.id === a.id);
        if (!req) continue;
        const c = a.connect;
        evidence.push(`  ${req.name} AAAA via ${req.server}: ${a.outcome === 'answered' ? a.addresses.join(', ') : a.outcome}` +
          (c ? `; connect [${c.address}]:${req.port}: ${c.outcome}${c.code ? ` (${c.code})` : ''} in ${ms(c.ms)}` : ''));
        if (a.addresses.length === 0) continue;
        anyAaaa = true;
        if (c?.outcome === 'timeout') {
          results.push(fail(`${req.name} has IPv6 addresses and IPv6 looks usable from ${FROM[id]}, but connecting over it hangs`, [],
            id === 'host'
              ? 'Fix the host\'s IPv6 route, or make it prefer IPv4: add "precedence ::ffff:0:0/96 100" to /etc/gai.conf'
              : id === 'profile' ? 'Set network.ipv6: false in the profile (hermit then turns IPv6 off in the container), or give the host working IPv6'
                : 'Turn IPv6 off for Docker\'s default bridge ("ipv6": false in /etc/docker/daemon.json) or give the host working IPv6'));
        } else if (c && c.outcome !== 'connected' && id === 'profile' && !ipv4First(ctx)) {
          results.push(warn(`${req.name} has AAAA records while IPv6 is off in the container: clients that try IPv6 first fail at once and must fall back to IPv4`, [],
            'Make clients prefer IPv4: NODE_OPTIONS: --dns-result-order=ipv4first in the profile\'s container.env (Node), "precedence ::ffff:0:0/96 100" in the image\'s /etc/gai.conf (glibc)'));
        }
      }
    }
    if (evidence.length === 0) return skip('no vantage point ran the AAAA probe');
    const worst = results.find((r) => r.status === 'fail') ?? results.find((r) => r.status === 'warn');
    if (worst) return { ...worst, evidence };
    if (!anyAaaa) return ok('no AAAA records for the profile\'s names: nothing can prefer IPv6', evidence);
    return ok(ipv4First(ctx) ? 'no IPv6 hang: where AAAA answers exist, IPv6 fails fast and the profile prefers IPv4' : 'no IPv6 hang: every AAAA answer either connects or fails fast', evidence);
  },
};

const localizeCheck: CheckDef = {
  id: 'connectivity.localize', area: 'connectivity', title: 'Profile network vs default bridge vs host',
  run(ctx) {
    const seen = Object.fromEntries(ALL.map((id) => [id, healthy(vantage(ctx.f, id))])) as Record<VantageId, boolean | undefined>;
    const word = (b: boolean | undefined, id: VantageId) => (b === undefined ? `skipped (${vantage(ctx.f, id)?.skipped ?? vantage(ctx.f, id)?.error ?? 'not run'})` : b ? 'everything reached' : 'failures');
    const evidence = ALL.map((id) => `${vantage(ctx.f, id)?.label ?? id}: ${word(seen[id], id)}`);
    if (Object.values(seen).every((b) => b === undefined)) return skip('no vantage point could run', evidence);
    if (Object.values(seen).every((b) => b !== false)) return ok('no failures from any vantage point that ran', evidence);
    if (seen.profile === true) {
      const others = (['bridge', 'host'] as VantageId[]).filter((id) => seen[id] === false).map((id) => vantage(ctx.f, id)!.label);
      return warn(`the profile's network reaches everything; only ${others.join(' and ')} fail`, evidence, 'Nothing to do for the agent; see the failing checks above if other containers matter');
    }
    const l = layer(ctx, { ...seen, profile: false });
    return fail(l.where, evidence, l.fix);
  },
};

export const connectivityChecks: CheckDef[] = [
  localizeCheck,
  ...ALL.flatMap((id) => [dnsCheck(id), tcpCheck(id), mtuCheck(id)]),
  ipv6Check,
];
