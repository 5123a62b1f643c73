// The `docker run` argument vector, and what to do with a container that already exists.
import { HermitError } from '../errors.js';
import type { Profile } from '../profile/types.js';
import type { ExistingContainer, HostFacts } from './host-facts.js';
import { LABEL_CONFIG, LABEL_PROFILE, configHash as hashOf, labelArgs } from './labels.js';
import { type Sidecar, planSidecar } from './sidecar.js';
import { splitPublish, splitVolume } from '../docker/args.js';
import { agentNetwork, agentProxyEnv } from './egress.js';
import { readByDockerClient } from '../profile/env-file.js';
import { looksSecret } from '../profile/secrets.js';
import { dockerMounts } from './binds.js';
import { engineAgent } from './engine.js';
import { stateDir } from '../state/store.js';

export interface RunExtras {
  /** docker run options given after `--` (already checked). */
  dockerArgs: string[];
  /** Replaces the profile's command when non-empty. */
  command: string[];
}

export interface DockerRun {
  args: string[];
  /** Environment values for the docker CLI process: argv carries only the names (`-e NAME`),
   * so secrets never show in `ps`, logs or --dry-run; names the CLI reads itself (PATH, LD_*,
   * DOCKER_*) are not among them: those go on the command line as NAME=value. */
  env: Record<string, string>;
  configHash: string;
  /** The same container as an Engine API create request, which saves the docker CLI process;
   * absent when only the CLI can express it (extra docker options, port ranges).
   * Holds secret values: never printed. */
  create?: EngineCreate;
}

export interface EngineCreate {
  name: string;
  body: Record<string, unknown>;
}

export type ContainerAction =
  | { kind: 'run'; run: DockerRun; remove?: string; reason: string }
  /** A stopped container of this very profile: start it, first putting back a restart policy
   * that a failed probe set to "no". */
  | { kind: 'start'; id: string; restart?: string; reason: string }
  | { kind: 'keep'; id: string; run: DockerRun; reason: string };

export interface ContainerOptions {
  /** --replace: recreate whatever the state. */
  replace: boolean;
  /** hermit update: recreate when the image tag now names another image than the container runs. */
  followImage?: boolean;
  /** Why the container must be recreated because its pinned binds changed (binds.ts). */
  rebind?: string;
}

