// `credentials:` (docs/security.md "Keys the agent never holds"): each upstream's certificate
// verifies, the proxy's credentials.conf is its user's alone, and the proxy's image has the system
// CAs. No key value is ever read here: credentials.conf is only stat'ed.
import type { TlsResult } from '../gather-sidecars.js';
import { CA_BUNDLE, SIDECAR_SRC } from '../gather-sidecars.js';
import { SRC } from '../gather.js';
import { parseContainer } from '../../host/read.js';
import { proxyContainerOf } from '../../plan/egress.js';
import { PROXY_USER } from '../../plan/proxy.js';
import type { ProxyContainer } from '../../profile/types.js';
import { statOf } from './engine.js';
import { type Body, type CheckDef, type Ctx, fail, hermitRun, ok, plural, skip } from './util.js';

const PROXY_UID = Number(PROXY_USER.split(':')[0]);

/** Only a profile with credentials has them checked; `body` gets the proxy that adds them. */
const applies = (ctx: Ctx) => !!(ctx.profile && proxyContainerOf(ctx.profile)?.credentials?.length);
const withCredentials = (body: (ctx: Ctx, proxy: ProxyContainer) => Body) => (ctx: Ctx): Body => body(ctx, proxyContainerOf(ctx.profile!)!);

export const credentialChecks: CheckDef[] = [
  {
    id: 'proxy.credential-tls', area: 'proxy', title: 'credentials: each upstream\'s certificate verifies', applies,
    run: withCredentials(({ f }, proxy) => {
      let results: TlsResult[];
      try { results = JSON.parse(f.out(SIDECAR_SRC.credentialTls) ?? '') as TlsResult[]; } catch { return skip(`could not check: ${f.why(SIDECAR_SRC.credentialTls)}`); }
      const from = `checked from the host, resolved through the profile's dns, against ${results[0]?.cas ?? 'its CAs'}`;
      const evidence = [from, ...results.map((r) => `${r.host}:${r.port}${r.address ? ` (${r.address})` : ''}: ${r.authorized ? 'verified' : `not verified: ${r.error ?? 'unauthorized'}`}`)];
      const bad = results.filter((r) => !r.authorized);
      if (bad.length === 0) return ok(`${plural(results.length, 'upstream')} present${results.length === 1 ? 's' : ''} a certificate that verifies for its name (${from})`, evidence);
      const tlsFailure = bad.some((r) => /CERT|SELF_SIGNED|UNABLE_TO|Hostname|altnames/i.test(r.error ?? ''));
      return fail(`${bad.map((r) => `${r.host}:${r.port}`).join(', ')}: the certificate does not verify (${from}); the proxy sends such an upstream nothing and the agent gets a 503`, evidence,
        tlsFailure
          ? `If this network inspects TLS, or the service has a private CA, put that root certificate (PEM) in egress.caFile${proxy.caFile ? ` (now ${proxy.caFile}: check it holds the right root)` : ''}; otherwise check the credential's host name`
          : 'The host could not complete a TLS handshake: check the name resolves and the port answers from here (the proxy connects from the same host), and the profile\'s credential host:port');
    }),
  },
  {
    id: 'proxy.credentials-file', area: 'proxy', title: 'credentials: the proxy\'s credentials.conf is its user\'s alone', applies,
    run: withCredentials((ctx, proxy) => {
      const { f } = ctx;
      let running = false;
      try { running = !!f.out(SRC.proxyContainer) && !!parseContainer(f.out(SRC.proxyContainer)!)?.running; } catch { running = false; }
      if (!running) return skip(`the proxy ${proxy.container} is not running: hermit run writes credentials.conf when it starts it`);
      const st = statOf(f, SIDECAR_SRC.credentialsFile);
      const file = f.source(SIDECAR_SRC.credentialsFile)?.what.replace(/^stat /, '') ?? 'credentials.conf';
      const why = f.source(SIDECAR_SRC.credentialsFile)?.error;
      if (!st && why !== 'no such file') return skip(`could not look at it: ${f.why(SIDECAR_SRC.credentialsFile)}`);
      if (!st) return fail(`${file} is missing while the proxy runs (a reboot empties /run): the proxy adds no key`, [f.why(SIDECAR_SRC.credentialsFile)], `${hermitRun(ctx)} writes it again`);
      const evidence = [`${file}: owner ${st.uid}:${st.gid}, mode ${st.mode}${st.file ? '' : ', not a regular file'}`];
      if (st.file && st.uid === PROXY_UID && st.mode === '0400') return ok(`${file} is owned by the proxy's user (uid ${PROXY_UID}) with mode 0400`, evidence);
      return fail(`${file} should be a file of uid ${PROXY_UID} with mode 0400 (it is ${st.uid}, ${st.mode})`, evidence,
        `${hermitRun(ctx)} writes it again; or: chown ${PROXY_USER} ${file}; chmod 0400 ${file}`);
    }),
  },
  {
    id: 'proxy.ca-bundle', area: 'proxy', title: 'credentials: the proxy\'s image has the system CAs', applies,
    run: withCredentials(({ f }, proxy) => {
      const src = f.source(SIDECAR_SRC.proxyCaBundle);
      if (!src || src.error) return skip(src?.error ?? 'not gathered');
      const evidence = [`${src.what}: exit ${src.exitCode}`];
      if (src.exitCode === 0) return ok(`${proxy.image} has ${CA_BUNDLE}`, evidence);
      if (src.exitCode !== 1) return skip(`could not look inside ${proxy.image}: ${f.why(SIDECAR_SRC.proxyCaBundle)}`, evidence);
      return fail(`${proxy.image} has no ${CA_BUNDLE}: no upstream verifies but through egress.caFile`, evidence,
        proxy.build
          ? `It was built by an older hermit: remove it so the next run builds it again (docker rmi ${proxy.image}; then hermit run)`
          : `Install ca-certificates in ${proxy.image} (or leave out proxyImage to use hermit's own)`);
    }),
  },
];
