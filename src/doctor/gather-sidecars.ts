// What the profile's sidecars need from the host, looked at read-only: for `docker:` the user
// namespace sysctls, /dev/net/tun, AppArmor, the engine's image and the state dir's mount; for
// `credentials:` each upstream's certificate (verified from here), the proxy's credentials.conf
// (its owner and mode, never its content) and whether the proxy's image has the system CAs.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { checkServerIdentity, connect, rootCertificates } from 'node:tls';
import { dirname, join } from 'node:path';
import { readUserns } from '../host/userns.js';
import { CREDENTIALS_FILE, secretDir } from '../plan/credentials.js';
import { proxyContainerOf } from '../plan/egress.js';
import { USERNS_FILES } from '../plan/userns.js';
import type { Profile } from '../profile/types.js';
import { stateDir } from '../state/store.js';
import type { Source } from './types.js';

export const SIDECAR_SRC = {
  userns: 'userns-sysctls',
  tun: 'dev-net-tun',
  apparmor: 'apparmor-enabled',
  engineImage: 'engine-image',
  stateMount: 'state-dir-mount',
  credentialTls: 'credential-tls',
  credentialsFile: 'credentials-file',
  proxyCaBundle: 'proxy-ca-bundle',
} as const;

/** The file Debian's ca-certificates writes; Squid (OpenSSL) reads the system's CAs from it. */
export const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** The host's own CA bundles, first found wins; Node's built-in list when none is there. */
const HOST_CA_BUNDLES = [CA_BUNDLE, '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

type Entry = [string, Source];
type Run = (key: string, file: string, args: string[], timeoutMs?: number) => Promise<Entry>;
type Read = (key: string, path: string) => Promise<Entry>;

/** stat as JSON: what the checks need of a file, never its content. */
async function statOf(key: string, path: string): Promise<Entry> {
  try {
    const st = await stat(path);
    const info = { char: st.isCharacterDevice(), file: st.isFile(), major: Math.floor(st.rdev / 256) & 0xfff, minor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00), mode: (st.mode & 0o7777).toString(8).padStart(4, '0'), uid: st.uid, gid: st.gid };
    return [key, { what: `stat ${path}`, stdout: JSON.stringify(info) }];
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return [key, { what: `stat ${path}`, stdout: '', error: e.code === 'ENOENT' ? 'no such file' : e.message }];
  }
}

async function engineSources(profile: Profile, run: Run, read: Read): Promise<Entry[]> {
  const engine = profile.docker!;
  // The nearest existing folder of the state dir: its mount options (nodev) decide whether hermit's own tun node can be opened.
  let dir = stateDir();
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return Promise.all([
    readUserns().then((f): Entry => [SIDECAR_SRC.userns, { what: `read ${Object.values(USERNS_FILES).join(' ')}`, stdout: JSON.stringify(f) }]),
    statOf(SIDECAR_SRC.tun, '/dev/net/tun'),
    read(SIDECAR_SRC.apparmor, '/sys/module/apparmor/parameters/enabled'),
    run(SIDECAR_SRC.engineImage, 'docker', ['image', 'inspect', '--format', '{{.Id}}', engine.image]),
    run(SIDECAR_SRC.stateMount, 'findmnt', ['--noheadings', '--output', 'TARGET,OPTIONS', '--target', dir]),
  ]);
}

export interface TlsResult { host: string; port: number; address?: string; authorized: boolean; error?: string; cas: string }

/** The upstream's address through the profile's resolvers, as the proxy finds it (dns_nameservers). */
async function resolveAs(host: string, dns: string[]): Promise<string> {
  if (isIP(host)) return host;
  const r = new Resolver({ timeout: 3000, tries: 2 });
  r.setServers(dns);
  const v4 = await r.resolve4(host).catch(() => [] as string[]);
  return v4[0] ?? (await r.resolve6(host))[0]!;
}

/** A TLS handshake with the upstream, verifying its certificate for its name as the proxy does. */
export async function verifyUpstream(host: string, port: number, ca: string[], cas: string, dns?: string[]): Promise<TlsResult> {
  let address: string;
  try { address = dns ? await resolveAs(host, dns) : host; } catch (e) {
    return { host, port, cas, authorized: false, error: `does not resolve through ${dns!.join(', ')}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  return new Promise((resolve) => {
    const done = (r: Omit<TlsResult, 'host' | 'port' | 'cas'>) => { socket.destroy(); resolve({ host, port, cas, ...(address !== host ? { address } : {}), ...r }); };
    const socket = connect({ host: address, port, servername: isIP(host) ? undefined : host, ca, rejectUnauthorized: true, timeout: 8000,
      // The name to verify is the credential's host, whatever address it resolved to.
      checkServerIdentity: (_name, cert) => checkServerIdentity(host, cert) }, () => done({ authorized: socket.authorized }));
    socket.on('error', (e: NodeJS.ErrnoException) => done({ authorized: false, error: e.code ? `${e.code}: ${e.message}` : e.message }));
    socket.on('timeout', () => done({ authorized: false, error: 'no TLS answer within 8 s' }));
  });
}

async function credentialSources(profile: Profile, run: Run): Promise<Entry[]> {
  const proxy = proxyContainerOf(profile)!;
  const creds = proxy.credentials ?? [];
  const bundle = HOST_CA_BUNDLES.find((f) => existsSync(f));
  const system = bundle ? [await readFile(bundle, 'utf8').catch(() => '')] : [...rootCertificates];
  const extra = proxy.caFile ? await readFile(proxy.caFile, 'utf8').catch(() => undefined) : undefined;
  const cas = `${bundle ?? "Node's built-in CA list"}${proxy.caFile ? ` + egress.caFile ${proxy.caFile}${extra === undefined ? ' (unreadable)' : ''}` : ''}`;
  const tls = Promise.all(creds.map((c) => verifyUpstream(c.host, c.port, [...system, ...(extra ? [extra] : [])], cas, profile.dns)))
    .then((rs): Entry => [SIDECAR_SRC.credentialTls, { what: `TLS handshake from the host (hermit doctor's network namespace) to each credential's host, resolved through the profile's dns (as the proxy does), verified against ${cas}`, stdout: JSON.stringify(rs) }]);
  // `test -f` in a throwaway container of the proxy's image (no network): only when the image is here.
  const image = await run('image', 'docker', ['image', 'inspect', '--format', '{{.Id}}', proxy.image]);
  const bundleInImage: Promise<Entry> = image[1].exitCode === 0
    ? run(SIDECAR_SRC.proxyCaBundle, 'docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'test', proxy.image, '-f', CA_BUNDLE], 60_000)
    : Promise.resolve([SIDECAR_SRC.proxyCaBundle, { what: `docker image inspect ${proxy.image}`, stdout: '', error: 'the proxy image is not on this host (hermit run builds it)' }]);
  return Promise.all([tls, statOf(SIDECAR_SRC.credentialsFile, join(secretDir(profile.name), CREDENTIALS_FILE)), bundleInImage]);
}

/** Nothing for a profile with neither `docker:` nor credentials: the report stays as it was. */
export async function gatherSidecars(profile: Profile, run: Run, read: Read): Promise<Entry[]> {
  const parts = await Promise.all([
    profile.docker ? engineSources(profile, run, read) : [],
    proxyContainerOf(profile)?.credentials?.length ? credentialSources(profile, run) : [],
  ]);
  return parts.flat();
}
