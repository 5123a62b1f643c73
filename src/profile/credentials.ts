// The profile's credentials: (keys hermit's proxy adds on the way out) as written → Credential,
// with what is wrong with them. A value names variables of hermit's environment and stays
// unexpanded here: the secret is read only when the proxy's files are written. Pure.
import { interpolate } from './interpolate.js';
import { join } from 'node:path';
import { formatIp, parseCidr } from '../net/cidr.js';
import { DEFAULT_PROXY_IMAGE, PROXY_PORT, PROXY_RECIPE_DIR, parseDomain } from './allowlist.js';
import type { KeyPath, Problem } from './problems.js';
import type { Credential, ProxyContainer } from './types.js';

export interface RawCredential { host: string; header: string; value?: string; valueFile?: string; baseUrlEnv: string }

/** Headers the proxy itself owns, or that would change how the request is framed or routed. */
const NOT_SETTABLE = /^(host|content-length|transfer-encoding|connection|upgrade|te|trailer|keep-alive|via|forwarded|x-forwarded-for|proxy-.*)$/i;

/** Every name `${...}` in a value refers to, and what is wrong with its syntax (whatever is set now). */
export function valueVariables(text: string): { names: string[]; problems: string[] } {
  const everything = new Proxy({}, { get: () => 'x' }) as Record<string, string>;
  const r = interpolate(text, everything);
  return { names: r.names, problems: r.problems };
}

/** The header value of a credential written as `value`, from hermit's environment, or why not. */
export function expandValue(text: string, env: Record<string, string | undefined>): { value: string } | { problem: string } {
  const r = interpolate(text, env);
  return r.problems.length > 0 ? { problem: r.problems.join('; ') } : { value: r.value };
}

export function credentialSettings(
  raw: readonly RawCredential[],
  hostPath: (text: string, at: KeyPath) => string,
  agentEnv: { env: Record<string, string>; passEnv: string[] },
  hostEnv: Record<string, string | undefined>,
  problems: Problem[],
): Credential[] {
  const out: Credential[] = [];
  raw.forEach((c, i) => {
    const at = (key: string): KeyPath => ['credentials', i, key];
    const d = parseDomain(c.host);
    if (typeof d === 'string' || d.subdomains || d.ports.length > 1) {
      problems.push({ path: at('host'), message: typeof d === 'string' ? d : 'must be one host name, optionally with one port (host:8443)' });
      return;
    }
    if (NOT_SETTABLE.test(c.header)) problems.push({ path: at('header'), message: `'${c.header}' is not a header hermit sets; use the service's key header, such as x-api-key or Authorization` });
    if ((c.value === undefined) === (c.valueFile === undefined)) {
      problems.push({ path: ['credentials', i], message: 'give exactly one of value (${NAME} from hermit\'s environment) and valueFile (a root-only file)' });
      return;
    }
    if (c.value !== undefined) {
      const v = valueVariables(c.value);
      for (const m of v.problems) problems.push({ path: at('value'), message: m });
      if (v.names.length === 0) {
        problems.push({ path: at('value'), message: 'names no variable: a key written in the profile is readable by whoever reads the file; write ${NAME} (from hermit\'s environment) or use valueFile' });
      }
      for (const name of v.names) {
        // A placeholder of the same name is fine; the real value (passEnv, or ${NAME} in container.env) is not.
        const value = hostEnv[name];
        const copied = value !== undefined && value.length >= 6 ? Object.keys(agentEnv.env).find((k) => agentEnv.env[k]!.includes(value)) : undefined;
        const where = agentEnv.passEnv.includes(name) ? 'container.passEnv' : copied !== undefined ? `container.env.${copied}` : undefined;
        if (where) problems.push({ path: at('value'), message: `uses ${name}, whose value ${where} also gives the agent: it would hold the key; remove it there (give the agent a placeholder if its tool needs one)` });
      }
    }
    if (out.some((o) => o.baseUrlEnv === c.baseUrlEnv)) problems.push({ path: at('baseUrlEnv'), message: `${c.baseUrlEnv} is given by another credential too; one variable per service` });
    else if (c.baseUrlEnv in agentEnv.env || agentEnv.passEnv.includes(c.baseUrlEnv)) {
      problems.push({ path: at('baseUrlEnv'), message: `${c.baseUrlEnv} is also set by container.env or passEnv; hermit sets it to the proxy's address, remove it there` });
    }
    out.push({
      host: d.name,
      port: d.ports[0] ?? 443,
      header: c.header,
      ...(c.value !== undefined ? { value: c.value } : { valueFile: hostPath(c.valueFile!, at('valueFile')) }),
      baseUrlEnv: c.baseUrlEnv,
    });
  });
  return out;
}

/**
 * The default mode's proxy, for credentials alone: on the agent's own bridge at the subnet's last
 * host address (Docker hands the agent addresses from the low end), so the agent keeps its direct
 * internet and the proxy goes out under the same rules as the agent.
 */
export function credentialProxySettings(
  credentials: Credential[], caFile: string | undefined, proxyImage: string | undefined,
  network: { subnet: string }, containerName: string, problems: Problem[],
): ProxyContainer | undefined {
  const subnet = parseCidr(network.subnet);
  if (!subnet || subnet.family !== 4) return undefined; // reported by the checks
  if (subnet.prefix > 29) {
    problems.push({ path: ['network', 'subnet'], message: 'is too small for credentials (the proxy needs an address beside the agent\'s); use a /29 or larger, such as /24' });
    return undefined;
  }
  const address = formatIp(4, subnet.base + (1n << BigInt(32 - subnet.prefix)) - 2n);
  const image = proxyImage ?? DEFAULT_PROXY_IMAGE;
  return {
    image,
    ...(image === DEFAULT_PROXY_IMAGE ? { build: { context: PROXY_RECIPE_DIR, dockerfile: join(PROXY_RECIPE_DIR, 'Dockerfile') } } : {}),
    container: `${containerName}-proxy`,
    address,
    bridgeAddress: address,
    port: PROXY_PORT,
    credentials,
    ...(caFile === undefined ? {} : { caFile }),
  };
}
