// The docker: engine's nested path, probed like the agent: hermit's probe worker in the network
// namespace of the engine's dockerd (rootlesskit's, whose only way out is slirp4netns opening
// sockets in the agent's namespace), where every nested container's traffic starts too.
import { readFile, readdir, readlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExistingContainer } from '../plan/host-facts.js';
import { EMBEDDED_DNS } from '../plan/targets.js';
import type { Profile } from '../profile/types.js';
import type { ProbePlan, ProbeReport } from './types.js';

/**
 * The agent's plan, as seen from the engine's namespace: there is no Docker embedded DNS there
 * (the engine resolves through the profile's declared resolvers, which are probed as they are),
 * so names are resolved through the first of those. IPv6 is not checked: the namespace's only
 * way out is slirp4netns's IPv4 sockets in the agent's namespace, whose IPv6 the agent's rows prove off.
 * A blocked address that is one of the namespace's own (`own`: the engine's docker0 is 172.17.0.1
 * like the host's) is not probed: a connect there is answered by the engine's own kernel, never
 * leaves, and would count against nothing of hermit's; its row says so.
 */
export function nestedProbePlan(plan: ProbePlan, profile: Profile, own: readonly string[] = []): ProbePlan {
  // Allowlist mode: names are the proxy's business, as for the agent (nothing answers there either).
  const resolver = profile.proxy ? undefined : profile.dns[0];
  const tcp = plan.tcp.map((e) => {
    if (e.expect === 'blocked' && own.includes(e.probe.host)) {
      return { ...e, shadowed: `not probed here: ${e.probe.host} is the engine's own address (its bridge), so nothing sent to it from the engine or its containers reaches the host's` };
    }
    return resolver && e.probe.resolver === EMBEDDED_DNS ? { ...e, probe: { ...e.probe, resolver } } : e;
  });
  const dns = resolver ? plan.dns.filter((d) => d.probe.server !== EMBEDDED_DNS) : plan.dns;
  const sent = tcp.filter((t) => !t.shadowed).map((t) => t.probe);
  return { ...plan, tcp, dns, ipv6Off: false, request: { ...plan.request, tcp: sent, dns: dns.map((d) => d.probe) } };
}

/** The IPv4 addresses a namespace holds, from its /proc/net/fib_trie: the `/32 host LOCAL`
 * entries under an address (`|-- a.b.c.d`, followed by its prefix lines). Pure. */
export function localAddresses(fibTrie: string): string[] {
  const out = new Set<string>();
  let address: string | undefined;
  for (const raw of fibTrie.split('\n')) {
    const line = raw.trim();
    const m = /^\|-- (\d+\.\d+\.\d+\.\d+)$/.exec(line);
    if (m) address = m[1];
    else if (!line.startsWith('/')) address = undefined;
    else if (address && /^\/32 host LOCAL/.test(line)) out.add(address);
  }
  return [...out];
}

/** The IPv4 addresses of a process's network namespace. */
export const namespaceAddresses = (pid: number): Promise<string[]> =>
  readFile(`/proc/${pid}/net/fib_trie`, 'utf8').then(localAddresses, () => []);

/** The ids of the nested path's rows begin with this: from the engine's namespace, and from a
 * nested container's (probe/nested-container.ts). */
export const NESTED_ROW = 'nested:';
export const NESTED_CONTAINER_ROW = 'nested-container:';

const SECTIONS = {
  engine: { id: NESTED_ROW, target: '[from the docker engine]' },
  container: { id: NESTED_CONTAINER_ROW, target: '[from a nested container]' },
} as const;

/** The agent's rows, then the nested path's, named as such: one report, one verdict. */
export function withNested(agent: ProbeReport, nested: ProbeReport, section: keyof typeof SECTIONS = 'engine'): ProbeReport {
  const { id, target } = SECTIONS[section];
  const rows = [...agent.rows, ...nested.rows.map((r) => ({ ...r, id: `${id}${r.id}`, target: `${r.target} ${target}` }))];
  return { ...agent, ok: agent.ok && nested.ok, rows };
}

const netns = (pid: number) => readlink(`/proc/${pid}/ns/net`).catch(() => undefined);

/** Every process's children, by parent pid, from /proc/<pid>/stat. */
async function processTree(): Promise<Map<number, number[]>> {
  const children = new Map<number, number[]>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, the last ')' ends it.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid > 0) children.set(ppid, [...children.get(ppid) ?? [], Number(name)]);
  }
  return children;
}

/** A process's descendants on the host, breadth first. */
export async function descendants(pid: number): Promise<number[]> {
  const children = await processTree();
  const out: number[] = [];
  const queue = [...children.get(pid) ?? []];
  for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
    out.push(p);
    queue.push(...children.get(p) ?? []);
  }
  return out;
}

/**
 * The host pid of the engine container's first process (breadth first from its init) that lives
 * in another network namespace than the container's: rootlesskit's child, which runs dockerd.
 */
export async function nestedNetnsPid(enginePid: number): Promise<number | undefined> {
  const own = await netns(enginePid);
  if (!own) return undefined;
  for (const pid of await descendants(enginePid)) {
    const ns = await netns(pid);
    if (ns && ns !== own) return pid;
  }
  return undefined;
}

/** Where the nested path is probed from, and with what plan; or why there is none to probe, or why
 * it could not be found (which proves nothing: unproven). */
export type NestedPath =
  | { kind: 'none' }
  | { kind: 'found'; pid: number; plan: ProbePlan; container: string; engine: string; enginePid: number }
  | { kind: 'missing'; why: string };

export interface NestedLookup {
  /** The engine container as Docker reports it now (by its name). */
  inspect: (name: string) => Promise<ExistingContainer | undefined>;
  /** nestedNetnsPid, or a fake's. */
  findPid?: (enginePid: number) => Promise<number | undefined>;
  /** namespaceAddresses, or a fake's. */
  addresses?: (pid: number) => Promise<string[]>;
  /** An engine that started less than this ago may not have made its dockerd's namespace yet
   * (rootlesskit makes it first thing): looked for again until then. 0: looked for once. The guard
   * may come upon an engine that has just started; run and probe find it ready. */
  startupMs?: number;
}

/**
 * The nested path of a profile with `docker:`, shared by run, probe and the guard: none without
 * `docker:` or while the engine is not running (nothing of it can leave then; hermit run starts
 * it and proves it, the guard when it starts); found: the pid of its dockerd's namespace and the
 * agent's plan as seen from there.
 */
export async function nestedPath(profile: Profile, plan: ProbePlan, lookup: NestedLookup): Promise<NestedPath> {
  if (!profile.docker) return { kind: 'none' };
  const name = profile.docker.container;
  const findPid = lookup.findPid ?? nestedNetnsPid;
  for (;;) {
    const engine = await lookup.inspect(name).catch(() => undefined);
    if (!engine?.running) return { kind: 'none' };
    const pid = await findPid(engine.pid);
    if (pid) {
      const own = await (lookup.addresses ?? namespaceAddresses)(pid);
      return { kind: 'found', pid, plan: nestedProbePlan(plan, profile, own), container: `${name} (nested)`, engine: name, enginePid: engine.pid };
    }
    const until = (Date.parse(engine.startedAt) || 0) + (lookup.startupMs ?? 0);
    if (Date.now() >= until) return { kind: 'missing', why: `the network namespace of docker engine ${name}'s dockerd was not found` };
    await sleep(500);
  }
}
