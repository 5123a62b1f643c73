// What hermit shows before a profile is approved: why approval is needed, what changed since the
// approved version (widenings marked), and everything the version grants. Pure. Every value comes
// from a file the agent may have written, so control characters are shown, never sent.
import type { ApprovalCheck } from '../profile/approval.js';
import { type Change, grants } from '../profile/trust.js';
import type { LoadedProfile } from '../profile/types.js';
import { printableLine } from './printable.js';

export { printable, printableLine } from './printable.js';

const MARK: Record<Change['direction'], string> = { widens: 'WIDENS', narrows: 'narrows', changes: 'changes' };

export function renderChanges(changes: readonly Change[]): string[] {
  return changes.map((c) => `    ${c.op} ${printableLine(c.key)}: ${printableLine(c.text)}   [${MARK[c.direction]}]`);
}

export function renderGrants(form: ApprovalCheck['form']): string[] {
  const rows = grants(form);
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.flatMap(([label, values]) => values.map((v, i) => `    ${(i === 0 ? label : '').padEnd(width)}  ${printableLine(v)}`));
}

export function renderApproval(loaded: LoadedProfile, check: ApprovalCheck): string {
  const name = printableLine(loaded.profile.name);
  const files = check.files.map(printableLine);
  const out = [`profile '${name}' from ${files[0]}${files.length > 1 ? ` (extends ${files.slice(1).join(' → ')})` : ''} is not approved.`];
  out.push('  It needs approval because someone other than root can change it (the agent, if it can write there):');
  out.push(...check.writers.map((w) => `    ${printableLine(w)}`));
  const r = check.record;
  if (r) {
    const widening = check.changes.filter((c) => c.direction !== 'narrows').length;
    out.push(`  Changes since the version approved ${r.at} (by ${r.by})${widening > 0 ? `, ${widening} of them widening or changing what the agent gets` : ''}:`);
    out.push(...renderChanges(check.changes));
  } else {
    out.push('  No version of this profile was approved before.');
  }
  out.push('  What this version grants the agent:', ...renderGrants(check.form));
  out.push(`  This version's fingerprint: ${check.fingerprint}`);
  return out.join('\n');
}
