// The doctor's report: text grouped by area (areas and checks with failures first, each failure
// and warning with its evidence and fix), the same as JSON, and the check-by-check differences
// between two JSON reports. Pure.
import { AREAS, type Area, type Check, type DoctorReport, REPORT_FORMAT, type Snapshot, type Status } from './types.js';

const ORDER: Record<Status, number> = { fail: 0, warn: 1, ok: 2, skipped: 3 };
const ANSI = { red: '\x1b[31m', yellow: '\x1b[33m', green: '\x1b[32m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };
const LABEL: Record<Status, [string, string]> = { fail: ['FAIL', ANSI.red], warn: ['WARN', ANSI.yellow], ok: ['ok', ANSI.green], skipped: ['skip', ANSI.dim] };

export function buildReport(snap: Snapshot, checks: Check[], profile?: string): DoctorReport {
  const counts: Record<Status, number> = { fail: 0, warn: 0, ok: 0, skipped: 0 };
  for (const c of checks) counts[c.status]++;
  return { format: REPORT_FORMAT, takenAt: snap.takenAt, hostname: snap.hostname, ...(profile ? { profile } : {}), ok: counts.fail === 0, counts, checks };
}

const worst = (cs: Check[]) => Math.min(...cs.map((c) => ORDER[c.status]));

export function renderReport(r: DoctorReport, opts: { color?: boolean; verbose?: boolean } = {}): string {
  const paint = (code: string, s: string) => (opts.color ? `${code}${s}${ANSI.reset}` : s);
  const { fail, warn, ok, skipped } = r.counts;
  const out = [
    `hermit doctor${r.profile ? ` (profile ${r.profile})` : ''} on ${r.hostname}, ${r.takenAt.replace('T', ' ').slice(0, 19)} UTC`,
    paint(fail > 0 ? ANSI.red + ANSI.bold : warn > 0 ? ANSI.yellow : ANSI.green, `${fail} failed, ${warn} warning${warn === 1 ? '' : 's'}, ${ok} ok, ${skipped} skipped`),
  ];
  const areas = AREAS.map((a) => [a, r.checks.filter((c) => c.area === a)] as [Area, Check[]]).filter(([, cs]) => cs.length > 0);
  areas.sort(([, a], [, b]) => worst(a) - worst(b)); // stable: AREAS order among equals
  const width = Math.max(...r.checks.map((c) => c.id.length));
  for (const [area, checks] of areas) {
    out.push('', paint(ANSI.bold, area.toUpperCase()));
    for (const c of [...checks].sort((a, b) => ORDER[a.status] - ORDER[b.status])) {
      const [word, code] = LABEL[c.status];
      out.push(`  ${paint(code, word.padEnd(4))}  ${c.id.padEnd(width)}  ${c.summary}`);
      const indent = ' '.repeat(8);
      if (c.status === 'fail' || c.status === 'warn' || (opts.verbose && c.evidence.length > 0)) {
        for (const e of c.evidence) out.push(paint(ANSI.dim, `${indent}${e}`));
      }
      if (c.fix && (c.status === 'fail' || c.status === 'warn')) out.push(`${indent}${paint(ANSI.bold, '→ fix:')} ${c.fix}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** Timings and throwaway names differ on every run: they are not differences between hosts. */
const norm = (s: string) => s.replace(/\d+(\.\d+)? ms\b/g, '… ms').replace(/hermit-doctor-\S+-\d+/g, 'hermit-doctor-…');

export function parseReport(text: string, name: string): DoctorReport {
  let r: Partial<DoctorReport>;
  try { r = JSON.parse(text) as Partial<DoctorReport>; } catch (err) { throw new Error(`${name} is not JSON: ${(err as Error).message}`); }
  if (r.format !== REPORT_FORMAT || !Array.isArray(r.checks)) throw new Error(`${name} is not a report of hermit doctor --json (format ${REPORT_FORMAT})`);
  return r as DoctorReport;
}

export function compareReports(a: DoctorReport, b: DoctorReport, names: [string, string]): { text: string; differences: number } {
  const head = (r: DoctorReport, n: string) => `${n} (${r.hostname}${r.profile ? `, profile ${r.profile}` : ''}, ${r.takenAt.slice(0, 16).replace('T', ' ')})`;
  const out = [`hermit doctor --compare: a = ${head(a, names[0])}`, `                         b = ${head(b, names[1])}`];
  const ids = [...new Set([...a.checks.map((c) => c.id), ...b.checks.map((c) => c.id)])];
  let differences = 0;
  for (const id of ids) {
    const x = a.checks.find((c) => c.id === id);
    const y = b.checks.find((c) => c.id === id);
    if (!x || !y) {
      differences++;
      out.push('', `${id}: only in ${x ? 'a' : 'b'} (${(x ?? y)!.status})`);
      continue;
    }
    const ex = new Set(x.evidence.map(norm));
    const ey = new Set(y.evidence.map(norm));
    const onlyA = x.evidence.filter((e) => !ey.has(norm(e)));
    const onlyB = y.evidence.filter((e) => !ex.has(norm(e)));
    if (x.status === y.status && norm(x.summary) === norm(y.summary) && onlyA.length === 0 && onlyB.length === 0) continue;
    differences++;
    out.push('', `${id} (${x.title}): ${x.status === y.status ? x.status : `${x.status} → ${y.status}`}`);
    if (norm(x.summary) !== norm(y.summary)) out.push(`  a: ${x.summary}`, `  b: ${y.summary}`);
    out.push(...onlyA.map((e) => `  - ${e}`), ...onlyB.map((e) => `  + ${e}`));
    if (y.fix && y.status !== x.status && (y.status === 'fail' || y.status === 'warn')) out.push(`  → fix (b): ${y.fix}`);
    else if (x.fix && x.status !== y.status && (x.status === 'fail' || x.status === 'warn')) out.push(`  → fix (a): ${x.fix}`);
  }
  out.push('', differences === 0
    ? `No differences: all ${ids.length} checks have the same status, summary and evidence.`
    : `${differences} of ${ids.length} checks differ (- only in a, + only in b).`);
  return { text: `${out.join('\n')}\n`, differences };
}
