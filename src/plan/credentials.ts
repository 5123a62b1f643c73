// Credentials as a pure plan: Squid as a reverse proxy (accelerator) per credential, a TLS
// cache_peer to the real host that verifies its certificate, the agent's header taken out and the
// real one put in. The real value goes only into a second file, readable by the proxy's user alone,
// which squid.conf includes: squid.conf, --dry-run and the logs never hold it.
import { join } from 'node:path';
import { HermitError } from '../errors.js';
import type { Credential, ProxyContainer } from '../profile/types.js';

/** credentials.conf lives apart from hermit's state: in a root-only folder on a tmpfs (never on
 * disk, gone at reboot, when `hermit run` writes it again), mounted read-only into the proxy. */
export const CREDENTIALS_FILE = 'credentials.conf';
export const SECRET_DIR_IN_PROXY = '/run/hermit-secret';
export const runDir = (env: NodeJS.ProcessEnv = process.env) => env.HERMIT_RUN_DIR ?? '/run/hermit';
/** Where a profile's proxy secrets are on the host. */
export const secretDir = (profile: string, env: NodeJS.ProcessEnv = process.env) => join(runDir(env), profile, 'proxy');
/** egress.caFile's copy, beside squid.conf. */
export const CA_FILE = 'ca.pem';

/** The agent reaches credential i at the proxy's address on this port (the forward proxy keeps proxy.port). */
export const credentialPort = (proxy: Pick<ProxyContainer, 'port'>, i: number) => proxy.port + 1 + i;

/** What the agent gets: each credential's base URL, plain HTTP to the proxy on its own network. */
export function credentialEnv(proxy: ProxyContainer): Record<string, string> {
  return Object.fromEntries((proxy.credentials ?? []).map((c, i) => [c.baseUrlEnv, `http://${proxy.address}:${credentialPort(proxy, i)}`]));
}

/** What the probe connects to from inside the agent: each base URL's port at the proxy. */
export function credentialTargets(proxy: ProxyContainer | undefined): { host: string; port: number; target: string; reason: string }[] {
  return (proxy?.credentials ?? []).map((c, i) => ({
    host: proxy!.address, port: credentialPort(proxy!, i),
    target: `${c.baseUrlEnv} ${proxy!.address}:${credentialPort(proxy!, i)}`, reason: `the proxy's port that adds the ${c.host} credential`,
  }));
}

const port = (i: number) => `hermit_cred_${i}`;
const peer = (i: number) => `hermit_peer_${i}`;

/**
 * squid.conf's part: `listen` (ports, ACLs, peers; anywhere after the agent's ACL) and `access`
 * (the http_access line that lets the agent use them, before the allowlist's denials: a request
 * on a credential's port goes to its peer and nowhere else, whatever URL or Host it names).
 */
export function credentialSquidLines(proxy: ProxyContainer, confDir: string): { listen: string[]; access: string[] } {
  const creds = proxy.credentials ?? [];
  if (creds.length === 0) return { listen: [], access: [] };
  const ca = proxy.caFile ? ` tls-cafile=${confDir}/${CA_FILE}` : '';
  const listen = creds.flatMap((c, i) => [
    `# ${c.baseUrlEnv}: ${c.header} to ${c.host}:${c.port}, over TLS with its certificate verified (never plain, never unverified).`,
    `http_port ${proxy.address}:${credentialPort(proxy, i)} accel defaultsite=${c.host} name=${port(i)}`,
    `acl ${port(i)} myportname ${port(i)}`,
    `cache_peer ${c.host} parent ${c.port} 0 originserver no-query no-digest no-netdb-exchange tls${ca} forceddomain=${c.host} name=${peer(i)}`,
    `cache_peer_access ${peer(i)} allow ${port(i)}`,
    `cache_peer_access ${peer(i)} deny all`,
    // Whatever the agent sent in the header never leaves: the real value is added (credentials.conf).
    `request_header_access ${c.header} deny ${port(i)}`,
    `request_header_access Surrogate-Capability deny ${port(i)}`,
  ]);
  return {
    listen: [
      ...listen,
      `acl hermit_credential myportname ${creds.map((_, i) => port(i)).join(' ')}`,
      '# A credential\'s requests go to its peer only, never straight to whatever host they name.',
      'never_direct allow hermit_credential',
      '# The values, in a file only the proxy\'s user can read.',
      `include ${SECRET_DIR_IN_PROXY}/${CREDENTIALS_FILE}`,
    ],
    access: ['http_access allow hermit_credential'],
  };
}

