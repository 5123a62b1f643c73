// Who can change the profile: a profile file inside a folder the container mounts writable is one
// the agent can rewrite; hermit then applies it only in an approved version (hermit trust).
import { SRC } from '../gather.js';
import { type CheckDef, NO_PROFILE, ok, skip, warn } from './util.js';

interface Found { files: string[]; otherWriters: string[]; insideWritableMounts: string[] }

export const profileFileChecks: CheckDef[] = [
  {
    id: 'host.profile-writable', area: 'host', title: 'Who can change the profile',
    run({ f, profile, profileArg }) {
      if (!profile) return skip(NO_PROFILE);
      const out = f.out(SRC.profileWriters);
      if (out === undefined) return skip('not gathered (a recording from an older hermit)');
      const found = JSON.parse(out) as Found;
      const trust = `hermit applies it only in a version you approved (sudo hermit trust ${profileArg ?? profile.name}); keep the profile outside what the container mounts, e.g. in ~/.config/hermit/profiles or /etc/hermit/profiles`;
      if (found.insideWritableMounts.length > 0) {
        return warn('the agent can rewrite its own profile: a file of it lies inside a folder the container mounts writable', [...found.insideWritableMounts, ...found.otherWriters], trust);
      }
      if (found.otherWriters.length > 0) return ok('users other than root can change the profile; hermit applies it only in an approved version', found.otherWriters);
      return ok('only root can change the profile, and the container mounts none of its files', found.files);
    },
  },
];
