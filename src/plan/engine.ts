// The agent's own Docker engine (`docker:`) as a pure plan: the engine container's `docker create`
// arguments and what the agent's container gets to use it. The engine is Debian's dockerd run
// rootless (rootlesskit + slirp4netns, uid 1000 in a user namespace) in the AGENT's network
// namespace: slirp4netns opens every connection of the engine and of its containers from there, so
// hermit's rules for the agent are the rules for all of them. docs/engine.md has the experiments
// behind each flag.
import { join } from 'node:path';
import { ENGINE_RECIPE_DIR } from '../profile/engine.js';
import { HermitError } from '../errors.js';
import type { EngineSettings, Profile } from '../profile/types.js';
import type { EngineFacts, HostFacts } from './host-facts.js';
import { BUILD_ENV, type ImageAction } from './image.js';
import { type HostCommand, type Prerequisite, type Sidecar, type SidecarAction, type SidecarPlan, planSidecar } from './sidecar.js';
import { VERSION } from '../version.js';
import { dockerMounts } from './binds.js';
import { forwardProxyEnv } from './egress.js';
import { LABEL_CONFIG, LABEL_PROFILE, LABEL_ROLE, configHash as hashOf, labelArgs } from './labels.js';

/** The engine's user (prepare.sh): every process of the container runs as it, with no capability. */
export const ENGINE_USER = '1000:1000';
/** Inside both containers: the folder of the engine's socket (a volume the agent mounts). */
export const ENGINE_SOCKET_DIR = '/run/hermit-docker';
export const ENGINE_SOCKET = `${ENGINE_SOCKET_DIR}/docker.sock`;
/** Allowlist mode: the agent's docker CLI configuration folder (DOCKER_CONFIG), in the socket's
 * volume. The engine writes config.json there with `proxies.default`, which the CLI turns into
 * HTTP(S)_PROXY and NO_PROXY for every container it runs and build it starts; `docker login`
 * writes its credentials beside them. */
export const ENGINE_CLI_CONFIG_DIR = `${ENGINE_SOCKET_DIR}/config`;
/** dockerd-rootless.sh keeps images and containers under $HOME/.local/share/docker. */
export const ENGINE_HOME = '/home/rootless';
export const ENGINE_DATA_DIR = `${ENGINE_HOME}/.local/share/docker`;
const RUNTIME_DIR = '/run/user/1000';
/** Docker's default allowlist plus namespaces, mounts, pivot_root, chroot and sethostname; keyctl ENOSYS. */
export const ENGINE_SECCOMP = join(ENGINE_RECIPE_DIR, 'seccomp.json');
export const ENGINE_ROLE = 'docker';
/** The role label of the socket's volume (`down` removes it; the data volume only with --volumes). */
export const ENGINE_SOCKET_ROLE = 'docker-socket';

/**
 * The bounding set: the only holders of these are the setuid newuidmap/newgidmap (the image's only
 * setuid programs), which write the user namespace's id maps. Without DAC_OVERRIDE they cannot open
 * /proc/<pid>/uid_map (owned by uid 1000), without SYS_ADMIN they cannot write it. no-new-privileges
 * would disarm the setuid bit, so it cannot be set.
 */
const ENGINE_CAPS = ['SETUID', 'SETGID', 'DAC_OVERRIDE', 'SYS_ADMIN'];

/** What the host offers the engine, found by apply. */
export interface EngineHost {
  /** A character device 10:200 owned by the engine's uid, in a root-only folder of hermit's, when
   * the host's /dev/net/tun cannot be opened by that uid (mode 0600): bound over /dev/net/tun. With
   * none, the host's node goes in with --device (usually 0666). Docker's default device rules
   * already let every container use 10:200. */
  tunNode?: string;
}

export interface EngineRun {
  /** `docker create` arguments of the engine container (start it after the agent's). */
  create: string[];
  configHash: string;
  /** What the agent's container gets: the socket volume and the environment that points at it. */
  agent: { env: Record<string, string>; mounts: string[] };
}

/** What the agent's container gets to use the engine (part of the agent's configuration hash). */
export function engineAgent(profile: Profile): EngineRun['agent'] {
  const engine = profile.docker;
  if (!engine) throw new Error(`profile ${profile.name} has no docker: engine to plan`);
  return {
    env: {
      DOCKER_HOST: `unix://${ENGINE_SOCKET}`,
      // testcontainers would look for the bridge gateway; the engine publishes on the agent's localhost.
      TESTCONTAINERS_HOST_OVERRIDE: 'localhost',
      // Allowlist mode: the CLI configuration the engine writes, so nested runs and builds get the proxy.
      ...(profile.proxy ? { DOCKER_CONFIG: ENGINE_CLI_CONFIG_DIR } : {}),
    },
    mounts: [`${engine.socketVolume}:${ENGINE_SOCKET_DIR}`],
  };
}

