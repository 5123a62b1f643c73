// The probe's check that the agent holds no key (credentials:): its main process's environment,
// read from the host, against each credential's value. Pure; the row never holds a value.
import { type CredentialValue, keyHolder } from '../plan/credentials.js';
import type { Credential } from '../profile/types.js';
import type { ProbeRow } from './types.js';

const base = {
  id: 'held-keys', kind: 'env' as const, target: "credentials' values in the agent's environment",
  reason: 'the proxy adds the keys; the agent holds none', expected: 'no key' as const,
};

/**
 * One row: ok when no variable holds any word of any value. A value found is a breach (the key is
 * in the cage); an environment or a value that cannot be read proves nothing, which fails closed too.
 */
export function heldKeysRow(env: { vars: Record<string, string> } | { problem: string }, values: readonly CredentialValue[], creds: readonly Credential[]): ProbeRow {
  const fail = (observed: string): ProbeRow => ({ ...base, observed, ok: false, failure: 'breach' });
  if ('problem' in env) return fail(`not checked: the environment could not be read (${env.problem})`);
  const { vars } = env;
  const held = values.flatMap((r, i) => {
    const name = 'value' in r ? keyHolder(vars, r.value) : undefined;
    return name === undefined ? [] : [`credentials[${i}] (${creds[i]!.host}) in ${name}`];
  });
  if (held.length > 0) return fail(`key held: ${held.join(', ')}`);
  const unread = values.flatMap((r, i) => ('problem' in r ? [`credentials[${i}] (${creds[i]!.host}): ${r.problem}`] : []));
  if (unread.length > 0) return fail(`not checked: a value could not be read here (${unread.join('; ')})`);
  const n = Object.keys(vars).length;
  return { ...base, observed: `none of ${values.length} value${values.length === 1 ? '' : 's'} in ${n} variable${n === 1 ? '' : 's'}`, ok: true };
}
