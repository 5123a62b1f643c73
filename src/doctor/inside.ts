// Connectivity from three places, to localise a fault: the profile's network (the running agent's
// namespace, or a throwaway container on that network), Docker's default bridge (a throwaway
// container), and the host's own namespace (no container). Each runs the probe worker (A lookups,
// TCP connects) and doctor's netns worker (AAAA, path MTU) with the same targets.
// Throwaway containers run `sleep 60` with --rm and are removed in `finally`; images are never pulled.
import { NETNS_WORKER, PROBE_WORKER } from '../paths.js';
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { exec, execOk } from '../apply/exec.js';
import { isIp } from '../net/cidr.js';
import { LABEL_DOCTOR, labelArgs } from '../plan/labels.js';
import { EMBEDDED_DNS, UNLISTED_NAME } from '../plan/targets.js';
import { domainAllows } from '../profile/allowlist.js';
import { SRC } from './gather.js';
import { parseProbeResponse, runProbeWorker } from '../probe/run.js';
import type { ProbeRequest, ProbeResponse } from '../probe/types.js';
import type { Profile } from '../profile/types.js';
import { Facts } from './snapshot-views.js';
import type { NetnsRequest, NetnsResponse } from './netns-worker.js';
import type { Snapshot, Vantage, VantageId } from './types.js';

const unique = <T>(xs: T[]) => [...new Set(xs)];

/** The same targets from every vantage point; only the resolvers differ. The profile's network asks
 * Docker's embedded DNS first (127.0.0.11, which exists only on user-defined networks) and the
 * profile's resolvers; the default bridge and the host ask the host's resolvers first (what a
 * container there and the host itself use; loopback ones are useless in a container), then the
 * profile's. Names are resolved for TCP through the first. */
export function vantageRequests(
  profile: Profile,
  id: VantageId,
  hostResolvers: string[],
  ping?: NetnsRequest['ping'],
): { probe: ProbeRequest; netns: NetnsRequest } {
  const reach = profile.probe.mustReach;
  const names = unique([profile.probe.dnsName, ...reach.map((t) => t.host).filter((h) => !isIp(h))]);
  const resolvers = id === 'profile'
    ? unique([EMBEDDED_DNS, ...profile.dns])
    : unique([...hostResolvers.filter((r) => id === 'host' || !r.startsWith('127.')), ...profile.dns]);
  const primary = resolvers[0];
  const via = (host: string) => (isIp(host) || !primary ? {} : { resolver: primary });
  const timeoutMs = profile.probe.timeoutMs;
  const mtuHosts = unique(reach.length > 0 ? reach.map((t) => t.host) : [profile.probe.dnsName]);
  return {
    probe: {
      timeoutMs,
      dns: resolvers.flatMap((server) => names.map((name) => ({ server, name }))).map((d, i) => ({ id: `d${i + 1}`, ...d })),
      tcp: reach.map((t, i) => ({ id: `t${i + 1}`, host: t.host, port: t.port, ...via(t.host) })),
    },
    netns: {
      timeoutMs,
      aaaa: primary ? names.map((name, i) => {
        const port = reach.find((t) => t.host === name)?.port;
        return { id: `a${i + 1}`, server: primary, name, ...(port ? { port } : {}) };
      }) : [],
      mtu: mtuHosts.map((host, i) => ({ id: `m${i + 1}`, host, ...via(host) })),
      ...(ping ? { ping } : {}),
    },
  };
}

/** Runs a worker script in pid's network namespace, or in doctor's own when pid is undefined. */
async function runWorker(script: string, pid: number | undefined, request: { timeoutMs: number }): Promise<string> {
  if (!existsSync(script)) throw new Error(`${script} not found: build hermit first (npm run build)`);
  const argv = [process.execPath, script];
  const [file, ...args] = pid === undefined ? argv : ['nsenter', `--net=/proc/${pid}/ns/net`, '--', ...argv];
  const r = await execa(file!, args, {
    input: JSON.stringify(request), timeout: request.timeoutMs + 8000, reject: false, extendEnv: false,
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  if (r.failed) throw new Error(`${script.split('/').pop()} failed: ${(String(r.stderr ?? '') || r.shortMessage || '').trim()}`);
  return r.stdout;
}

async function probeFrom(pid: number | undefined, v: Vantage): Promise<Vantage> {
  const [probe, netns] = await Promise.allSettled([
    pid === undefined
      ? runWorker(PROBE_WORKER, undefined, v.probeRequest!).then((out) => parseProbeResponse(out, v.probeRequest!))
      : runProbeWorker(pid, v.probeRequest!),
    runWorker(NETNS_WORKER, pid, v.netnsRequest!).then((out) => JSON.parse(out) as NetnsResponse),
  ]);
  const errors = [probe, netns].filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as Error).message);
  return {
    ...v,
    ...(probe.status === 'fulfilled' ? { probe: probe.value as ProbeResponse } : {}),
    ...(netns.status === 'fulfilled' ? { netns: netns.value } : {}),
    ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
  };
}

