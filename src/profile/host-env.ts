// The environment profiles are read in. hermit usually runs under sudo, where HOME is root's:
// `~`, ${HOME} and the user's profile folder should still mean the person who typed the command.
import { readFileSync } from 'node:fs';

export type Env = NodeJS.ProcessEnv;

/** Home directories by user name, from /etc/passwd; injectable for tests. */
export type HomeOf = (user: string) => string | undefined;

export const passwdHome: HomeOf = (user) => {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === user && f[5]) return f[5];
    }
  } catch {
    // No passwd file (a minimal container): nothing to go on.
  }
  return undefined;
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
