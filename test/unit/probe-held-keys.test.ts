import { describe, expect, it } from 'vitest';
import { heldKeysRow } from '../../src/probe/held-keys.js';
import { judge } from '../../src/probe/judgement.js';
import { credentialsFileText, valuesOfCredentialsFile } from '../../src/plan/credentials.js';
import type { Credential, ProxyContainer } from '../../src/profile/types.js';

const creds = [
  { host: 'api.example.org', header: 'x-api-key', value: '${API_KEY}', baseUrlEnv: 'API_BASE_URL' },
  { host: 'git.example.org', header: 'Authorization', value: '${GIT_TOKEN}', baseUrlEnv: 'GIT_BASE_URL' },
] as Credential[];
const KEY = 'sk-example-0123456789abcdef';
const TOKEN = 'ghp_example0123456789';
const values = [{ value: KEY }, { value: `Bearer ${TOKEN}` }];
const report = (row: ReturnType<typeof heldKeysRow>) => ({ container: 'c', profile: 'p', ok: row.ok, rows: [row] });

describe('heldKeysRow', () => {
  it('passes when no variable holds a value, and says how much it looked at', () => {
    const row = heldKeysRow({ vars: { API_BASE_URL: 'http://172.30.12.130:3129', API_KEY: 'placeholder', PATH: '/bin' } }, values, creds);
    expect(row).toMatchObject({ id: 'held-keys', kind: 'env', expected: 'no key', ok: true, observed: 'none of 2 values in 3 variables' });
    expect(row.failure).toBeUndefined();
  });

  it('a value found is a breach that names the credential and the variable, never the value', () => {
    const row = heldKeysRow({ vars: { PATH: '/bin', LEAK: `x${KEY}y` } }, values, creds);
    expect(row).toMatchObject({ ok: false, failure: 'breach', observed: 'key held: credentials[0] (api.example.org) in LEAK' });
    expect(JSON.stringify(row)).not.toContain(KEY);
    expect(judge(report(row)).kind).toBe('breach');
  });

  it('the token after "Bearer " counts alone; "Bearer" alone does not', () => {
    expect(heldKeysRow({ vars: { GH: TOKEN } }, values, creds).observed).toBe('key held: credentials[1] (git.example.org) in GH');
    expect(heldKeysRow({ vars: { AUTH: 'Bearer placeholder' } }, values, creds).ok).toBe(true);
  });

  it('an environment or a value that cannot be read proves nothing: it fails closed', () => {
    expect(heldKeysRow({ problem: '/proc/42/environ: ENOENT' }, values, creds)).toMatchObject({ ok: false, failure: 'breach', observed: 'not checked: the environment could not be read (/proc/42/environ: ENOENT)' });
    const row = heldKeysRow({ vars: { PATH: '/bin' } }, [{ value: KEY }, { problem: '${GIT_TOKEN} is not set' }], creds);
    expect(row).toMatchObject({ ok: false, failure: 'breach', observed: 'not checked: a value could not be read here (credentials[1] (git.example.org): ${GIT_TOKEN} is not set)' });
  });
});

describe('valuesOfCredentialsFile', () => {
  it("reads back credentialsFileText's values by index ('%' undoubled), what the proxy adds now", () => {
    const proxy = { credentials: creds, address: '172.30.12.130', port: 3128 } as unknown as ProxyContainer;
    const text = credentialsFileText(proxy, ['k%ey-0123456789', `Bearer ${TOKEN}`]);
    expect([...valuesOfCredentialsFile(text)]).toEqual([[0, 'k%ey-0123456789'], [1, `Bearer ${TOKEN}`]]);
    expect(valuesOfCredentialsFile('')).toEqual(new Map());
  });
});
