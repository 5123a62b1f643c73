// The problem vocabulary shared by the loader and the checks: a problem at a key path, and its
// "file:line:col: key.path: problem" form.
import { HermitError } from '../errors.js';
import type { SourcePosition } from './types.js';

export type KeyPath = (string | number)[];

/** One thing wrong with a profile, at a key. `at: 'key'` points at the key itself, not its value. */
export interface Problem {
  path: KeyPath;
  message: string;
  at?: 'key';
}

export const SCHEMA_HINT = 'See schema/profile.schema.json for every key, its default and what it accepts.';

/** "file:line:col: key.path: problem" lines, in file order. */
export function formatProblems(
  file: string,
  problems: readonly Problem[],
  locate: (path: KeyPath, at?: 'key') => SourcePosition | undefined,
): string {
  const located = problems.map((p) => ({ p, pos: locate(p.path, p.at) }));
  // The profile's own file first, then each file it extends (a value inherited through extends).
  const files = [file, ...new Set(located.map((l) => l.pos?.file ?? file))];
  const order = (pos: SourcePosition | undefined) => files.indexOf(pos?.file ?? file);
  located.sort((a, b) => order(a.pos) - order(b.pos) || (a.pos?.line ?? 0) - (b.pos?.line ?? 0) || (a.pos?.col ?? 0) - (b.pos?.col ?? 0));
  return located
    .map(({ p, pos }) => {
      const where = fileLineCol(pos?.file ?? file, pos);
      const key = formatKeyPath(p.path);
      return `${where}: ${key ? `${key}: ` : ''}${p.message}`;
    })
    .join('\n');
}

export function problemsError(file: string, problems: readonly Problem[], locate: Parameters<typeof formatProblems>[2]): HermitError {
  return new HermitError('usage', formatProblems(file, problems, locate), SCHEMA_HINT);
}

/** "file:line:col", or the file alone when the position is unknown. */
export const fileLineCol = (file: string, pos: { line: number; col: number } | undefined): string =>
  pos ? `${file}:${pos.line}:${pos.col}` : file;

/** A key path as the profile writes it: egress.allow[0].to. */
export function formatKeyPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