/** Allowlist mode: what the engine gets so that dockerd pulls through hermit's proxy and writes the
 * agent's CLI configuration (prepare.sh's dockerd wrapper) with the same proxy for nested containers
 * and builds. The default mode: the declared resolvers instead. */
function engineEgressEnv(profile: Profile): Record<string, string> {
  if (!profile.proxy) return { HERMIT_ENGINE_DNS: profile.dns.join(' ') };
  return {
    // dockerd reads HTTP(S)_PROXY and NO_PROXY; the credentials' base URLs are the agent's business.
    ...forwardProxyEnv(profile.proxy),
    HERMIT_DOCKER_CONFIG: ENGINE_CLI_CONFIG_DIR,
    // Names are the proxy's business: the engine resolves none. A resolver where nothing listens
    // (the loopback of rootlesskit's namespace) refuses at once; slirp4netns's, left in place,
    // forwards to what it cannot reach and every lookup waits out its timeouts (dockerd looks the
    // registry's name up before it asks the proxy: a pull took 40 s).
    HERMIT_ENGINE_DNS: '127.0.0.1',
  };
}

/** hermit's own tun node for the profile's engine, in a root-only folder of its state dir. */
export const tunNodeDir = (stateDir: string, profile: string) => join(stateDir, profile, 'engine');
export const tunNodePath = (stateDir: string, profile: string) => join(tunNodeDir(stateDir, profile), 'tun');

export function engineRun(profile: Profile, host: EngineHost, stateDir: string): EngineRun {
  const engine = profile.docker;
  if (!engine) throw new Error(`profile ${profile.name} has no docker: engine to plan`);
  const env: Record<string, string> = {
    HOME: ENGINE_HOME,
    XDG_RUNTIME_DIR: RUNTIME_DIR,
    // Default mode: slirp4netns's resolver would forward to the agent's 127.0.0.11, which it may
    // not reach (--disable-host-loopback): the engine and its containers query the declared
    // resolvers straight (prepare.sh writes them into the engine's own /etc/resolv.conf).
    // Allowlist mode: no resolver at all (names are the proxy's business); the proxy instead.
    ...engineEgressEnv(profile),
  };
  const opts = [
    '--network', `container:${profile.container.name}`,
    '--user', ENGINE_USER, '--cap-drop', 'ALL', ...ENGINE_CAPS.flatMap((c) => ['--cap-add', c]),
    '--security-opt', `seccomp=${ENGINE_SECCOMP}`,
    // A fresh procfs (the nested runc's /proc) may not be mounted while parts of /proc are masked.
    '--security-opt', 'systempaths=unconfined',
    ...(host.tunNode ? ['--volume', `${host.tunNode}:/dev/net/tun`] : ['--device', '/dev/net/tun']),
    // Nothing of the image changes: rootlesskit copies /etc and /run up into its own tmpfs, and
    // dockerd writes only its runtime folder, ~/.config, /tmp and the data volume.
    '--read-only', '--tmpfs', '/tmp', '--tmpfs', `${ENGINE_HOME}/.config:uid=1000,gid=1000,mode=700`,
    '--tmpfs', `${RUNTIME_DIR}:uid=1000,gid=1000,mode=700`,
    ...(profile.container.restart !== 'no' ? ['--restart', profile.container.restart] : []),
    ...Object.keys(env).sort().flatMap((k) => ['--env', `${k}=${env[k]}`]),
    '--volume', `${engine.dataVolume}:${ENGINE_DATA_DIR}`,
    '--volume', `${engine.socketVolume}:${ENGINE_SOCKET_DIR}`,
    // The agent's folders at the same paths, so `docker run -v $PWD:/src` and compose binds work.
    ...dockerMounts(profile, stateDir).flatMap((m) => ['--volume', m]),
    '--entrypoint', 'dockerd-rootless.sh',
  ];
  // Published ports of nested containers listen on the agent's 127.0.0.1, never wider.
  const tail = [engine.image, '-H', `unix://${ENGINE_SOCKET}`, '--ip', '127.0.0.1'];
  // The seccomp profile ships with hermit: a new version may change it. Where hermit is installed
  // is not part of the engine's settings (a reinstall elsewhere recreates nothing).
  const configHash = hashOf({ opts: opts.map((o) => (o === `seccomp=${ENGINE_SECCOMP}` ? 'seccomp=<hermit>' : o)), tail, hermit: VERSION });
  const labels = { [LABEL_PROFILE]: profile.name, [LABEL_ROLE]: ENGINE_ROLE, [LABEL_CONFIG]: configHash };
  return {
    create: ['create', '--name', engine.container, ...labelArgs(labels), ...opts, ...tail],
    configHash,
    agent: engineAgent(profile),
  };
}

