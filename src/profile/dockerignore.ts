// .dockerignore as Docker reads it (moby/patternmatcher and its ignorefile): one pattern a line,
// '#' lines are comments, a leading '/' is dropped, '!' re-includes, the last matching pattern
// wins, and a pattern that matches a parent folder matches everything under it. `*` and `?` stay
// within a path segment, `**` spans any number of them. Pure.
import { posix } from 'node:path';

export interface IgnorePattern {
  /** As written after cleaning (without its '!'). */
  text: string;
  /** '!pattern': re-includes what earlier patterns excluded. */
  exception: boolean;
  regex: RegExp;
}

/** Go's filepath.Clean for '/'-separated paths: no '.', no '..' that can be resolved, no trailing '/'. */
function clean(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 ? n.replace(/\/$/, '') : n;
}

export function parseDockerignore(text: string): IgnorePattern[] {
  const out: IgnorePattern[] = [];
  for (const [i, raw] of text.replace(/^\uFEFF/, '').split(/\r?\n/).entries()) {
    if (raw.startsWith('#')) continue;
    let p = raw.trim();
    if (p === '') continue;
    const exception = p.startsWith('!');
    if (exception) p = p.slice(1).trim();
    if (p.length > 0) {
      p = clean(p);
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
    }
    if (exception && p === '') throw new Error(`.dockerignore line ${i + 1}: '!' alone is not a pattern`);
    out.push({ text: p, exception, regex: patternRegex(p) });
  }
  return out;
}

const REGEX_SPECIAL = new Set([...'.+()|{}$^']);

/** The pattern as a regular expression over a whole relative path. */
function patternRegex(pattern: string): RegExp {
  let re = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (inClass) {
      if (ch === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
      else {
        if (ch === ']') inClass = false;
        re += ch;
      }
    } else if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++; // "**/" is "**"
        re += i + 1 >= pattern.length ? '.*' : '(.*/)?';
      } else {
        re += '[^/]*';
      }
    } else if (ch === '?') {
      re += '[^/]';
    } else if (ch === '\\') {
      re += i + 1 < pattern.length ? `\\${pattern[++i]}` : '\\\\';
    } else if (ch === '[') {
      inClass = true;
      re += '[';
      if (pattern[i + 1] === '^') { re += '^'; i++; }
    } else {
      re += REGEX_SPECIAL.has(ch) ? `\\${ch}` : ch;
    }
  }
  try {
    return new RegExp(`^${re}$`, 'u');
  } catch {
    throw new Error(`.dockerignore: '${pattern}' is not a valid pattern`);
  }
}

/** Whether Docker leaves `path` (relative, '/'-separated) out of the context. */
export function isIgnored(patterns: readonly IgnorePattern[], path: string): boolean {
  const parts = path.split('/');
  const parents = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
  let matched = false;
  for (const p of patterns) {
    // An exclusion cannot change an excluded path, nor an exception an included one.
    if (p.exception !== matched) continue;
    if (p.regex.test(path) || parents.some((d) => p.regex.test(d))) matched = !p.exception;
  }
  return matched;
}

/** With exceptions, a folder that is left out may still hold a path that is not. */
export const hasExceptions = (patterns: readonly IgnorePattern[]) => patterns.some((p) => p.exception);
