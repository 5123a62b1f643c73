// Turns the worker's raw outcomes into expected-vs-observed rows. Pure.
import { isIP } from 'node:net';
import { type Refusal, attributeRefusals, describeRefusal } from './attribution.js';
import type { DnsResult, ExpectedDns, ExpectedTcp, ProbePlan, ProbeReport, ProbeResponse, ProbeRow, TcpOutcome, TcpResult } from './types.js';

export function classify(plan: ProbePlan, response: ProbeResponse, meta: { container: string; profile: string }): ProbeReport {
  const refusals = attributeRefusals(plan, response);
  const rows: ProbeRow[] = [
    ...plan.tcp.map((e) => tcpRow(e, response.tcp.find((r) => r.id === e.probe.id), refusals.get(e.probe.id))),
    ...plan.dns.map((e) => dnsRow(e, response.dns.find((r) => r.id === e.probe.id))),
  ];
  if (plan.ipv6Off) {
    const { disabled, addresses } = response.ipv6;
    const ok = disabled && addresses.length === 0;
    const observed = ok
      ? 'off (disabled, no addresses)'
      : addresses.length === 0
        ? 'on: disable_ipv6=0 (no addresses yet)'
        : `on: addresses ${addresses.join(', ')}${disabled ? ' (despite disable_ipv6=1)' : ' (disable_ipv6=0)'}`;
    rows.push({
      id: 'ipv6',
      kind: 'ipv6',
      target: 'IPv6 in the container',
      reason: 'profile turns IPv6 off',
      expected: 'off',
      observed,
      ok,
      ...(ok ? {} : { failure: 'breach' as const }),
    });
  }
  // No rows proves nothing: never report that as a pass.
  return { container: meta.container, profile: meta.profile, ok: rows.length > 0 && rows.every((r) => r.ok), rows };
}

function tcpRow(e: ExpectedTcp, r: TcpResult | undefined, refusal: Refusal | undefined): ProbeRow {
  const base = { id: e.probe.id, kind: 'tcp' as const, target: e.target, reason: e.reason, expected: e.expect === 'denied' ? 'refused by proxy' as const : e.expect };
  // What cannot be shown blocked is a breach; what cannot be reached, or resolved to try it, an outage.
  const failure = e.expect === 'reachable' ? 'outage' as const : 'breach' as const;
  if (e.shadowed && e.expect === 'blocked') return { ...base, observed: e.shadowed, ok: true };
  if (!r) return { ...base, observed: 'no result', ok: false, failure };
  const ms = fmtMs(r.ms);
  const code = r.code ? ` (${r.code})` : '';
  if (e.probe.proxy) return proxyRow(e, r, base, ms, code);
  // A name target: say which address was tried, or that it never resolved.
  const isName = isIP(e.probe.host) === 0;
  if (isName && r.address === undefined) {
    return { ...base, observed: `could not resolve ${e.probe.host}${code} ${ms}`, ok: false, failure: 'outage', ms: r.ms };
  }
  const at = isName ? ` [${r.address}]` : '';
  const blocked = e.expect === 'blocked';
  const text: Record<TcpOutcome, string> = {
    denied: `refused by a proxy${code} ${ms}${at}`,
    connected: `connected ${ms}${at}`,
    refused: `${blocked ? 'connection refused' : 'host answered but port closed'}${code} ${ms}${at}`,
    unreachable: `rejected${code} ${ms}${at}`,
    timeout: `no answer (timed out) ${ms}${at}`,
    error: `error${code} ${ms}${at}`,
  };
  if (!blocked) return { ...base, observed: text[r.outcome], ok: r.outcome === 'connected', ...(r.outcome === 'connected' ? {} : { failure }), ms: r.ms };
  // A reset is hermit's only if hermit's rule counted it; otherwise the host at that address may
  // have sent it, and then it was reachable.
  if (r.outcome === 'refused' && refusal?.by === 'hermit') {
    return { ...base, observed: `reset by ${describeRefusal(refusal)}${code} ${ms}${at}`, ok: true, ms: r.ms };
  }
  const note: Partial<Record<TcpOutcome, string>> = {
    connected: ' — the host was reachable',
    refused: ` — not shown to be hermit's reset (${refusal ? describeRefusal(refusal) : 'no attribution'}): the host may have answered, so it may be reachable`,
    timeout: ' — blocked, but dropped rather than rejected',
  };
  const ok = r.outcome === 'unreachable' || r.outcome === 'timeout';
  return { ...base, observed: text[r.outcome] + (note[r.outcome] ?? ''), ok, ...(ok ? {} : { failure }), ms: r.ms };
}

