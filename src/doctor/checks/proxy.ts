// Proxy settings: hermit's own environment (the shell's, minus what sudo dropped), the Docker
// daemon's (pulls and builds), the docker client's config.json (injected into every container it
// starts) and the profile's; whether they agree, and whether the container can reach its proxy.
import { inRange, isIp } from '../../net/cidr.js';
import { blockedRangeOf } from '../../plan/ruleset.js';
import type { Facts } from '../snapshot-views.js';
import { SRC, redact } from '../gather.js';
import { type CheckDef, type Ctx, fail, hermitRun, NO_PROFILE, ok, skip, warn } from './util.js';
import { parseContainer } from '../../host/read.js';
import { parseProxyLog } from '../../report/blocked.js';
import type { ProbeResponse } from '../../probe/types.js';

type Proxy = { http?: string; https?: string; no?: string };
const KEYS: Record<string, keyof Proxy> = { http_proxy: 'http', https_proxy: 'https', no_proxy: 'no', httpproxy: 'http', httpsproxy: 'https', noproxy: 'no' };

function fromPairs(pairs: [string, string][]): Proxy {
  const p: Proxy = {};
  // Upper case wins over lower case when both are set, as curl and most clients do for HTTPS_PROXY.
  for (const [k, v] of pairs.sort(([a], [b]) => (a === a.toUpperCase() ? 1 : 0) - (b === b.toUpperCase() ? 1 : 0))) {
    const key = KEYS[k.toLowerCase()];
    if (key && v) p[key] = redact(v);
  }
  return p;
}

function sources(f: Facts, ctx: Ctx): { env: Proxy; daemon?: Proxy; client: Proxy; profile?: Proxy; sudo?: string } {
  const envPairs = (f.out(SRC.env) ?? '').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]);
  const info = f.dockerInfo;
  const daemon = info ? fromPairs([['http_proxy', String(info.HttpProxy ?? '')], ['https_proxy', String(info.HttpsProxy ?? '')], ['no_proxy', String(info.NoProxy ?? '')]]) : undefined;
  let client: Proxy = {};
  try {
    const def = (JSON.parse(f.out(SRC.dockerConfig) ?? '{}') as { proxies?: { default?: Record<string, string> } }).proxies?.default ?? {};
    client = fromPairs(Object.entries(def));
  } catch { /* not JSON */ }
  const env = fromPairs(envPairs.filter(([k]) => k !== 'SUDO_USER'));
  const profile = ctx.profile
    ? fromPairs([
      ...Object.entries(ctx.profile.container.env),
      ...ctx.profile.container.passEnv.map((n) => [n, envPairs.find(([k]) => k === n)?.[1] ?? ''] as [string, string]),
    ])
    : undefined;
  return { env, daemon, client, profile, sudo: envPairs.find(([k]) => k === 'SUDO_USER')?.[1] };
}

const show = (p?: Proxy) => (!p ? 'unknown' : Object.keys(p).length === 0 ? 'none' : Object.entries(p).map(([k, v]) => `${k}=${v}`).join(' '));
const has = (p?: Proxy) => !!p && !!(p.http || p.https);

