// Reads what the proxy's credentials need where hermit runs: each value (from hermit's environment
// or a root-only file), egress.caFile, and the files hermit wrote last time. The values stay in
// memory: the plan puts them only into the proxy's root-only credentials.conf.
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CA_FILE, CREDENTIALS_FILE, type CredentialValue, secretDir, valuesOfCredentialsFile } from '../plan/credentials.js';
import type { ProxyFacts } from '../plan/host-facts.js';
import { expandValue } from '../profile/credentials.js';
import type { Credential, ProxyContainer } from '../profile/types.js';
import { otherWriters } from '../profile/writers.js';

/** A value file must be root's and unreadable by anyone else: it is the key itself. */
async function readValueFile(file: string): Promise<CredentialValue> {
  try {
    const st = await lstat(file);
    if (!st.isFile()) return { problem: 'is not a regular file' };
    if (st.uid !== 0 || (st.mode & 0o077) !== 0) return { problem: `must be owned by root and readable by root only (chown root: ${file}; chmod 600 ${file})` };
    const writers = otherWriters(file);
    if (writers.length > 0) return { problem: `others could replace it: ${writers[0]}` };
    const text = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
    return text.includes('\n') ? { problem: 'holds more than one line' } : { value: text };
  } catch (err) {
    return { problem: `cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
}

const readValue = (c: Credential, env: NodeJS.ProcessEnv): Promise<CredentialValue> =>
  c.value !== undefined ? Promise.resolve(expandValue(c.value, env)) : readValueFile(c.valueFile!);

/** Each credential's value, read as `hermit run` reads it. */
export const readCredentialValues = (creds: readonly Credential[], env: NodeJS.ProcessEnv = process.env): Promise<CredentialValue[]> =>
  Promise.all(creds.map((c) => readValue(c, env)));

/**
 * The values the probe checks the agent for: what the proxy adds now (its credentials.conf, so
 * `hermit probe` needs no access to hermit's environment), else what `hermit run` would read.
 */
export async function proxyHeldValues(creds: readonly Credential[], profile: string, env: NodeJS.ProcessEnv = process.env): Promise<CredentialValue[]> {
  const [read, text] = await Promise.all([readCredentialValues(creds, env), readFile(join(secretDir(profile, env), CREDENTIALS_FILE), 'utf8').catch(() => '')]);
  const held = valuesOfCredentialsFile(text);
  return read.map((r, i) => { const v = held.get(i); return v === undefined ? r : { value: v }; });
}

/** A process's environment as it was exec'd (/proc/<pid>/environ, NUL-separated NAME=value). */
export async function processEnvironment(pid: number): Promise<Record<string, string>> {
  const text = await readFile(`/proc/${pid}/environ`, 'latin1');
  return Object.fromEntries(text.split('\0').filter((e) => e !== '').map((e) => {
    const eq = e.indexOf('=');
    return eq < 0 ? [e, ''] : [e.slice(0, eq), e.slice(eq + 1)];
  }));
}

async function readCa(file: string): Promise<{ text: string } | { problem: string }> {
  const writers = otherWriters(file);
  if (writers.length > 0) return { problem: `others could change which servers the proxy trusts: ${writers[0]}` };
  try {
    const text = await readFile(file, 'utf8');
    return /-----BEGIN CERTIFICATE-----/.test(text) ? { text } : { problem: 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)' };
  } catch (err) {
    return { problem: `cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
}

/** The credential part of the proxy's facts; nothing when the profile has no credentials. */
export async function credentialFacts(proxy: ProxyContainer, profile: string, confDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Partial<ProxyFacts>> {
  const creds = proxy.credentials ?? [];
  if (creds.length === 0) return {};
  const secrets = secretDir(profile, env);
  const existing = async (file: string) => [file, await readFile(file, 'utf8').catch(() => undefined)] as const;
  const [values, ca, files] = await Promise.all([
    readCredentialValues(creds, env),
    proxy.caFile === undefined ? Promise.resolve(undefined) : readCa(proxy.caFile),
    Promise.all([join(secrets, CREDENTIALS_FILE), join(confDir, CA_FILE)].map(existing)),
  ]);
  const present = Object.fromEntries(files.filter(([, t]) => t !== undefined)) as Record<string, string>;
  return { credentialValues: values, ...(ca ? { ca } : {}), files: present, secretDir: secrets };
}
