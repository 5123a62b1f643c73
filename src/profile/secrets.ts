// What counts as a secret, and the profile with secrets taken out, for anything hermit prints.
import type { Env } from './host-env.js';
import type { Profile } from './types.js';

export const REDACTED = '<redacted>';

/** Names that look like they hold a secret. Matching too much only hides a harmless value. */
export function looksSecret(name: string): boolean {
  return /KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE|COOKIE|SESSION/i.test(name);
}

/**
 * A copy of the profile safe to print: container.env values whose names look secret, or that hold
 * the value of a secret-looking variable of `env` (NAME: ${ANTHROPIC_API_KEY}), become <redacted>.
 * passEnv and envFile are names and paths only, so they stay.
 */
export function redactProfile(profile: Profile, env: Env = {}): Profile {
  const secretValues = Object.entries(env)
    .filter(([k, v]) => looksSecret(k) && v !== undefined && v.length >= 6)
    .map(([, v]) => v!);
  const hidden = (name: string, value: string) => looksSecret(name) || secretValues.some((s) => value.includes(s));
  const env2 = Object.fromEntries(Object.entries(profile.container.env).map(([k, v]) => [k, hidden(k, v) ? REDACTED : v]));
  return { ...profile, container: { ...profile.container, env: env2 } };
}
