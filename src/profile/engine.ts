// The profile key `docker:` → EngineSettings: which image, and the names of the engine's container
// and volumes, which follow from the profile. Pure.
import { join } from 'node:path';
import { BUILTIN_PROFILES_DIR } from '../paths.js';
import { VERSION } from '../version.js';
import type { EngineSettings } from './types.js';

/** The engine's uid (profiles/engine/prepare.sh): its socket is this uid's, mode 0660. */
export const ENGINE_UID = '1000';

/** Tagged with hermit's version: a new hermit (another prepare.sh or seccomp profile) builds its own. */
export const DEFAULT_ENGINE_IMAGE = `localhost/hermit/engine:${VERSION}`;
export const ENGINE_RECIPE_DIR = join(BUILTIN_PROFILES_DIR, 'engine');

/** The settings, or undefined when the profile has no engine (`docker: false` or no key). */
export function engineSettings(raw: boolean | { image?: string } | undefined, profileName: string, containerName: string): EngineSettings | undefined {
  if (raw === undefined || raw === false) return undefined;
  const image = raw === true || raw.image === undefined ? DEFAULT_ENGINE_IMAGE : raw.image;
  return {
    image,
    ...(image === DEFAULT_ENGINE_IMAGE ? { build: { context: ENGINE_RECIPE_DIR, dockerfile: join(ENGINE_RECIPE_DIR, 'Dockerfile') } } : {}),
    container: `${containerName}-docker`,
    dataVolume: `hermit-${profileName}-docker`,
    socketVolume: `hermit-${profileName}-docker-sock`,
  };
}
