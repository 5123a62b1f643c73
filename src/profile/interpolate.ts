// ${NAME} in profile values, from the environment hermit runs in.
//   ${NAME}            the value; unset or empty is an error
//   ${NAME:-default}   the default when NAME is unset or empty (it may use ${...} itself)
//   ${NAME:?message}   unset or empty is an error that says `message`
//   $$                 a literal $
// A bare $NAME is an error (it is too easy to mean a shell variable of the container).
import type { KeyPath, Problem } from './problems.js';
import type { Env } from './host-env.js';
import { looksSecret } from './secrets.js';

export interface Expanded {
  value: string;
  problems: string[];
  /** Every variable the text names, used or not. */
  names: string[];
}

export function interpolate(text: string, env: Env): Expanded {
  const names: string[] = [];
  const r = expand(text, 0, false, env, names);
  return { value: r.out, problems: r.problems, names };
}

interface Scan { out: string; pos: number; problems: string[] }

/** Expands from `pos` to the end, or (nested) to the `}` that closes a default. */
function expand(text: string, pos: number, nested: boolean, env: Env, names: string[]): Scan {
  let out = '';
  const problems: string[] = [];
  while (pos < text.length) {
    const c = text[pos]!;
    if (nested && c === '}') return { out, pos, problems };
    if (c !== '$') {
      out += c;
      pos++;
      continue;
    }
    const next = text[pos + 1];
    if (next === '$') {
      out += '$';
      pos += 2;
      continue;
    }
    const bare = /^[A-Za-z_]\w*/.exec(text.slice(pos + 1));
    if (next !== '{') {
      if (bare) problems.push(`write \${${bare[0]}} with braces; hermit expands only \${NAME}, \${NAME:-default} and \${NAME:?message} (use $$ for a literal $)`);
      out += c;
      pos++;
      continue;
    }
    const name = /^[A-Za-z_]\w*/.exec(text.slice(pos + 2))?.[0];
    const after = pos + 2 + (name?.length ?? 0);
    const op = text.startsWith(':-', after) ? ':-' : text.startsWith(':?', after) ? ':?' : text[after] === '}' ? '' : undefined;
    if (name === undefined || op === undefined) {
      const close = text.indexOf('}', pos);
      if (close < 0) return { out: out + text.slice(pos), pos: text.length, problems: [...problems, "has '${' without a closing '}'"] };
      problems.push(`'${text.slice(pos, close + 1)}' is not a variable; hermit expands \${NAME}, \${NAME:-default} and \${NAME:?message}`);
      out += text.slice(pos, close + 1);
      pos = close + 1;
      continue;
    }
    names.push(name);
    const value = env[name];
    const set = value !== undefined && value !== '';
    if (op === '') {
      if (!set) problems.push(`environment variable ${name} is not set; set it, or write \${${name}:-default}`);
      out += set ? value : text.slice(pos, after + 1);
      pos = after + 1;
      continue;
    }
    const inner = expand(text, after + 2, true, env, names);
    if (inner.pos >= text.length) return { out: out + text.slice(pos), pos: text.length, problems: [...problems, "has '${' without a closing '}'"] };
    if (set) out += value;
    else if (op === ':-') {
      out += inner.out;
      problems.push(...inner.problems);
    } else {
      problems.push(`environment variable ${name} is not set: ${inner.out || 'it is required'}`);
      out += text.slice(pos, inner.pos + 1);
    }
    pos = inner.pos + 1;
  }
  return { out, pos, problems };
}

/** Only container.env values travel in docker's environment; everything else can reach its argv. */
const secretSafe = (at: KeyPath) => at.length === 3 && at[0] === 'container' && at[1] === 'env';

/**
 * Expands every string value (not keys) of a parsed profile. A variable whose name looks secret
 * is refused outside container.env: anywhere else its value could end up on docker's command
 * line, where `ps` shows it.
 */
export function interpolateTree(data: unknown, env: Env, problems: Problem[], at: KeyPath = []): unknown {
  // A credential's value is expanded only when the proxy's secret file is written (credentials.ts).
  if (at.length === 3 && at[0] === 'credentials' && at[2] === 'value') return data;
  if (typeof data === 'string') {
    const r = interpolate(data, env);
    const secret = secretSafe(at) ? undefined : r.names.find(looksSecret);
    if (secret) {
      problems.push({
        path: at,
        message: `uses \${${secret}}, which looks like a secret; here its value could reach docker's command line, where ps shows it. Pass it by name with container.passEnv: [${secret}], or as a container.env value`,
      });
    }
    // Whether a refused secret is set does not matter any more.
    for (const message of r.problems) if (!secret || !message.includes(` ${secret} `)) problems.push({ path: at, message });
    return r.value;
  }
  if (Array.isArray(data)) return data.map((v, i) => interpolateTree(v, env, problems, [...at, i]));
  if (data !== null && typeof data === 'object') {
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, interpolateTree(v, env, problems, [...at, k])]));
  }
  return data;
}
