// The status flow: inventory + host addresses + recorded probes → ProfileStatus per profile.
import { gatherInventory, hostAddresses, imageId } from '../host/read.js';
import { HermitError } from '../errors.js';
import { type ProfileStatus, knownProfiles, profileStatus } from '../plan/profile-status.js';
import type { LoadedProfile } from '../profile/types.js';
import { renderStatus } from '../report/status-text.js';
import { lastProbe, lastVerified, recordedProfiles } from '../state/store.js';
import { enforcedVersion } from '../profile/approval.js';
import { loadChecked, requireRoot } from './common.js';
import { printJson, readTarget } from './lifecycle.js';

/** The profile a probe record names, if its file still loads as that profile. */
function recordedProfile(name: string, file: string | undefined): LoadedProfile | undefined {
  if (!file) return undefined;
  try {
    const loaded = loadChecked(file);
    return loaded.profile.name === name ? loaded : undefined;
  } catch (err) {
    if (err instanceof HermitError) return undefined;
    throw err;
  }
}

export async function status(arg: string | undefined, opts: { json: boolean }): Promise<void> {
  // As on disk: status says when that version is not the approved one, and shows the approved one.
  const target = arg === undefined ? undefined : readTarget(arg);
  const given = target?.loaded;
  requireRoot('status', 'it reads the firewall rules');
  const [inv, addresses, recorded] = await Promise.all([gatherInventory(), hostAddresses(), recordedProfiles()]);
  const names = target ? [target.name] : knownProfiles(inv, recorded);
  const hostAddrs = addresses.map((a) => a.address);

  const statuses: ProfileStatus[] = await Promise.all(names.map(async (name) => {
    const [probe, verified] = await Promise.all([lastProbe(name), lastVerified(name)]);
    const onDisk = given ?? recordedProfile(name, probe?.file);
    // A profile changed on disk and not approved is not what hermit enforces: compare with the approved one.
    const enforced = onDisk && await enforcedVersion(onDisk);
    const check = enforced?.check;
    const unapproved = check?.state === 'unapproved';
    const loaded = enforced?.loaded;
    const image = loaded ? await imageId(loaded.profile.image) : undefined;
    return profileStatus(name, inv, {
      ...(loaded ? { profile: loaded.profile, file: loaded.file } : {}),
      hostAddresses: hostAddrs,
      ...(image ? { imageId: image } : {}),
      ...(probe ? { probe } : {}),
      ...(verified ? { verified } : {}),
      ...(unapproved ? { unapproved: { approvedAt: check!.record?.at, changes: check!.changes.map((c) => `${c.op} ${c.key}: ${c.text} [${c.direction}]`) } } : {}),
    });
  }));

  if (opts.json) {
    printJson(target ? statuses[0] : statuses);
    return;
  }
  process.stdout.write(statuses.length === 0 ? 'No hermit profiles on this host.\n' : `${statuses.map(renderStatus).join('\n\n')}\n`);
}