/** A request through the proxy: only the proxy's own answer counts (a refusal, or a tunnel/response). */
function proxyRow(e: ExpectedTcp, r: TcpResult, base: Omit<ProbeRow, 'observed' | 'ok'>, ms: string, code: string): ProbeRow {
  const via = e.probe.method === 'http' ? 'HTTP' : 'CONNECT';
  const text: Record<TcpOutcome, string> = {
    connected: `${via} through the proxy succeeded ${ms}`,
    denied: `refused by the proxy${code} ${ms}`,
    refused: `proxy not reachable: connection refused${code} ${ms}`,
    unreachable: `proxy not reachable${code} ${ms}`,
    timeout: `no answer from the proxy (timed out) ${ms}`,
    error: `proxy could not complete it${code} ${ms}`,
  };
  const ok = e.expect === 'reachable' ? r.outcome === 'connected' : r.outcome === 'denied';
  const note = e.expect !== 'reachable' && r.outcome === 'connected' ? ' — the proxy let it through' : '';
  // Through the proxy, only what got through when it must not is a breach; a proxy that does not answer is an outage.
  const failure = e.expect !== 'reachable' && r.outcome === 'connected' ? 'breach' as const : 'outage' as const;
  return { ...base, observed: text[r.outcome] + note, ok, ...(ok ? {} : { failure }), ms: r.ms };
}

function dnsRow(e: ExpectedDns, r: DnsResult | undefined): ProbeRow {
  if (e.expect === 'no answer') return noAnswerRow(e, r);
  const base = { id: e.probe.id, kind: 'dns' as const, target: e.target, reason: e.reason, expected: 'resolves' as const };
  // A resolver that does not answer is an outage: DNS to it is allowed, so nothing was let through.
  const down = { ok: false, failure: 'outage' as const };
  if (!r) return { ...base, observed: 'no result', ...down };
  const ms = fmtMs(r.ms);
  const code = r.code ? ` (${r.code})` : '';
  // nxdomain/nodata still prove the resolver is reachable and answering: that is what is checked.
  switch (r.outcome) {
    case 'answered':
      return { ...base, observed: `answered ${r.addresses.join(', ') || '(no addresses)'} ${ms}`, ok: true, ms: r.ms };
    case 'nxdomain':
      return { ...base, observed: `answered NXDOMAIN ${ms}`, ok: true, ms: r.ms };
    case 'nodata':
      return { ...base, observed: `answered, no A records ${ms}`, ok: true, ms: r.ms };
    case 'refused':
      // c-ares says ECONNREFUSED for any failure to reach the server (ICMP reject, local drop);
      // EREFUSED is the server's own REFUSED answer.
      return {
        ...base,
        observed: `${r.code === 'EREFUSED' ? 'resolver refused the query' : 'could not reach the resolver'}${code} ${ms}`,
        ...down,
        ms: r.ms,
      };
    case 'timeout':
      return { ...base, observed: `no answer (timed out) ${ms}`, ...down, ms: r.ms };
    case 'error':
      return { ...base, observed: `error${code} ${ms}`, ...down, ms: r.ms };
  }
}

/** Allowlist mode: a name outside must not resolve (an answer means queries leave: a tunnel). */
function noAnswerRow(e: ExpectedDns, r: DnsResult | undefined): ProbeRow {
  const base = { id: e.probe.id, kind: 'dns' as const, target: e.target, reason: e.reason, expected: 'no answer' as const };
  // A name outside that resolves is a way out (a DNS tunnel): a breach.
  if (!r) return { ...base, observed: 'no result', ok: false, failure: 'breach' };
  const ms = fmtMs(r.ms);
  const code = r.code ? ` (${r.code})` : '';
  if (r.outcome === 'answered') return { ...base, observed: `answered ${r.addresses.join(', ') || '(no addresses)'} ${ms} — queries get out`, ok: false, failure: 'breach', ms: r.ms };
  const words: Record<DnsResult['outcome'], string> = {
    answered: '', nxdomain: 'NXDOMAIN', nodata: 'no A records', refused: 'no resolver reachable', timeout: 'no answer (timed out)', error: 'error',
  };
  return { ...base, observed: `${words[r.outcome]}${code} ${ms}`, ok: true, ms: r.ms };
}

function fmtMs(ms: number): string {
  return ms < 1 ? '<1 ms' : `${Math.round(ms)} ms`;
}