/** host and port of a proxy URL ("http://user@10.0.0.5:3128" → 10.0.0.5, 3128). */
export function proxyTarget(url: string): { host: string; port: number } | undefined {
  try {
    const u = new URL(/^\w+:\/\//.test(url) ? url : `http://${url}`);
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
  } catch {
    return undefined;
  }
}

export const proxyChecks: CheckDef[] = [
  {
    id: 'proxy.consistency', area: 'proxy', title: "Proxy settings of the shell, the Docker daemon and containers",
    run(ctx) {
      const s = sources(ctx.f, ctx);
      const containers = has(s.profile) ? s.profile : s.client;
      const evidence = [
        `hermit's environment: ${show(s.env)}${s.sudo ? ` (under sudo from ${s.sudo}: sudo drops proxy variables unless --preserve-env)` : ''}`,
        `Docker daemon (docker info): ${s.daemon ? show(s.daemon) : 'no engine'}`,
        `docker client config.json proxies (put into every container it starts): ${show(s.client)}`,
        `profile container.env/passEnv: ${s.profile ? show(s.profile) : '(no profile)'}`,
      ];
      const all = [s.env, s.daemon, s.client, s.profile].filter(has) as Proxy[];
      if (all.length === 0) return ok('no proxy is configured anywhere: everything connects directly', evidence);
      const problems: string[] = [];
      const fixes: string[] = [];
      if (has(s.env) && s.daemon && !has(s.daemon)) {
        problems.push('the shell uses a proxy but the Docker daemon does not: pulls and builds go direct');
        fixes.push('Give dockerd the proxy: a systemd drop-in /etc/systemd/system/docker.service.d/http-proxy.conf with Environment="HTTPS_PROXY=…" "NO_PROXY=…" (or "proxies" in /etc/docker/daemon.json), then systemctl daemon-reload && systemctl restart docker');
      }
      if ((has(s.env) || has(s.daemon)) && !has(containers)) {
        problems.push('the host uses a proxy but containers get none: if this network lets only the proxy out, the agent\'s connections hang');
        fixes.push('Give the container the proxy: HTTPS_PROXY and NO_PROXY in the profile\'s container.env, or passEnv: [HTTPS_PROXY, NO_PROXY]');
      }
      for (const key of ['https', 'http'] as const) {
        const values = new Set(all.map((p) => p[key]).filter(Boolean));
        if (values.size > 1) {
          problems.push(`${key}_proxy differs between sources: ${[...values].join(' vs ')}`);
          fixes.push(`Use one ${key.toUpperCase()}_PROXY everywhere (shell, dockerd, profile), unless the difference is deliberate`);
        }
      }
      if (problems.length === 0) return ok(`the proxy settings agree (${show(all[0])})`, evidence);
      return warn(problems[0]! + (problems.length > 1 ? ` (+${problems.length - 1} more)` : ''), [...problems, ...evidence], fixes.join('; '));
    },
  },
  {
    id: 'proxy.container', area: 'proxy', title: 'The container can reach its proxy through hermit\'s rules',
    run(ctx) {
      const { f, profile } = ctx;
      if (!profile) return skip(NO_PROFILE);
      if (profile.proxy) return skip('allowlist mode: hermit runs the container\'s proxy itself (see proxy.allowlist)');
      const s = sources(f, ctx);
      const p = has(s.profile) ? s.profile! : s.client;
      const urls = [...new Set([p.http, p.https].filter((u): u is string => !!u))];
      if (urls.length === 0) return ok('the container gets no proxy and connects directly', [`profile: ${show(s.profile)}`, `docker client config: ${show(s.client)}`]);
      const hostAddresses = new Set([profile.network.gateway, ...f.addresses.map((a) => a.address)]);
      const evidence: string[] = [];
      for (const url of urls) {
        const t = proxyTarget(url);
        if (!t) { evidence.push(`${url}: not a URL`); continue; }
        evidence.push(`proxy ${url} → ${t.host}:${t.port}`);
        if (t.host === 'localhost' || inRange(t.host, '127.0.0.0/8') || t.host === '::1') {
          return fail(`the container's proxy is ${t.host}:${t.port}, which inside the container is the container itself`, evidence,
            `Point it at the host's bridge address ${profile.network.gateway}:${t.port} and let that port through: hostPorts: [{ port: ${t.port} }] in the profile`);
        }
        if (!isIp(t.host)) { evidence.push(`${t.host} is a name: hermit lets it through if it resolves to a public address`); continue; }
        if (hostAddresses.has(t.host) && !profile.hostPorts.some((h) => h.port === t.port && h.protocol === 'tcp')) {
          return fail(`the container's proxy ${t.host}:${t.port} is on the host, and hermit blocks the host`, evidence, `Add hostPorts: [{ port: ${t.port}, comment: proxy }] to the profile, then ${`hermit run ${ctx.profileArg ?? profile.name}`}`);
        }
        const range = blockedRangeOf(t.host, profile.egress.block);
        const allowed = profile.egress.allow.some((a) => inRange(t.host, a.to) && (a.ports.length === 0 || a.ports.includes(t.port)) && a.protocol !== 'udp');
        if (range && !allowed && !hostAddresses.has(t.host)) {
          return fail(`the container's proxy ${t.host}:${t.port} is in the blocked range ${range}, with no exception`, evidence,
            `Add to the profile: egress.allow: [{ to: ${t.host}, ports: [${t.port}], protocol: tcp, comment: proxy }], then hermit run ${ctx.profileArg ?? profile.name}`);
        }
      }
      return ok(`the container's proxy is reachable through hermit's rules (${urls.join(', ')})`, evidence);
    },
  },
  {
    id: 'proxy.allowlist', area: 'proxy', title: 'Allowlist mode: the proxy answers, lets the listed names through and refuses the rest',
    run(ctx) {
      const { f, profile } = ctx;
      if (!profile) return skip(NO_PROFILE);
      if (!profile.proxy) return skip('the profile is not in allowlist mode (no egress.domains)');
      const proxy = profile.proxy;
      let container;
      try { container = f.out(SRC.proxyContainer) ? parseContainer(f.out(SRC.proxyContainer)!) : undefined; } catch { container = undefined; }
      const refusals = parseProxyLog(f.out(SRC.proxyLog) ?? '');
      // The five most recent distinct targets it refused, newest first.
      const latest = new Map<string, string>();
      for (const r of refusals.reverse()) if (!latest.has(`${r.destination}:${r.port}`)) latest.set(`${r.destination}:${r.port}`, r.time);
      const names = [...latest.entries()].slice(0, 5);
      const refusedText = names.length > 0 ? `; it last refused ${names.map(([t, at]) => `${t} (${at})`).join(', ')}` : '';
      const evidence = [
        `proxy container ${proxy.container}: ${container ? container.status : 'missing'}`,
        ...names.map(([t, at]) => `refused ${t} at ${at} (access log)`),
      ];
      if (!container?.running) return fail(`the proxy ${proxy.container} is ${container ? container.status : 'missing'}: the agent has no way out`, evidence, `Start it again: ${hermitRun(ctx)}`);
      const src = ctx.f.out(SRC.proxyProbe);
      if (!src) return skip(`could not probe through the proxy: ${ctx.f.why(SRC.proxyProbe)}`, evidence);
      let res: ProbeResponse;
      try { res = JSON.parse(src) as ProbeResponse; } catch { return skip('the probe through the proxy answered something that is not JSON', evidence); }
      const row = (id: string) => res.tcp.find((t) => t.id === id);
      const unlisted = row('unlisted');
      evidence.push(`unlisted name through the proxy: ${unlisted?.outcome ?? 'no result'}${unlisted?.code ? ` (${unlisted.code})` : ''}`);
      if (unlisted?.outcome !== 'denied') {
        return fail(`the proxy at ${proxy.address}:${proxy.port} does not answer as it should (an unlisted name: ${unlisted?.outcome ?? 'no result'})`, evidence,
          `See ${proxy.container}'s log (docker logs ${proxy.container}; cache.log in hermit's state dir), then ${hermitRun(ctx)}`);
      }
      const failed: string[] = [];
      profile.probe.mustReach.forEach((t, i) => {
        const r = row(`t${i + 1}`);
        evidence.push(`${t.host}:${t.port} through the proxy: ${r?.outcome ?? 'no result'}${r?.code ? ` (${r.code})` : ''}`);
        if (r?.outcome !== 'connected') failed.push(`${t.host}:${t.port} (${r?.code ?? r?.outcome ?? 'no result'})`);
      });
      if (failed.length > 0) {
        return warn(`the proxy answers, but did not get through to ${failed.join(', ')}${refusedText}`, evidence,
          'A refusal (ERR_ACCESS_DENIED) means the name or port is not in egress.domains; ERR_DNS_FAIL or ERR_CONNECT_FAIL mean the proxy\'s side has no way there: see the "profile network" connectivity checks above, which run from the proxy\'s bridge');
      }
      return ok(`the proxy answers and refuses an unlisted name${profile.probe.mustReach.length ? `; ${profile.probe.mustReach.length} listed target(s) got through` : ''}${refusedText}`, evidence);
    },
  },
];