/** A container that only lends its network namespace; always removed. */
async function withThrowaway(profile: Profile, network: string, tag: string, use: (pid: number) => Promise<Vantage>): Promise<Vantage> {
  const name = `hermit-doctor-${profile.name}-${tag}-${process.pid}`;
  const args = ['run', '--detach', '--rm', '--pull', 'never', '--name', name, '--network', network,
    ...(network === profile.network.name ? profile.dns.flatMap((r) => ['--dns', r]) : []),
    ...(profile.network.ipv6 ? [] : ['--sysctl', 'net.ipv6.conf.all.disable_ipv6=1', '--sysctl', 'net.ipv6.conf.default.disable_ipv6=1']),
    '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--user', '65534:65534',
    ...labelArgs({ [LABEL_DOCTOR]: profile.name }), '--entrypoint', 'sleep', profile.image, '60'];
  try {
    await execOk({ file: 'docker', args }, 'host');
    const pid = Number((await execOk({ file: 'docker', args: ['container', 'inspect', '--format', '{{.State.Pid}}', name] }, 'host')).trim());
    return await use(pid);
  } finally {
    await exec({ file: 'docker', args: ['rm', '--force', name] }).catch(() => undefined);
  }
}

/** The probe request through the proxy (allowlist mode): the profile's targets, and a name no list has. */
export function proxyProbeRequest(profile: Profile): ProbeRequest {
  const proxy = profile.proxy!;
  const via = `${proxy.address}:${proxy.port}`;
  return {
    timeoutMs: profile.probe.timeoutMs,
    dns: [],
    tcp: [
      { id: 'unlisted', host: UNLISTED_NAME, port: 443, proxy: via, method: 'connect' },
      ...profile.probe.mustReach.map((t, i) => ({ id: `t${i + 1}`, host: t.host, port: t.port, proxy: via,
        method: domainAllows(proxy.domains, t.host, t.port, 'connect') ? 'connect' as const : 'http' as const })),
    ],
  };
}

/** Allowlist mode: from the running agent, through its proxy; kept as a source for the checks. */
async function proxyProbe(snap: Snapshot, profile: Profile): Promise<void> {
  const f = new Facts(snap);
  const agent = f.container;
  const request = proxyProbeRequest(profile);
  const what = `probe through proxy ${profile.proxy!.container} from the agent's network namespace: ${JSON.stringify(request.tcp.map((t) => `${t.host}:${t.port}`))}`;
  if (snap.uid !== 0) { snap.sources[SRC.proxyProbe] = { what, stdout: '', error: "entering the agent's network namespace needs root" }; return; }
  if (!agent?.running) { snap.sources[SRC.proxyProbe] = { what, stdout: '', error: `the agent ${profile.container.name} is not running (hermit run starts it)` }; return; }
  try {
    snap.sources[SRC.proxyProbe] = { what, stdout: JSON.stringify(await runProbeWorker(agent.pid, request)) };
  } catch (err) {
    snap.sources[SRC.proxyProbe] = { what, stdout: '', error: (err as Error).message };
  }
}

export async function gatherVantages(snap: Snapshot, profile: Profile | undefined): Promise<Vantage[]> {
  if (profile?.proxy) await proxyProbe(snap, profile);
  const f = new Facts(snap);
  const labels: Record<VantageId, string> = {
    profile: `profile network ${profile?.network.name ?? ''}`.trim(),
    bridge: "Docker's default bridge",
    host: 'host network namespace (no container)',
  };
  const ids: VantageId[] = ['profile', 'bridge', 'host'];
  if (!profile) return ids.map((id) => ({ id, label: labels[id], skipped: 'no profile given: hermit doctor <profile> checks its targets from here' }));

  const base = (id: VantageId, label = labels[id]): Vantage => {
    const req = vantageRequests(profile, id, f.resolvers, f.ping);
    return { id, label, probeRequest: req.probe, netnsRequest: req.netns };
  };
  const container = (id: 'profile' | 'bridge'): Promise<Vantage> => {
    const skip = (why: string): Promise<Vantage> => Promise.resolve({ id, label: labels[id], skipped: why });
    if (snap.uid !== 0) return skip("entering a container's network namespace needs root");
    if (!f.dockerInfo) return skip(`no Docker engine (${f.why('docker-info')})`);
    const agent = f.container;
    if (id === 'profile' && agent?.running && agent.networks.includes(profile.network.name)) {
      return probeFrom(agent.pid, base(id, `agent container ${agent.name}`));
    }
    const network = id === 'profile' ? profile.network.name : 'bridge';
    if (!f.networks.some((n) => n.name === network)) {
      return skip(id === 'profile' ? `network ${network} does not exist yet (hermit run creates it)` : "Docker's default bridge network does not exist (\"bridge\": \"none\"?)");
    }
    if (!f.imagePresent) return skip(`image ${profile.image} is not on this host, and doctor does not pull`);
    const label = id === 'profile' ? `throwaway container on network ${network}` : "throwaway container on Docker's default bridge";
    return withThrowaway(profile, network, id, (pid) => probeFrom(pid, base(id, label)))
      .catch((err: Error) => ({ id, label, skipped: `could not start a throwaway container: ${err.message.split('\n')[0]}` }));
  };
  return Promise.all([container('profile'), container('bridge'), probeFrom(undefined, base('host'))]);
}
