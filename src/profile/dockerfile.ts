// What hermit reads in a Dockerfile: its instructions as the builder joins them (line
// continuations, comments, the escape directive), to refuse `ADD <url>`: dockerd fetches a remote
// source itself, from the host's own network, outside every rule of the cage. Pure.
import { HermitError } from '../errors.js';

export interface Instruction {
  /** Upper case: RUN, ADD, ... (for `ONBUILD ADD ...`, ADD). */
  keyword: string;
  /** The rest of the instruction, its lines joined. */
  rest: string;
  /** 1-based line where it starts. */
  line: number;
}

/** The instructions, continuation lines joined; comments and blank lines dropped. */
export function instructions(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  // Parser directives: only at the very top, before any comment, blank line or instruction.
  for (const l of lines) {
    const d = /^#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(l);
    if (!d) break;
    if (d[1]!.toLowerCase() === 'escape' && (d[2] === '`' || d[2] === '\\')) escape = d[2];
  }
  const out: Instruction[] = [];
  let current: { text: string; line: number } | undefined;
  lines.forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (current && trimmed === '')) return;
    if (!current && trimmed === '') return;
    const body = raw.trimEnd();
    const continues = body.endsWith(escape);
    const piece = continues ? body.slice(0, -1) : body;
    current = current ? { ...current, text: `${current.text} ${piece.trim()}` } : { text: piece.trim(), line: i + 1 };
    if (continues) return;
    out.push(split(current.text, current.line));
    current = undefined;
  });
  if (current) out.push(split(current.text, current.line));
  return out;
}

function split(text: string, line: number): Instruction {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(text)!;
  const keyword = m[1]!.toUpperCase();
  if (keyword === 'ONBUILD') return { ...split(m[2]!, line), line };
  return { keyword, rest: m[2]!, line };
}

/** ADD's sources (flags such as --chmod= dropped; the JSON form read as JSON). */
export function addSources(rest: string): string[] {
  let args = rest.trim();
  while (/^--\S+/.test(args)) args = args.replace(/^--\S+\s*/, '');
  let words: string[] | undefined;
  if (args.startsWith('[')) {
    try {
      const parsed = JSON.parse(args) as unknown;
      if (Array.isArray(parsed) && parsed.every((w) => typeof w === 'string')) words = parsed;
    } catch {
      // Not JSON: the builder reads it as words, and so does this.
    }
  }
  words ??= args.split(/\s+/).filter(Boolean);
  return words.length > 1 ? words.slice(0, -1) : words;
}

/** A source the builder fetches rather than takes from the context: a URL, a git remote, or a variable hermit cannot see the value of. */
export function remoteSource(source: string): string | undefined {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(source)) return 'a URL';
  if (/^git@/.test(source) || /^github\.com\//.test(source)) return 'a git remote';
  if (/\$/.test(source)) return 'a variable (its value could be a URL)';
  return undefined;
}

/** Refuses a Dockerfile with `ADD` of a remote source, naming file:line. */
export function checkDockerfile(text: string, file: string): void {
  for (const ins of instructions(text)) {
    if (ins.keyword !== 'ADD') continue;
    for (const source of addSources(ins.rest)) {
      const what = remoteSource(source);
      if (!what) continue;
      throw new HermitError('usage',
        `${file}:${ins.line}: ADD ${source.length > 80 ? `${source.slice(0, 80)}…` : source}: the source is ${what}, which dockerd would fetch from the host's own network, outside the cage`,
        'Fetch it in a RUN step (RUN curl ... or wget ...), which runs behind the profile\'s rules, or put the file into the build context and COPY it');
    }
  }
}
