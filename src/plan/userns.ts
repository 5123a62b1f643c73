// Whether this host lets an unprivileged user make a user namespace: the engine of `docker:`
// (rootlesskit, as uid 1000) cannot start without one. Pure: the sysctl files' contents in, the
// refusal (or nothing) out. `hermit run` and `hermit doctor` decide with the same function.
import { HermitError } from '../errors.js';

/** The sysctl files read (src/host/userns.ts), by what they mean. A file the kernel lacks reads as undefined. */
export const USERNS_FILES = {
  maxUserNamespaces: '/proc/sys/user/max_user_namespaces',
  /** Debian's and older Ubuntu kernels' switch; absent on mainline kernels. */
  unprivilegedClone: '/proc/sys/kernel/unprivileged_userns_clone',
  /** Ubuntu 23.10+: 1 lets only AppArmor-profiled programs make a user namespace. */
  apparmorRestrict: '/proc/sys/kernel/apparmor_restrict_unprivileged_userns',
  /** Y or N: the restriction above is AppArmor's, and holds only while AppArmor is enabled. */
  apparmorEnabled: '/sys/module/apparmor/parameters/enabled',
} as const;

export type UsernsFacts = { [K in keyof typeof USERNS_FILES]?: string };

export interface UsernsProblem {
  sysctl: string;
  value: string;
  /** Why this value stops the engine. */
  why: string;
  /** The command that turns it on (and how to keep it across reboots). */
  fix: string;
}

const sysctlOf = (path: string) => path.replace('/proc/sys/', '').replaceAll('/', '.');
const fixFor = (sysctl: string, value: string) =>
  `sysctl -w ${sysctl}=${value} (to keep it across reboots: echo '${sysctl}=${value}' > /etc/sysctl.d/60-hermit-userns.conf)`;

/** What stops an unprivileged user namespace here, or undefined when nothing does (as far as these files tell). */
export function usernsProblem(f: UsernsFacts): UsernsProblem | undefined {
  const max = f.maxUserNamespaces?.trim();
  if (max !== undefined && !(Number(max) > 0)) {
    const sysctl = sysctlOf(USERNS_FILES.maxUserNamespaces);
    return { sysctl, value: max, why: 'no user namespace may be made at all', fix: fixFor(sysctl, '15000') };
  }
  const clone = f.unprivilegedClone?.trim();
  if (clone !== undefined && clone !== '1') {
    const sysctl = sysctlOf(USERNS_FILES.unprivilegedClone);
    return { sysctl, value: clone, why: 'only root may make a user namespace', fix: fixFor(sysctl, '1') };
  }
  const restrict = f.apparmorRestrict?.trim();
  if (restrict === '1' && f.apparmorEnabled?.trim() !== 'N') {
    const sysctl = sysctlOf(USERNS_FILES.apparmorRestrict);
    return { sysctl, value: restrict, why: 'AppArmor lets only programs with a profile allowing "userns" make a user namespace, and the engine\'s rootlesskit has none', fix: fixFor(sysctl, '0') };
  }
  return undefined;
}

/** `hermit run` of a profile with `docker:`: refuse (exit 3, nothing changed) where the engine cannot start. */
export function refuseWithoutUserns(f: UsernsFacts): void {
  const p = usernsProblem(f);
  if (!p) return;
  throw new HermitError('host', `the docker: engine needs unprivileged user namespaces, and this host has them off: ${p.sysctl} = ${p.value} (${p.why}); nothing was changed`,
    `Turn them on: ${p.fix}; or remove docker: from the profile`);
}
