// Every check, in report order within its area. Pure: a Snapshot (and the profile) in, Checks out.
import type { Profile } from '../../profile/types.js';
import { Facts } from '../snapshot-views.js';
import type { Check, Snapshot } from '../types.js';
import { changesChecks } from './changes.js';
import { connectivityChecks } from './connectivity.js';
import { credentialChecks } from './credentials.js';
import { engineChecks } from './engine.js';
import { hostChecks } from './host.js';
import { networkChecks } from './network.js';
import { profileFileChecks } from './profile-files.js';
import { proxyChecks } from './proxy.js';
import type { CheckDef } from './util.js';

export const CHECKS: CheckDef[] = [...hostChecks, ...engineChecks, ...profileFileChecks, ...networkChecks, ...connectivityChecks, ...proxyChecks, ...credentialChecks, ...changesChecks];

export function runChecks(snap: Snapshot, opts: { profile?: Profile; profileArg?: string; since: Date }): Check[] {
  const ctx = { f: new Facts(snap), ...opts };
  return CHECKS.filter((def) => def.applies?.(ctx) ?? true).map((def) => {
    try {
      return { id: def.id, area: def.area, title: def.title, ...def.run(ctx) };
    } catch (err) {
      // A recording from an odd host must not take the whole report down with it.
      return { id: def.id, area: def.area, title: def.title, status: 'skipped', summary: `this check could not evaluate (a bug, please report it): ${(err as Error).message}`, evidence: [] };
    }
  });
}