/** The engine answers on its socket (asked from inside its container): ready for the agent. */
export const engineAnswers = (engine: EngineSettings): HostCommand =>
  ({ file: 'docker', args: ['exec', engine.container, 'docker', '-H', `unix://${ENGINE_SOCKET}`, 'version', '--format', '{{.Server.Version}}'] });

/** The engine as a sidecar: after the agent, in its network namespace; its volumes (labelled with
 * the profile, so `down` finds them) and, when the host's /dev/net/tun is closed to its uid,
 * hermit's own tun node are made before it is created or started. */
export function engineSidecar(profile: Profile, facts: EngineFacts, stateDir: string): Sidecar {
  const engine = profile.docker!;
  const tunNode = facts.hostTun ? undefined : tunNodePath(stateDir, profile.name);
  const run = engineRun(profile, tunNode ? { tunNode } : {}, stateDir);
  const roles = { [engine.dataVolume]: ENGINE_ROLE, [engine.socketVolume]: ENGINE_SOCKET_ROLE };
  const volumes = [engine.dataVolume, engine.socketVolume].filter((v) => !facts.volumes.includes(v)).map((v): Prerequisite => ({
    cmd: { file: 'docker', args: ['volume', 'create', ...labelArgs({ [LABEL_PROFILE]: profile.name, [LABEL_ROLE]: roles[v]! }), v] },
    // Only the socket's: the data volume holds nothing yet, but removing it could race a user's
    // first pull; a rollback leaves an empty, labelled volume that `down --volumes` removes.
    ...(v === engine.socketVolume ? { undo: { file: 'docker', args: ['volume', 'rm', '--force', v] } } : {}),
    change: `created volume ${v}`,
  }));
  const node: Prerequisite[] = tunNode && !facts.tunNode ? [
    // Root-only: nobody else may open a tun node of uid 1000's.
    { cmd: { file: 'mkdir', args: ['-p', '-m', '700', tunNodeDir(stateDir, profile.name)] } },
    { cmd: { file: 'mknod', args: ['--mode=600', tunNode, 'c', '10', '200'] }, undo: { file: 'rm', args: ['-f', tunNode] }, change: `made ${tunNode} (the engine's tun device)` },
    { cmd: { file: 'chown', args: [ENGINE_USER, tunNode] } },
  ] : [];
  return {
    role: ENGINE_ROLE,
    noun: 'docker engine',
    name: engine.container,
    profile: profile.name,
    configHash: run.configHash,
    create: { args: run.create },
    joins: [],
    netns: profile.container.name,
    dirs: [],
    needs: [...volumes, ...node],
    files: [],
    restart: profile.container.restart,
    ready: { command: engineAnswers(engine), fatal: /is not running|No such container/i, timeoutMs: 120_000 },
  };
}

function engineImage(engine: EngineSettings, imageId: string | undefined): ImageAction {
  if (imageId) return { kind: 'present', id: imageId };
  if (!engine.build) {
    throw new HermitError('usage', `the docker: engine's image ${engine.image} is not on this host`,
      `Load or pull it (docker pull ${engine.image}), or leave out docker.image to build hermit's own`, ['docker', 'image']);
  }
  const args = ['build', '--tag', engine.image, '--file', engine.build.dockerfile ?? join(engine.build.context, 'Dockerfile'), engine.build.context];
  return { kind: 'build', reason: `build docker engine image ${engine.image} (not on this host)`, args, env: { ...BUILD_ENV } };
}

export interface EngineOptions {
  replace: boolean;
  stateDir: string;
  /** What the plan does with the agent: the engine follows it into a new network namespace. */
  agent: Pick<SidecarAction, 'kind'>;
}

/** The engine's image and what to do with its container; undefined without `docker:`. */
export function planEngine(profile: Profile, facts: HostFacts, opts: EngineOptions): SidecarPlan | undefined {
  if (!profile.docker) return undefined;
  const ef = facts.engine;
  if (!ef) throw new Error('planEngine: facts.engine missing (gatherFacts was not asked about the engine)');
  const sidecar = engineSidecar(profile, ef, opts.stateDir);
  const agent = profile.container.name;
  return {
    sidecar,
    image: engineImage(profile.docker, ef.imageId),
    container: planSidecar(sidecar, ef.container, {
      replace: opts.replace,
      recreated: opts.agent.kind === 'run' ? [agent] : [],
      recreate: [
        opts.agent.kind === 'start' ? `${agent} starts in a new network namespace: recreate docker engine beside it` : undefined,
        ef.netnsStale ? `${agent} restarted since the docker engine started, which is left in its old network namespace: recreate docker engine` : undefined,
      ],
    }),
  };
}
