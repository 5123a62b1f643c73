// What hermit shows before build inputs are approved: the Dockerfile as a unified diff against the
// approved one (or whole, the first time) and the context files added, removed and changed. Pure.
// Everything shown came from files the agent may have written: each value is one printable line.
import type { BuildInputs } from '../profile/build-inputs.js';
import { compareEntries } from '../profile/build-inputs.js';
import type { BuildApprovalRecord } from '../state/store.js';
import { printableLine } from './printable.js';

const CONTEXT = 3;
const MAX_CELLS = 4_000_000;

/** A unified diff of two texts, line by line (hunks with three lines of context); empty when equal. Lines as they are: escape them to show them. */
export function unifiedDiff(before: string, after: string, labels: [string, string]): string[] {
  const a = lines(before);
  const b = lines(after);
  if (a.join('\n') === b.join('\n')) return [];
  const ops = editScript(a, b);
  const out = [`--- ${labels[0]}`, `+++ ${labels[1]}`];
  // Hunks: runs of changes with up to CONTEXT equal lines around them, joined when close.
  const changed = ops.map((o, i) => (o.op !== ' ' ? i : -1)).filter((i) => i >= 0);
  let start = 0;
  while (start < changed.length) {
    let end = start;
    while (end + 1 < changed.length && changed[end + 1]! - changed[end]! <= 2 * CONTEXT) end++;
    const from = Math.max(0, changed[start]! - CONTEXT);
    const to = Math.min(ops.length - 1, changed[end]! + CONTEXT);
    const hunk = ops.slice(from, to + 1);
    const aStart = ops.slice(0, from).filter((o) => o.op !== '+').length;
    const bStart = ops.slice(0, from).filter((o) => o.op !== '-').length;
    const aLen = hunk.filter((o) => o.op !== '+').length;
    const bLen = hunk.filter((o) => o.op !== '-').length;
    out.push(`@@ -${aLen === 0 ? aStart : aStart + 1},${aLen} +${bLen === 0 ? bStart : bStart + 1},${bLen} @@`);
    out.push(...hunk.map((o) => `${o.op}${o.line}`));
    start = end + 1;
  }
  return out;
}

const lines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));

interface Op { op: ' ' | '-' | '+'; line: string }

/** The shortest edit from a to b by longest common subsequence (all removed then all added when too large). */
function editScript(a: string[], b: string[]): Op[] {
  if (a.length * b.length > MAX_CELLS) return [...a.map((line) => ({ op: '-' as const, line })), ...b.map((line) => ({ op: '+' as const, line }))];
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) { ops.push({ op: ' ', line: a[i]! }); i++; j++; }
    else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) ops.push({ op: '+', line: b[j++]! });
    else ops.push({ op: '-', line: a[i++]! });
  }
  return ops;
}

const MAX_LISTED = 50;

/** One line per path, at most MAX_LISTED of them. */
function listed(mark: string, paths: string[]): string[] {
  const shown = paths.slice(0, MAX_LISTED).map((p) => `      ${mark} ${printableLine(p)}`);
  return paths.length > MAX_LISTED ? [...shown, `      (and ${paths.length - MAX_LISTED} more)`] : shown;
}

/** The build inputs against the approved ones (or on their own the first time), indented for a summary. */
export function renderBuildChanges(inputs: BuildInputs, record: BuildApprovalRecord | undefined): string[] {
  const out: string[] = [];
  const diff = unifiedDiff(record?.dockerfile.text ?? '', inputs.dockerfile.text,
    [record ? `${record.dockerfile.file} (approved ${record.at})` : '(nothing approved)', `${inputs.dockerfile.file} (now)`]);
  if (diff.length > 0) out.push(`  The Dockerfile${record ? ', changes since the approved version' : ''}:`, ...diff.map((l) => `    ${printableLine(l)}`));
  else out.push(`  The Dockerfile ${printableLine(inputs.dockerfile.file)} is the approved one.`);
  const c = compareEntries(record?.files ?? {}, inputs.entries);
  const count = c.added.length + c.removed.length + c.changed.length;
  if (count === 0) out.push(`  The context ${printableLine(inputs.build.context)} (${inputs.entries.length} entries) is the approved one.`);
  else {
    out.push(`  The context ${printableLine(inputs.build.context)}${record ? `: ${c.added.length} added, ${c.removed.length} removed, ${c.changed.length} changed since the approved version` : `: ${inputs.entries.length} entries`}:`);
    out.push(...listed('+', c.added), ...listed('-', c.removed), ...listed('~', c.changed));
  }
  return out;
}

/** The refusal (or question) before a build with inputs that are not approved. */
export function renderBuildApproval(profile: string, inputs: BuildInputs, record: BuildApprovalRecord | undefined): string {
  const out = [`the build inputs of profile '${printableLine(profile)}' (the Dockerfile and the context ${printableLine(inputs.build.context)}) are not approved.`];
  out.push('  A build runs the Dockerfile\'s steps and bakes the context into the image the agent runs; someone other than root can change them:');
  out.push(...inputs.writers.map((w) => `    ${printableLine(w)}`));
  out.push(...renderBuildChanges(inputs, record));
  out.push(`  Build inputs digest: ${inputs.digest}`);
  return out.join('\n');
}

/** The lines `hermit trust` prints about the build inputs it records. */
export function renderBuildTrust(inputs: BuildInputs, record: BuildApprovalRecord | undefined): string[] {
  const head = `  Build inputs: Dockerfile ${inputs.dockerfile.digest.slice(0, 19)}, ${inputs.entries.filter((e) => e.type !== 'dir').length} files (digest ${inputs.digest.slice(0, 19)})`;
  if (record?.digest === inputs.digest) return [`${head}, the approved ones.`];
  return [`${head}:`, ...renderBuildChanges(inputs, record)];
}