export function dockerRun(profile: Profile, extras: RunExtras, environment: NodeJS.ProcessEnv): DockerRun {
  const c = profile.container;
  // The env file's entries were read by hermit (withEnvFile); container.env overrides them, as
  // docker's -e overrides --env-file.
  if (c.envFile !== undefined && c.envFileValues === undefined) throw new Error(`container.envFile ${c.envFile} was not read before planning (withEnvFile)`);
  // `docker:`: the engine's socket and where to find it (DOCKER_HOST: on the command line below).
  const engine = profile.docker ? engineAgent(profile) : undefined;
  const env: Record<string, string> = { ...c.envFileValues, ...c.env, ...agentProxyEnv(profile), ...engine?.env };
  const missing = c.passEnv.filter((name) => environment[name] === undefined);
  if (missing.length > 0) {
    throw new HermitError(
      'usage',
      `container.passEnv names ${missing.join(', ')}, but ${missing.length > 1 ? 'they are' : 'it is'} not set in hermit's environment`,
      `Set ${missing.map((m) => `${m}=...`).join(' ')} in the environment hermit runs in, or remove ${missing.length > 1 ? 'them' : 'it'} from passEnv`,
    );
  }
  for (const name of c.passEnv) env[name] = environment[name]!;
  // Values travel in the docker CLI's environment, but not those the CLI would read itself (PATH
  // would pick the docker hermit runs as root, LD_PRELOAD what it loads): those go on its command
  // line, where they are seen and harmless. The env file may not hold them (parseEnvFile).
  const onCommandLine = Object.keys(c.env).filter(readByDockerClient);
  onCommandLine.push(...Object.keys(engine?.env ?? {}).filter((name) => readByDockerClient(name) && !onCommandLine.includes(name)));
  for (const name of onCommandLine.filter((n) => n in c.env)) {
    if (looksSecret(name)) {
      throw new HermitError('usage', `${name} is read by the docker command hermit runs, so its value would go on that command line, and the name looks secret`,
        'Set it inside the image, or give it another name', ['container', 'env', name]);
    }
  }
  const cliEnv = Object.fromEntries(Object.entries(env).filter(([name]) => !onCommandLine.includes(name)));

  const opts: string[] = ['--network', agentNetwork(profile)];
  for (const r of agentDns(profile)) opts.push('--dns', r);
  for (const o of agentDnsOptions(profile)) opts.push('--dns-option', o);
  opts.push('--user', c.user, '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges');
  for (const cap of c.capAdd) opts.push('--cap-add', cap);
  for (const [k, v] of Object.entries(containerSysctls(profile))) opts.push('--sysctl', `${k}=${v}`);
  if (c.readOnly) opts.push('--read-only');
  for (const t of c.tmpfs) opts.push('--tmpfs', t);
  if (c.restart !== 'no') opts.push('--restart', c.restart);
  if (c.workdir) opts.push('--workdir', c.workdir);
  for (const name of Object.keys(env).sort()) opts.push('--env', name in cliEnv ? name : `${name}=${env[name]}`);
  // Host paths as hermit's pinned binds (binds.ts): Docker never looks up a path the agent can change.
  const pinned = dockerMounts(profile, stateDir(environment));
  const mounts = [...pinned, ...engine?.mounts ?? []];
  for (const m of mounts) opts.push('--volume', m);
  for (const p of c.publish) opts.push('--publish', p);
  const h = c.healthcheck;
  if (h) {
    opts.push('--health-cmd', h.command);
    if (h.interval) opts.push('--health-interval', h.interval);
    if (h.timeout) opts.push('--health-timeout', h.timeout);
    if (h.startPeriod) opts.push('--health-start-period', h.startPeriod);
    if (h.retries !== undefined) opts.push('--health-retries', String(h.retries));
  }
  opts.push(...c.dockerArgs, ...extras.dockerArgs);
  const command = extras.command.length > 0 ? extras.command : profile.command;
  const tail = [profile.image, ...command];

  // The pinned sources too: the folders Docker gets are the same whatever they pin.
  const configHash = hashOf({ opts, tail, env: Object.entries(env).sort(), ...(pinned.some((m, i) => m !== c.mounts[i]) ? { sources: c.mounts } : {}) });
  const labels = { [LABEL_PROFILE]: profile.name, [LABEL_CONFIG]: configHash };
  const args = ['run', '--detach', '--name', c.name, ...labelArgs(labels), ...opts, ...tail];
  const create = engineCreate(profile, extras, env, command, mounts, labels);
  return { args, env: cliEnv, configHash, ...(create ? { create } : {}) };
}

/** In allowlist mode the agent's resolver is a dead end on purpose: Docker's embedded DNS answers
 * container names itself and forwards the rest, from the agent's namespace, to the proxy's address,
 * where nothing answers DNS. Names are the proxy's business. */
const agentDns = (profile: Profile) => (profile.proxy ? [profile.proxy.address] : profile.dns);

/** ...and a dead end reached fast: Docker 20.10's embedded DNS never answers there what it cannot
 * forward, so every lookup in the agent waited out its resolver (5 s, twice). One try of 1 s fails
 * as surely. (Docker 28 answers at once; container names are answered at once by either.) */
const agentDnsOptions = (profile: Profile) => (profile.proxy ? ['timeout:1', 'attempts:1'] : []);

/** IPv6 off inside the container unless the profile turns it on, then the profile's own sysctls. */
function containerSysctls(profile: Profile): Record<string, string> {
  const off: Record<string, string> = profile.network.ipv6 ? {} : { 'net.ipv6.conf.all.disable_ipv6': '1', 'net.ipv6.conf.default.disable_ipv6': '1' };
  return { ...off, ...profile.container.sysctls };
}

const GO_UNITS_NS: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** A Go duration (the profile schema's form: 1m30s, 500ms) in nanoseconds, as the Engine API takes it. */
export function durationNs(text: string): number {
  let ns = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/g)) ns += Number(m[1]) * GO_UNITS_NS[m[2]!]!;
  return Math.round(ns);
}

/**
 * What `docker run --detach` with dockerRun()'s options sends to the engine. Kept to the options
 * dockerRun() writes itself; anything else (docker options from the profile or after `--`, port
 * ranges) leaves it to the docker CLI. An end-to-end test checks both ways give
 * the same container.
 */