/** Printable ASCII without quote or backslash: what every API key and token is, and what Squid
 * takes inside a quoted string without reading escapes (so the line can never fail to parse and
 * be echoed into a log). */
const SAFE_VALUE = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;

/** credentials.conf: one request_header_add per credential. `%` is Squid's macro sign, doubled. */
export function credentialsFileText(proxy: ProxyContainer, values: readonly string[]): string {
  const creds = proxy.credentials ?? [];
  return [
    '# Written by hermit; readable only by the proxy\'s user. Never copy it anywhere.',
    ...creds.map((c, i) => `request_header_add ${c.header} "${values[i]!.replaceAll('%', '%%')}" ${port(i)}`),
    '',
  ].join('\n');
}

/** credentialsFileText read back: credential index → the value the proxy adds now. */
export function valuesOfCredentialsFile(text: string): Map<number, string> {
  const lines = text.matchAll(/^request_header_add \S+ "([^"]*)" hermit_cred_(\d+)$/gm);
  return new Map([...lines].map((m) => [Number(m[2]), m[1]!.replaceAll('%%', '%')]));
}

export type CredentialValue = { value: string } | { problem: string };

/** The values read where hermit runs, checked; a usage error naming the credential otherwise. */
export function checkedValues(creds: readonly Credential[], read: readonly CredentialValue[] | undefined): string[] {
  return creds.map((c, i) => {
    const r = read?.[i];
    const from = c.value !== undefined ? `value ${c.value}` : `valueFile ${c.valueFile}`;
    if (!r) throw new Error(`credential ${i} was not read before planning`);
    if ('problem' in r) throw new HermitError('usage', `credentials[${i}] (${c.host}): ${from}: ${r.problem}`, 'Set the variable in the environment hermit runs in (sudo -E, or the service\'s Environment=), or fix the file', ['credentials', i]);
    if (!SAFE_VALUE.test(r.value) || r.value.trim() !== r.value) {
      throw new HermitError('usage', `credentials[${i}] (${c.host}): the value from ${from} holds characters no HTTP header value has here (control characters, quotes, backslashes, non-ASCII, or spaces at either end)`,
        'Check the variable or file: it should hold just the key (or "Bearer <token>")', ['credentials', i]);
    }
    return r.value;
  });
}

/** The first variable of env holding a word of value (a word of 8 characters or more: "Bearer"
 * alone is no key, the token after it is), or undefined. Shared by the plan's refusal and the probe. */
export function keyHolder(env: Record<string, string>, value: string): string | undefined {
  const words = value.split(/\s+/).filter((w) => w.length >= 8);
  return Object.keys(env).find((k) => words.some((w) => env[k]!.includes(w)));
}

/**
 * Refuses an agent environment that would hold a credential's value after all (an env file or a
 * container.env value carrying the key): the check the loader cannot make, since only the plan
 * has both the values and the env file's entries. Each word of a value counts ("Bearer <token>").
 */
export function refuseHeldKeys(agentEnv: Record<string, string>, read: readonly CredentialValue[] | undefined, creds: readonly Credential[]): void {
  (read ?? []).forEach((r, i) => {
    if (!('value' in r)) return;
    const name = keyHolder(agentEnv, r.value);
    if (name === undefined) return;
    const c = creds[i]!;
    throw new HermitError('usage', `the agent's environment would hold the key of credentials[${i}] (${c.host}): ${name} carries it`,
      `Remove it from container.env, container.envFile or passEnv (give the agent a placeholder); the proxy adds the key`, ['credentials', i]);
  });
}
