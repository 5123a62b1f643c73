// Allowlist mode (egress.domains): the entries as written → AllowedDomain, and the settings of
// the proxy and the agent's internal network that follow from the profile. Pure.
import { join } from 'node:path';
import { formatIp, isIp, nthAddress, parseCidr } from '../net/cidr.js';
import { BUILTIN_PROFILES_DIR } from '../paths.js';
import type { KeyPath, Problem } from './problems.js';
import type { AllowedDomain, ImageBuild, NetworkSettings, ProxySettings } from './types.js';

export const DEFAULT_PROXY_IMAGE = 'localhost/hermit/squid:latest';
export const PROXY_RECIPE_DIR = join(BUILTIN_PROFILES_DIR, 'squid');
export const PROXY_PORT = 3128;
/** Ports of an entry without any: CONNECT to 443, plain HTTP to 80. */
export const DEFAULT_CONNECT_PORT = 443;
export const DEFAULT_HTTP_PORT = 80;

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** "name", ".name", "name:22", ".name:22,443" → AllowedDomain, or what is wrong with it. */
export function parseDomain(text: string): AllowedDomain | string {
  const t = text.trim().toLowerCase();
  if (t.startsWith('*.')) return `write '.${t.slice(2)}' for ${t.slice(2)} and its subdomains (no '*')`;
  if (t.startsWith('http://') || t.startsWith('https://') || t.includes('/')) return "must be a name such as api.anthropic.com, not a URL";
  const m = /^(\.?)([^:]+)(?::(.*))?$/.exec(t);
  if (!m) return 'must be a name such as api.anthropic.com, .example.org or git.example.org:22';
  const [, dot, name = '', portText] = m;
  if (isIp(name) || /^[0-9.]+$/.test(name) || t.startsWith('[')) {
    return 'is an IP address: allowlist mode lists names, and the proxy refuses IP addresses (a name of the service is needed)';
  }
  if (name.length > 253 || !name.split('.').every((l) => LABEL.test(l))) return 'must be a DNS name such as api.anthropic.com (letters, digits, - and . only)';
  let ports: number[] = [];
  if (portText !== undefined) {
    ports = portText.split(',').map(Number);
    if (portText === '' || !ports.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535)) {
      return "ports must be numbers from 1 to 65535 after ':', such as git.example.org:22 or registry.example.org:443,8443";
    }
    ports = [...new Set(ports)].sort((a, b) => a - b);
  }
  return { name, subdomains: dot === '.', ports };
}

export const formatDomain = (d: AllowedDomain) => `${d.subdomains ? '.' : ''}${d.name}${d.ports.length ? `:${d.ports.join(',')}` : ''}`;

/** The CONNECT and HTTP ports of an entry. */
export function domainPorts(d: AllowedDomain): { connect: number[]; http: number[] } {
  return d.ports.length === 0 ? { connect: [DEFAULT_CONNECT_PORT], http: [DEFAULT_HTTP_PORT] } : { connect: d.ports, http: d.ports };
}

/** Does the list let a client reach host:port through the proxy (CONNECT, or HTTP when method is 'http')? */
export function domainAllows(domains: readonly AllowedDomain[], host: string, port: number, method: 'connect' | 'http' = 'connect'): boolean {
  const h = host.toLowerCase();
  return domains.some((d) => (h === d.name || (d.subdomains && h.endsWith(`.${d.name}`))) && domainPorts(d)[method].includes(port));
}

/**
 * The proxy settings, or problems. network.subnet is split in two halves: the lower one stays
 * hermit's bridge (where the proxy sits, under the same rules as ever), the upper one becomes the
 * agent's internal network. The caller sets network.subnet to `bridgeSubnet`.
 */
export function proxySettings(
  raw: { domains: string[]; proxyImage?: string },
  profileName: string,
  network: Pick<NetworkSettings, 'name' | 'subnet'>,
  containerName: string,
  problems: Problem[],
): { proxy: ProxySettings; bridgeSubnet: string } | undefined {
  const at = (i: number): KeyPath => ['egress', 'domains', i];
  const domains: AllowedDomain[] = [];
  raw.domains.forEach((text, i) => {
    const d = parseDomain(text);
    if (typeof d === 'string') problems.push({ path: at(i), message: d });
    else if (domains.some((x) => formatDomain(x) === formatDomain(d))) problems.push({ path: at(i), message: 'is listed twice; remove one' });
    else domains.push(d);
  });
  const subnet = parseCidr(network.subnet);
  // A broken subnet is reported by the checks; a small one here.
  if (!subnet || subnet.family !== 4) return undefined;
  if (subnet.prefix > 29) {
    problems.push({ path: ['network', 'subnet'], message: 'is too small for allowlist mode, which splits it in two halves (the proxy\'s bridge and the agent\'s internal network); use a /29 or larger, such as /24' });
    return undefined;
  }
  const prefix = subnet.prefix + 1;
  const lower = { ...subnet, prefix };
  const upper = { ...subnet, prefix, base: subnet.base + (1n << BigInt(32 - prefix)) };
  const image = raw.proxyImage ?? DEFAULT_PROXY_IMAGE;
  const build: ImageBuild | undefined = image === DEFAULT_PROXY_IMAGE ? { context: PROXY_RECIPE_DIR, dockerfile: join(PROXY_RECIPE_DIR, 'Dockerfile') } : undefined;
  return {
    bridgeSubnet: `${formatIp(4, lower.base)}/${prefix}`,
    proxy: {
      domains,
      image,
      ...(build ? { build } : {}),
      container: `${containerName}-proxy`,
      network: {
        name: `${network.name}-internal`,
        subnet: `${formatIp(4, upper.base)}/${prefix}`,
        gateway: nthAddress(upper, 1),
        bridge: `hmi-${profileName}`.slice(0, 15),
      },
      address: nthAddress(upper, 2),
      bridgeAddress: nthAddress(lower, 2),
      port: PROXY_PORT,
    },
  };
}
