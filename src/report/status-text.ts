// Human renderings of `hermit status` and `hermit ps`. Pure.
import { firewallFor } from '../firewall/index.js';
import type { ProfileStatus } from '../plan/profile-status.js';
import { printable } from './printable.js';

export interface PsRow {
  profile: string;
  container: string;
  id: string;
  image: string;
  state: string;
  /** Docker's words: "Up 2 hours", "Exited (0) 3 minutes ago". */
  status: string;
  /** The last probe of this very container; null if it has none. */
  lastProbe: { at: string; ok: boolean } | null;
  /** 'agent', 'proxy' for the proxy of a profile in allowlist mode, 'docker' for the agent's engine. */
  role?: 'agent' | 'proxy' | 'docker';
}

/** Columns padded to the widest cell; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export function renderPs(rows: PsRow[]): string {
  if (rows.length === 0) return 'No hermit containers.';
  return table(['PROFILE', 'CONTAINER', 'STATE', 'STATUS', 'IMAGE', 'LAST PROBE'],
    rows.map((r) => [r.profile, r.container, r.state, r.status, r.image,
      r.role === 'proxy' || r.role === 'docker' ? `${r.role}: proven through the agent` : r.lastProbe ? `${r.lastProbe.ok ? 'ok' : 'FAILED'} ${r.lastProbe.at}` : 'none']));
}

const RULES: Record<string, string> = {
  intact: 'intact', differs: 'present but NOT what the profile wants', missing: 'missing', present: 'present (profile unknown: not compared)',
  unavailable: 'n/a (no ip6tables)', broken: 'cannot be applied on this host',
};

export function renderStatus(s: ProfileStatus): string {
  const c = s.container;
  const out = [`profile ${s.profile}${s.file ? ` (${s.file})` : ' (profile file unknown)'}`];
  const since = c.running && c.startedAt ? ` since ${c.startedAt.replace(/\.\d+Z$/, 'Z')}` : '';
  const extra = [c.restartPolicy ? `restart ${c.restartPolicy}` : '', c.image === 'outdated' ? 'image outdated (hermit update)' : c.image === 'current' ? 'image current' : '']
    .filter(Boolean).join(', ');
  out.push(`  container   ${c.name ?? '-'}: ${c.foreign ? 'NOT started by hermit for this profile' : `${c.state}${since}`}${extra && !c.foreign ? ` (${extra})` : ''}`);
  const u = s.unapproved;
  if (u) {
    out.push(`  approval    the profile file changed and that version is NOT approved; ${u.approvedAt ? `hermit enforces the version approved ${u.approvedAt}` : 'no version was ever approved'} (sudo hermit trust shows and approves it)`);
    out.push(...u.changes.map((c) => `                ${c}`));
  }
  out.push(`  network     ${s.network.name ?? '-'}: ${s.network.present ? 'present' : 'missing'}`);
  if (s.proxy) {
    out.push(`  proxy       ${s.proxy.name}: ${s.proxy.state} (${s.proxy.network ? 'allowlist mode' : 'credentials'})`);
    if (s.proxy.network) out.push(`  internal    ${s.proxy.network.name}: ${s.proxy.network.present ? 'present' : 'missing'}`);
  }
  if (s.engine) out.push(`  docker      ${s.engine.name}: ${s.engine.state} (the agent's engine, in its network namespace)`);
  const where = s.firewall && firewallFor(s.firewall).where(s.profile);
  if (where) out.push(`  firewall    ${s.firewall}: ${where}`);
  for (const r of s.rules) out.push(`  IPv${r.family} rules  ${RULES[r.state] ?? r.state}${r.detail ? ` — ${r.detail}` : ''}`);
  const p = s.lastProbe;
  if (!p) out.push('  last probe  none recorded');
  else {
    const verdict = p.ok ? `ok (${p.checks} checks)`
      : p.verdict === 'outage' ? `OUTAGE: ${p.failed.join(', ')} did not answer (nothing that must be blocked was reachable)` : `FAILED: ${p.failed.join(', ')}`;
    out.push(`  last probe  ${p.at}: ${verdict}${p.ofThisContainer ? '' : ' — of an earlier container'}`);
  }
  const v = s.lastVerified;
  out.push(`  verified    ${v ? `${v.at} by ${v.by}: ${v.ok ? 'ok' : 'NOT ok'}${v.actions.length ? ` (${v.actions.length} action(s): ${v.actions.at(-1)})` : ''}` : 'never'}`);
  out.push(`  isolation   ${s.ok ? 'proven' : c.running ? 'NOT proven (see above; hermit run or hermit probe proves it again)' : 'not running'}`);
  return printable(out.join('\n'));
}