function engineCreate(profile: Profile, extras: RunExtras, env: Record<string, string>, command: string[], mounts: string[], labels: Record<string, string>): EngineCreate | undefined {
  const c = profile.container;
  if (c.dockerArgs.length > 0 || extras.dockerArgs.length > 0) return undefined;
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const spec of c.publish) {
    const p = splitPublish(spec);
    if (!p || !/^\d+$/.test(p.containerPort) || !/^\d*$/.test(p.hostPort)) return undefined;
    const key = `${p.containerPort}/${p.protocol ?? 'tcp'}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.address ?? '', HostPort: p.hostPort });
  }
  const volumes: Record<string, object> = {};
  const binds: string[] = [];
  for (const m of mounts) {
    const v = splitVolume(m);
    if (!v) return undefined;
    if (v.host === undefined) volumes[v.container] = {};
    else binds.push(m);
  }
  const h = c.healthcheck;
  const body: Record<string, unknown> = {
    Image: profile.image,
    ...(command.length > 0 ? { Cmd: command } : {}),
    User: c.user,
    ...(c.workdir ? { WorkingDir: c.workdir } : {}),
    Env: Object.keys(env).sort().map((k) => `${k}=${env[k]}`),
    Labels: labels,
    ...(Object.keys(exposed).length > 0 ? { ExposedPorts: exposed } : {}),
    ...(Object.keys(volumes).length > 0 ? { Volumes: volumes } : {}),
    ...(h ? { Healthcheck: {
      Test: ['CMD-SHELL', h.command],
      ...(h.interval ? { Interval: durationNs(h.interval) } : {}),
      ...(h.timeout ? { Timeout: durationNs(h.timeout) } : {}),
      ...(h.startPeriod ? { StartPeriod: durationNs(h.startPeriod) } : {}),
      ...(h.retries !== undefined ? { Retries: h.retries } : {}),
    } } : {}),
    HostConfig: {
      NetworkMode: agentNetwork(profile),
      Dns: agentDns(profile),
      ...(agentDnsOptions(profile).length > 0 ? { DnsOptions: agentDnsOptions(profile) } : {}),
      CapDrop: ['ALL'],
      // As the CLI sends them: CAP_-prefixed, upper case.
      CapAdd: c.capAdd.map((cap) => `CAP_${cap.toUpperCase().replace(/^CAP_/, '')}`),
      SecurityOpt: ['no-new-privileges'],
      Sysctls: containerSysctls(profile),
      ReadonlyRootfs: c.readOnly,
      ...(c.tmpfs.length > 0 ? { Tmpfs: Object.fromEntries(c.tmpfs.map((t) => { const i = t.indexOf(':'); return i < 0 ? [t, ''] : [t.slice(0, i), t.slice(i + 1)]; })) } : {}),
      RestartPolicy: { Name: c.restart, MaximumRetryCount: 0 },
      Binds: binds,
      ...(Object.keys(bindings).length > 0 ? { PortBindings: bindings } : {}),
    },
  };
  return { name: c.name, body };
}

/** The agent's own container, as the sidecar planner and apply see it. */
export function agentSidecar(profile: Profile, run: DockerRun): Sidecar {
  return {
    noun: 'container',
    name: profile.container.name,
    profile: profile.name,
    configHash: run.configHash,
    create: { args: run.args, env: run.env },
    joins: [],
    dirs: [],
    files: [],
    restart: profile.container.restart,
  };
}

export function planContainer(profile: Profile, run: DockerRun, facts: HostFacts, opts: ContainerOptions): ContainerAction {
  const existing = facts.container;
  const imageChanged = opts.followImage && facts.imageId && existing && existing.image !== facts.imageId ? `image ${profile.image} changed: recreate container` : undefined;
  const c = planSidecar(agentSidecar(profile, run), existing, {
    replace: opts.replace,
    recreate: [opts.rebind, imageChanged, existing && staleNetwork(profile, existing, facts)],
  });
  if (c.kind === 'start') return c;
  return c.kind === 'run' ? { ...c, run } : { kind: 'keep', id: c.id, run, reason: c.reason };
}

/**
 * Why the container cannot use its network any more, when it is attached to the profile's
 * network by an id that is no longer that network's (`docker network rm`/`prune`, an engine
 * upgrade): Docker would refuse to start it, every time. Undefined when it is fine or unknown.
 */
function staleNetwork(profile: Profile, existing: ExistingContainer, facts: HostFacts): string | undefined {
  const name = profile.network.name;
  const attached = existing.networkIds?.[name];
  if (!attached) return undefined;
  const now = facts.networks.find((n) => n.name === name);
  if (now?.id === attached) return undefined;
  const how = now ? `removed and created again (id ${attached.slice(0, 12)} → ${now.id.slice(0, 12)})` : `removed (id ${attached.slice(0, 12)})`;
  return `network ${name} was ${how} since ${existing.name} was created: recreate container`;
}
