// What every check is made of. A check is a pure function of the gathered facts (and the profile).
import type { Profile } from '../../profile/types.js';
import type { Facts } from '../snapshot-views.js';
import type { Area, Check } from '../types.js';

export interface Ctx {
  f: Facts;
  profile?: Profile;
  /** The profile as the user named it, for fixes that say "hermit run <it>". */
  profileArg?: string;
  /** "Recent" in the changes checks: since this instant. */
  since: Date;
}

export type Body = Omit<Check, 'id' | 'area' | 'title'>;

export interface CheckDef {
  id: string;
  area: Area;
  title: string;
  run(ctx: Ctx): Body;
  /** Checks of something only some profiles have (`docker:`, credentials): left out of the report, not skipped, for the others. */
  applies?(ctx: Ctx): boolean;
}

export const ok = (summary: string, evidence: string[] = []): Body => ({ status: 'ok', summary, evidence });
export const warn = (summary: string, evidence: string[], fix: string): Body => ({ status: 'warn', summary, evidence, fix });
export const fail = (summary: string, evidence: string[], fix: string): Body => ({ status: 'fail', summary, evidence, fix });
export const skip = (reason: string, evidence: string[] = []): Body => ({ status: 'skipped', summary: reason, evidence });

export const NO_PROFILE = 'no profile given (hermit doctor <profile>)';
export const hermitRun = (ctx: Ctx) => `hermit run ${ctx.profileArg ?? ctx.profile?.name ?? '<profile>'}`;
export { isHermitJump } from '../../firewall/iptables.js';
export const hasDockerChains = (save: string) => /^:DOCKER(-USER|-FORWARD)? /m.test(save);
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
