// Expected vs observed, one row per check, so a mismatch stands out. Pure.
import type { ProbeReport, ProbeRow } from '../probe/types.js';
import { judge } from '../probe/judgement.js';

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', bold: '\x1b[1m', dim: '\x1b[2m', reset: '\x1b[0m' };

export function renderProbeTable(report: ProbeReport, opts: { color?: boolean } = {}): string {
  const color = opts.color ?? false;
  const paint = (code: string, s: string): string => (color ? `${code}${s}${ANSI.reset}` : s);
  // Plain logs get words ("FAIL" is easy to grep); a terminal gets marks.
  const mark = (r: ProbeRow): string => (color ? (r.ok ? '✓' : '✗') : r.ok ? 'ok' : 'FAIL');

  const header = ['', 'TARGET', 'WHY', 'EXPECTED', 'OBSERVED'];
  const cells = report.rows.map((r) => [mark(r), r.target, r.reason, r.expected, r.observed]);
  // Widths on the plain text; colour is added after padding so escapes don't break alignment.
  const widths = header.map((h, i) => Math.max(width(h), ...cells.map((c) => width(c[i] ?? ''))));
  const line = (c: string[]): string =>
    c.map((s, i) => (i === c.length - 1 ? s : s + ' '.repeat((widths[i] ?? 0) - width(s)))).join('  ');

  const out = [`Isolation probe of ${report.container} (profile ${report.profile})`, paint(ANSI.bold, line(header))];
  report.rows.forEach((r, i) => {
    const text = line(cells[i] ?? []);
    out.push(r.ok ? paint(ANSI.green, text.slice(0, width(mark(r)))) + text.slice(width(mark(r))) : paint(ANSI.red, text));
  });

  const failed = report.rows.filter((r) => !r.ok);
  const n = report.rows.length;
  const checks = `${n} check${n === 1 ? '' : 's'}`;
  if (n === 0) out.push(paint(ANSI.red, 'no checks were run'));
  else if (failed.length === 0) out.push(paint(ANSI.green, `${checks}, all as expected`));
  else {
    const kind = judge(report).kind === 'outage' ? ' — an OUTAGE: nothing that must be blocked was reachable, but these did not answer' : '';
    out.push(paint(ANSI.red + ANSI.bold, `${failed.length} of ${checks} failed: ${failed.map((r) => r.target).join(', ')}${kind}`));
  }
  return `${out.join('\n')}\n`;
}

/** Display width: code points, so ✓/✗ and — count as one column. */
function width(s: string): number {
  return [...s].length;
}
