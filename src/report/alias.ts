// The shell function `hermit alias` prints: start (or keep) the profile's container, prove it,
// then open a shell or run the given command in it. Pure.

export type Shell = 'bash' | 'zsh' | 'fish';
export const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish'];

export interface AliasSpec {
  /** Function name, e.g. claude-box. */
  name: string;
  /** The hermit executable, absolute so sudo's secure_path does not matter. */
  hermit: string;
  /** Profile as the function passes it: a name, or an absolute path. */
  profile: string;
  /** Prefix with sudo, keeping these variables (passEnv and ${VARS} the profile reads); null: no sudo. */
  sudoEnv: string[] | null;
}

/** One word as bash, zsh and fish all read it back. */
const shellQuote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/** claude-agent → claude-box; anything else → <name>-box. */
export const defaultAliasName = (profile: string) => `${profile.replace(/-agent$/, '')}-box`;

export function aliasLine(shell: Shell, s: AliasSpec): string {
  // Both load the profile, which may read the variables.
  const sudo = s.sudoEnv === null ? [] : ['sudo', ...(s.sudoEnv.length > 0 ? [`--preserve-env=${s.sudoEnv.join(',')}`] : [])];
  const hermit = (...args: string[]) => [...sudo, s.hermit, ...args].map(shellQuote).join(' ');
  const run = hermit('run', s.profile);
  const attach = hermit('shell', s.profile, '--');
  if (shell === 'fish') {
    return `function ${s.name} --description 'hermit: start ${s.profile} isolated, then attach'; ${run}; and ${attach} $argv; end`;
  }
  return `${s.name}() { ${run} && ${attach} "$@"; }`;
}

/** Variables a profile file interpolates (${NAME} or ${NAME:-default}), so sudo keeps them. */
export function interpolatedNames(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))].sort();
}
