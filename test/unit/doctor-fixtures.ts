// Recorded doctor evidence (hermit doctor --evidence, from real hosts: this machine without a
// Docker engine, and the e2e world healthy and broken on purpose) and ways to craft variants.
// docker info's registry fields (IndexServerAddress, RegistryConfig) and os-release's URL lines are
// cut from the recordings: hermit reads none of them, and the repository names no registry's host.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runChecks } from '../../src/doctor/checks/index.js';
import type { Check, Snapshot, Source, Vantage } from '../../src/doctor/types.js';
import { loadProfile } from '../../src/profile/load.js';
import type { Profile } from '../../src/profile/types.js';

const DIR = new URL('../fixtures/doctor/', import.meta.url);

export function evidence(name: string): Snapshot {
  return JSON.parse(readFileSync(new URL(`${name}.evidence.json`, DIR), 'utf8')) as Snapshot;
}

/** The profile the e2e recordings were made with. */
export function docProfile(name = 'doc-ok'): Profile {
  return loadProfile(fileURLToPath(new URL(`${name}.yaml`, DIR))).profile;
}

/** A copy with some sources replaced (undefined removes one) and vantage points changed. */
export function variant(snap: Snapshot, sources: Record<string, Partial<Source> | undefined>, vantages?: (v: Vantage) => Vantage): Snapshot {
  const copy = structuredClone(snap);
  for (const [key, patch] of Object.entries(sources)) {
    if (patch === undefined) delete copy.sources[key];
    else copy.sources[key] = { what: key, stdout: '', ...copy.sources[key], ...patch };
  }
  if (vantages) copy.vantages = copy.vantages.map(vantages);
  return copy;
}

/** The checks of a snapshot, by id. The recordings are from 2026-11-23: "recent" means the week before. */
export function checks(snap: Snapshot, profile?: Profile, profileArg?: string): Record<string, Check> {
  const since = new Date(Date.parse(snap.takenAt) - 7 * 86_400_000);
  return Object.fromEntries(runChecks(snap, { ...(profile ? { profile } : {}), ...(profileArg ? { profileArg } : {}), since }).map((c) => [c.id, c]));
}

/** Replaces a text inside one source's stdout. */
export const edit = (snap: Snapshot, key: string, from: string | RegExp, to: string): Snapshot =>
  variant(snap, { [key]: { stdout: snap.sources[key]!.stdout.replace(from, to) } });
