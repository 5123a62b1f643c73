// Pinned bind sources. Docker keeps a bind source as a path and looks it up again at every start
// (restart policy, daemon restart, reboot), following links; the agent can replace a folder inside
// its workspace by a link to anywhere. So hermit binds each host path of container.mounts itself,
// from a file descriptor it checked, onto a root-only folder of its own, and hands Docker that
// folder: the kernel's bind refers to the folder, not to its path, and nothing the agent writes
// changes what Docker finds there. This module is the pure part: which mounts, which folders,
// what to do with each.
import { join } from 'node:path';
import { splitVolume } from '../docker/args.js';
import type { Profile } from '../profile/types.js';
import { HermitError } from '../errors.js';

/** One host path of the profile, and where hermit binds it. */
export interface PinnedMount {
  /** The profile key, for messages: container.mounts[1]. */
  key: string;
  index: number;
  /** The host path as approved (absolute). */
  source: string;
  /** Hermit's folder (or file) the source is bound onto; Docker mounts this path. */
  target: string;
  /** Where the container sees it. */
  container: string;
}

/** Where a profile's pinned binds live: a dot folder, so no one takes it for a profile's records. */
export const bindsDir = (stateDir: string, profile: string) => join(stateDir, '.binds', profile);

/** The profile's bind mounts with a host path (volume names and anonymous volumes are Docker's own). */
export function pinnedMounts(profile: Profile, stateDir: string): PinnedMount[] {
  return profile.container.mounts.flatMap((spec, index) => {
    const v = splitVolume(spec);
    if (!v?.host?.startsWith('/')) return [];
    return [{ key: `container.mounts[${index}]`, index, source: v.host, target: join(bindsDir(stateDir, profile.name), String(index)), container: v.container }];
  });
}

/** container.mounts as Docker gets them: each host path replaced by its pinned folder. */
export function dockerMounts(profile: Profile, stateDir: string): string[] {
  const pins = new Map(pinnedMounts(profile, stateDir).map((p) => [p.index, p]));
  return profile.container.mounts.map((spec, i) => {
    const pin = pins.get(i);
    const options = splitVolume(spec)?.options;
    return pin ? [pin.target, pin.container, ...(options === undefined ? [] : [options])].join(':') : spec;
  });
}

/** What was found for one pinned mount: the checked source and what the target shows now. */
export interface BindFact {
  target: string;
  /** dev:ino of the source, opened without following links; undefined when it does not exist yet. */
  source?: string;
  /** dev:ino of what the target path shows now (the source, when its bind is in place). */
  mounted?: string;
  /** Something is mounted at the target. */
  bound: boolean;
  /** The source cannot be bound as it is (a link on the way, say): what to tell the user. */
  refused?: { message: string; hint: string };
}

export type BindAction =
  | { kind: 'keep'; pin: PinnedMount; reason: string }
  /** (Re)bind the source at the target; `create`: the source folder does not exist, make it as Docker would. */
  | { kind: 'bind'; pin: PinnedMount; create: boolean; reason: string }
  /** A bind of a mount the profile no longer has. */
  | { kind: 'unbind'; target: string; reason: string };

export const inPlace = (f: BindFact | undefined) => !!f?.source && f.mounted === f.source;

/** Each pinned mount: kept when its bind is in place with the source found now, else bound (again);
 * a bind of the profile's that no mount names any more is removed. */
export function planBinds(pins: PinnedMount[], facts: BindFact[]): BindAction[] {
  const gone = facts.filter((f) => !pins.some((p) => p.target === f.target))
    .map((f): BindAction => ({ kind: 'unbind', target: f.target, reason: `remove ${f.target} (no mount of the profile uses it now)` }));
  return [...gone, ...pins.map((pin): BindAction => {
    const f = facts.find((x) => x.target === pin.target);
    if (f?.refused) throw new HermitError('usage', f.refused.message, f.refused.hint, ['container', 'mounts', pin.index]);
    if (inPlace(f)) return { kind: 'keep', pin, reason: `${pin.source} bound at ${pin.target}` };
    if (!f?.source) return { kind: 'bind', pin, create: true, reason: `create ${pin.source} (as Docker would) and bind it at ${pin.target}` };
    return { kind: 'bind', pin, create: false, reason: f.bound ? `bind ${pin.source} again at ${pin.target} (it is another folder now)` : `bind ${pin.source} at ${pin.target}` };
  })];
}

/** Why an existing container must be recreated: it was started with binds that are not the ones in place now. */
export function rebindReason(actions: BindAction[]): string | undefined {
  const changed = actions.flatMap((a) => (a.kind === 'bind' ? [a.pin.source] : []));
  return changed.length > 0 ? `mount source${changed.length > 1 ? 's' : ''} ${changed.join(', ')} (re)bound: recreate container` : undefined;
}
