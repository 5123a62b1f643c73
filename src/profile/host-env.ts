// The environment profiles are read in. hermit usually runs under sudo, where HOME is root's:
// `~`, ${HOME} and the user's profile folder should still mean the person who typed the command.
import { readFileSync } from 'node:fs';

export type Env = NodeJS.ProcessEnv;

/** Home directories by user name, from /etc/passwd; injectable for tests. */
export type HomeOf = (user: string) => string | undefined;

/** Home directories by user name, in /etc/passwd's text (the first line of a name counts). */
export function homesIn(passwd: string): Map<string, string> {
  const homes = new Map<string, string>();
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f[0] && f[5] && !homes.has(f[0])) homes.set(f[0], f[5]);
  }
  return homes;
}

// Read once per process: a run asks for root's home and, under sudo, the invoking user's, while
// loading the profile and again while checking its mounts. Homes do not move while hermit runs.
let homes: Map<string, string> | undefined;

export const passwdHome: HomeOf = (user) => {
  if (!homes) {
    try {
      homes = homesIn(readFileSync('/etc/passwd', 'utf8'));
    } catch {
      homes = new Map(); // No passwd file (a minimal container): nothing to go on.
    }
  }
  return homes.get(user);
};

/** The invoking user's home under sudo (SUDO_USER is set and not root), else undefined. */
export function sudoUserHome(env: Env, homeOf: HomeOf = passwdHome): string | undefined {
  const user = env.SUDO_USER;
  return user && user !== 'root' ? homeOf(user) : undefined;
}

/**
 * The environment `${NAME}` and `~` are expanded in: the process environment, with PWD always
 * hermit's working directory (sudo drops PWD), and under sudo HOME set to the invoking user's home
 * unless it was kept (sudo -E, --preserve-env=HOME) and so already differs from root's.
 */
export function profileEnv(env: Env = process.env, opts: { cwd?: string; homeOf?: HomeOf } = {}): Env {
  const homeOf = opts.homeOf ?? passwdHome;
  const out: Env = { ...env, PWD: opts.cwd ?? process.cwd() };
  const userHome = sudoUserHome(env, homeOf);
  if (userHome && (!env.HOME || env.HOME === (homeOf('root') ?? '/root'))) out.HOME = userHome;
  return out;
}
