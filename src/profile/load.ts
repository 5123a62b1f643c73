// Reads a profile file: YAML (and the files it extends) -> merge -> ${VAR} expansion -> schema
// check -> defaults and absolute paths -> semantic checks. Every problem found is reported at
// once, each located as file:line:col in the file that wrote the value.
import { pathToFileURL } from 'node:url';
import { SCHEMA_FILE } from '../paths.js';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ErrorObject, SchemaObject } from 'ajv';
import { type Document, LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { HermitError } from '../errors.js';
// Compiled ahead of time (schema-code.ts): compiling the schema here cost more than the rest of loading.
import validateSchema from './schema-validator.generated.js';
import { nthAddress, parseCidr, isIp } from '../net/cidr.js';
import { formatPublish, splitPublish, splitVolume } from '../docker/args.js';
import { profileProblems } from './checks.js';
import type { SensitivePlaces } from './isolation.js';
import { type KeyPath, type Problem, fileLineCol, formatProblems, SCHEMA_HINT } from './problems.js';
import { domainAllows, proxySettings } from './allowlist.js';
import { ENGINE_UID, engineSettings } from './engine.js';
import { type RawCredential, credentialProxySettings, credentialSettings } from './credentials.js';
import { type Env, passwdHome, profileEnv, sudoUserHome } from './host-env.js';
import { stateDir } from '../state/store.js';
import { interpolateTree } from './interpolate.js';
import { type Data, mergeLayers } from './merge.js';
import { type Places, displayPath, findProfile, isPathArg } from './resolve.js';
import {
  DEFAULT_BLOCKED_V4, DEFAULT_BLOCKED_V6, type EgressException, type HealthCheck, type HostPort, type ImageBuild,
  type LoadedProfile, type Profile, type ProbeTargetSpec, type Protocol, type RestartPolicy, type SourcePosition,
} from './types.js';

export const SCHEMA_URL = pathToFileURL(SCHEMA_FILE);

/** The profile as the schema accepts it, before defaults (after extends is merged). */
interface RawProfile {
  name: string;
  image: string;
  build?: { context: string; dockerfile?: string };
  command?: string | string[];
  network: { name?: string; subnet: string; gateway?: string; bridge?: string; mtu?: number; ipv6?: boolean; subnet6?: string };
  dns: string[];
  egress?: {
    block?: string[];
    block6?: string[];
    allow?: { to: string; ports?: number[]; protocol?: Protocol | 'any'; comment?: string }[];
    domains?: string[];
    proxyImage?: string;
    caFile?: string;
  };
  credentials?: RawCredential[];
  hostPorts?: { port: number; protocol?: Protocol; comment?: string }[];
  container?: {
    name?: string;
    user?: string;
    env?: Record<string, string | number | boolean>;
    passEnv?: string[];
    envFile?: string;
    mounts?: string[];
    sensitiveMounts?: string[];
    workdir?: string;
    restart?: RestartPolicy;
    sysctls?: Record<string, string | number | boolean>;
    readOnly?: boolean;
    publish?: string[];
    capAdd?: string[];
    tmpfs?: string[];
    dockerArgs?: string[];
    healthcheck?: { command: string | string[]; interval?: string; timeout?: string; startPeriod?: string; retries?: number };
  };
  probe?: { mustReach?: ProbeTargetSpec[]; mustBlock?: ProbeTargetSpec[]; dnsName?: string; timeoutMs?: number; onFailure?: 'stop' | 'warn'; onOutage?: 'warn' | 'stop'; outageRetrySec?: number };
  docker?: boolean | { image?: string };
}

type Locate = (path: KeyPath, at?: 'key') => SourcePosition | undefined;

export interface LoadOptions {
  /** Where `extends: <name>` is looked up; the project search starts at the extending file's folder. */
  places?: Omit<Places, 'cwd' | 'env'>;
}

/** Reads (unless `text` is given), validates and normalizes a profile; throws one usage error listing every problem. */
export function loadProfile(file: string, text?: string, env: Env = profileEnv(), opts: LoadOptions = {}): LoadedProfile {
  if (text === undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new HermitError('usage', `cannot read profile ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
        'Give the path of a profile file, such as profiles/claude-agent.yaml');
    }
  }
  return parseProfile(file, text, env, opts);
}

/** Like loadProfile, for text already in hand; `file` names it in messages and anchors relative paths. */
export function parseProfile(file: string, text: string, env: Env = profileEnv(), opts: LoadOptions = {}): LoadedProfile {
  const result = validateProfileText(file, text, env, opts);
  if (!result.loaded) throw new HermitError('usage', result.problems.join('\n'), SCHEMA_HINT);
  return result.loaded;
}

/** One file of an extends chain. */
interface Layer {
  /** Absolute path. */
  file: string;
  /** As shown in messages. */
  label: string;
  doc: Document;
  lc: LineCounter;
  data: unknown;
}

/** Every problem as a "file:line:col: key: problem" line; `loaded` is set only when there are none. For `hermit validate`. */
export function validateProfileText(file: string, text: string, env: Env = profileEnv(), opts: LoadOptions = {}): { problems: string[]; loaded?: LoadedProfile } {
  const chain = readChain(file, text, env, opts);
  if ('problems' in chain) return { problems: chain.problems };
  const layers = chain.layers;
  // Not a mapping (only possible without extends): nothing to merge, the schema says what is wrong.
  const d = layers[0]!.data;
  const merged = d !== null && typeof d === 'object' && !Array.isArray(d)
    ? mergeLayers(layers.map((l) => l.data as Data))
    : { data: d, originOf: (p: KeyPath) => ({ layer: 0, docPath: p }) };
  const top = layers.length - 1;
  const locate: Locate = (p, at) => {
    const o = merged.originOf(p);
    const layer = layers[o.layer]!;
    const pos = locateIn(layer.doc, layer.lc, o.docPath, at);
    return pos && (o.layer === top ? pos : { ...pos, file: layer.label });
  };
  const report = (problems: Problem[]) => ({ problems: formatProblems(file, problems, locate).split('\n') });
  const dirOf = (p: KeyPath) => path.dirname(layers[merged.originOf(p).layer]!.file);

  const expansion: Problem[] = [];
  const data = interpolateTree(merged.data, env, expansion);
  // A value that could not be expanded is reported for that, not again by the schema or the checks.
  const unexpanded = new Set(expansion.map((p) => p.path.join('\0')));
  const withExpansion = (more: Problem[]) => [...expansion, ...more.filter((p) => !unexpanded.has(p.path.join('\0')))];
  if (!validateSchema(data)) return report(withExpansion(schemaProblems(validateSchema.errors ?? [], data)));

  const problems: Problem[] = [];
  const { profile } = normalize(data as RawProfile, dirOf, env, problems);
  // The loader's own problem with a key (a ~ it could not expand) is enough; the checks would only add its consequence.
  const own = new Set(problems.map((p) => p.path.join('\0')));
  problems.push(...profileProblems(profile, { realpath: existingRealpath, sockets: engineSockets(env), sensitive: sensitivePlaces(env) }).filter((p) => !own.has(p.path.join('\0'))));
  if (expansion.length + problems.length > 0) return report(withExpansion(problems));
  const files = layers.map((l) => l.file).reverse();
  return { problems: [], loaded: { profile, file: files[0]!, chain: files, locate: (p) => locate([...p]) } };
}

// ---------------------------------------------------------------------------------------------
// extends

/** The file and every file it extends, base first; or the problems that stop the chain. */
function readChain(file: string, text: string, env: Env, opts: LoadOptions): { layers: Layer[] } | { problems: string[] } {
  const layers: Layer[] = [];
  let cur = { file: path.resolve(file), label: file, text };
  for (;;) {
    const lc = new LineCounter();
    const doc = parseDocument(cur.text, { lineCounter: lc, prettyErrors: true });
    if (doc.errors.length > 0) {
      return {
        problems: doc.errors.map((e) => {
          const pos = e.linePos?.[0];
          const what = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
          return `${fileLineCol(cur.label, pos)}: YAML syntax: ${what}`;
        }),
      };
    }
    let data: unknown;
    try {
      data = doc.toJS(); // throws on alias bombs and aliases to nothing
    } catch (err) {
      return { problems: [`${cur.label}: YAML syntax: ${(err as Error).message}`] };
    }
    const layer: Layer = { ...cur, doc, lc, data };
    layers.unshift(layer);
    const at = (message: string) => ({ problems: formatProblems(layer.label, [{ path: ['extends'], at: 'key', message }], (p, a) => locateIn(doc, lc, p, a)).split('\n') });

    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      if (layers.length === 1) return { layers }; // the schema says what a profile must be
      return { problems: formatProblems(layer.label, [{ path: [], message: 'a profile must be a mapping of keys such as name:, image:, network:, dns:' }], (p) => locateIn(doc, lc, p)).split('\n') };
    }
    const ext = (data as Data).extends;
    if (ext === undefined) return { layers };
    if (typeof ext !== 'string' || ext.trim() === '') return at('must be the name of a profile, or a path such as ../base.yaml');

    const names = [...layers].reverse().map((l) => displayPath(l.file));
    let parent: string;
    try {
      // A path that closes a cycle is a cycle even before the file exists (text not yet written).
      const target = path.resolve(path.dirname(cur.file), ext);
      parent = isPathArg(ext) && layers.some((l) => sameFile(l.file, target))
        ? target
        : findProfile(ext, { ...opts.places, cwd: path.dirname(cur.file), env }, { skip: cur.file }).file;
    } catch (err) {
      if (!(err instanceof HermitError)) throw err;
      // The chain goes after the first clause: "no profile named 'base' (a.yaml → base); looked in: ...".
      return at(err.message.replace(/^[^;\n]*/, (first) => `${first} (${[...names, ext].join(' → ')})`));
    }
    const seen = layers.find((l) => sameFile(l.file, parent));
    if (seen) return at(`makes a cycle: ${[...names, displayPath(parent)].join(' → ')}`);
    let parentText: string;
    try {
      parentText = readFileSync(parent, 'utf8');
    } catch (err) {
      return at(`cannot read ${parent}: ${(err as Error).message}`);
    }
    cur = { file: parent, label: displayPath(parent), text: parentText };
  }
}

function sameFile(a: string, b: string): boolean {
  return (existingRealpath(a) ?? a) === (existingRealpath(b) ?? b);
}

// ---------------------------------------------------------------------------------------------
// Locating keys in the YAML source

/**
 * Position of a key path: a scalar's value, or the key of a mapping/list (so "network" points at
 * "network:"). A path that does not exist (a default) falls back to its nearest existing parent.
 */
function locateIn(doc: Document, lc: LineCounter, keyPath: KeyPath, at?: 'key'): SourcePosition | undefined {
  let node: unknown = doc.contents;
  let offset = (node as { range?: [number] } | null)?.range?.[0];
  for (const seg of keyPath) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair || !isScalar(pair.key)) break;
      node = pair.value;
      const valueStart = isScalar(node) && node.value !== null ? node.range?.[0] : undefined;
      offset = at === 'key' || valueStart === undefined ? pair.key.range?.[0] : valueStart;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
      node = node.items[seg];
      offset = (node as { range?: [number] }).range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lc.linePos(offset);
}

// ---------------------------------------------------------------------------------------------
// Schema errors, in words a person can act on

function schemaProblems(errors: ErrorObject[], data: unknown): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const e of errors) {
    const problem = describe(e, instancePath(e.instancePath, data), data);
    if (!problem) continue;
    // One message per key is enough, but every missing key is worth naming.
    const id = `${problem.path.join('\0')}|${problem.at ?? ''}|${e.keyword === 'required' ? problem.message : ''}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(problem);
  }
  return out;
}

function describe(e: ErrorObject, at: KeyPath, data: unknown): Problem | undefined {
  const parent = (e.parentSchema ?? {}) as SchemaObject;
  const custom = typeof parent.errorMessage === 'string' ? parent.errorMessage : undefined;
  // Errors raised inside propertyNames carry the offending key; the wrapper error repeats it.
  if (e.keyword === 'propertyNames') return undefined;
  const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    return { path: [...at, propertyName], at: 'key', message: `'${propertyName}' is not a valid name: ${custom ?? e.message ?? 'invalid'}` };
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const refused = REFUSED_KEYS[key.toLowerCase()];
      if (refused) return { path: [...at, key], at: 'key', message: `unknown key '${key}': ${refused}` };
      const allowed = Object.keys((parent.properties ?? {}) as object);
      const guess = closest(key, allowed);
      const tail = guess ? ` (did you mean '${guess}'?)` : allowed.length > 0 ? ` (allowed here: ${allowed.join(', ')})` : '';
      return { path: [...at, key], at: 'key', message: `unknown key '${key}'${tail}` };
    }
    case 'required':
      return { path: at, message: `missing required key '${(e.params as { missingProperty: string }).missingProperty}'` };
    case 'type': {
      const value = valueAt(data, at);
      if (at.length === 1 && at[0] === 'network' && typeof value === 'string') {
        const mode = value === 'host' ? 'host networking would remove the isolation' : `'${value}' networking is not an option`;
        return { path: at, message: `hermit always runs the container on its own bridge; ${mode}. Describe the bridge instead: network: { subnet: 172.30.0.0/24 }` };
      }
      if (at.length === 0) return { path: at, message: 'a profile must be a mapping of keys such as name:, image:, network:, dns:' };
      return { path: at, message: custom ?? `must be ${typeWords((e.params as { type: string | string[] }).type)}` };
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      return { path: at, message: `must be one of ${allowed.join(', ')} (not '${String(valueAt(data, at))}')` };
    }
    case 'minItems':
      return { path: at, message: (e.params as { limit: number }).limit === 1 ? 'must list at least one entry' : `must list at least ${(e.params as { limit: number }).limit} entries` };
    case 'minLength':
      return { path: at, message: 'must not be empty' };
    default:
      return { path: at, message: custom ?? e.message ?? `fails the schema's ${e.keyword} rule` };
  }
}

/** JSON pointer -> key path, with list indexes as numbers. */
function instancePath(pointer: string, data: unknown): KeyPath {
  const out: KeyPath = [];
  let node = data;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key = Array.isArray(node) ? Number(seg) : seg;
    out.push(key);
    node = (node as Record<string | number, unknown> | undefined)?.[key];
  }
  return out;
}

function valueAt(data: unknown, at: KeyPath): unknown {
  return at.reduce<unknown>((node, k) => (node as Record<string | number, unknown> | undefined)?.[k], data);
}

/** Keys people bring from docker-compose that hermit leaves out on purpose. */
const REFUSED_KEYS: Record<string, string> = {
  privileged: 'hermit never runs a container privileged; give single capabilities with container.capAdd',
  network_mode: 'hermit always runs the container on its own bridge; describe it under network:',
  networkmode: 'hermit always runs the container on its own bridge; describe it under network:',
};

const TYPE_WORDS: Record<string, string> = {
  string: 'text', integer: 'a whole number', number: 'a number', boolean: 'true or false',
  array: 'a list', object: 'a mapping of keys to values', null: 'empty',
};

function typeWords(type: string | string[]): string {
  return (Array.isArray(type) ? type : type.split(',')).map((t) => TYPE_WORDS[t] ?? t).join(' or ');
}

/** The allowed key nearest to a misspelling, if it is close enough to be a typo. */
function closest(word: string, candidates: string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (!best || d < best.d) best = { c, d };
  }
  return best && best.d <= Math.max(1, Math.floor(word.length / 3)) ? best.c : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

// ---------------------------------------------------------------------------------------------
// Defaults and normalization

function normalize(raw: RawProfile, dirOf: (p: KeyPath) => string, env: Env, problems: Problem[]): { profile: Profile } {
  const n = raw.network;
  const c = raw.container ?? {};
  const e = raw.egress ?? {};
  const pr = raw.probe ?? {};
  const subnet = parseCidr(n.subnet);

  // Relative paths are relative to the file that wrote them (a parent's, with extends).
  const hostPath = (text: string, at: KeyPath) => expandHostPath(text, dirOf(at), env, at, problems);
  const mounts = (c.mounts ?? []).map((spec, i) => {
    const at: KeyPath = ['container', 'mounts', i];
    const v = splitVolume(spec);
    // Only paths are resolved; volume names and anonymous volumes pass as written.
    if (!v || v.host === undefined || !looksLikePath(v.host)) return spec;
    return [hostPath(v.host, at), v.container, ...(v.options === undefined ? [] : [v.options])].join(':');
  });
  const publish = (c.publish ?? []).map((spec) => {
    const p = splitPublish(spec);
    // No address means every host address to Docker; hermit binds loopback unless told otherwise.
    return p && p.address === undefined ? formatPublish({ ...p, address: '127.0.0.1' }) : spec;
  });

  const profile: Profile = {
    name: raw.name,
    image: raw.image,
    ...(raw.build === undefined ? {} : { build: imageBuild(raw.build, raw.image, hostPath, problems) }),
    command: splitCommand(raw.command, problems),
    network: {
      name: n.name ?? `hermit-${raw.name}`,
      subnet: n.subnet,
      gateway: n.gateway ?? (subnet ? nthAddress(subnet, 1) : ''),
      bridge: n.bridge ?? `hm-${raw.name}`.slice(0, 15),
      ...(n.mtu === undefined ? {} : { mtu: n.mtu }),
      ipv6: n.ipv6 ?? false,
      ...(n.subnet6 === undefined ? {} : { subnet6: n.subnet6 }),
    },
    dns: raw.dns,
    egress: {
      // User ranges first, so their indexes match the file; the built-in ones are always added.
      block: withDefaults(e.block ?? [], DEFAULT_BLOCKED_V4),
      block6: withDefaults(e.block6 ?? [], DEFAULT_BLOCKED_V6),
      allow: (e.allow ?? []).map((a): EgressException => ({
        to: a.to,
        ports: a.ports ?? [],
        protocol: a.protocol ?? 'tcp',
        ...(a.comment === undefined ? {} : { comment: a.comment }),
      })),
    },
    hostPorts: (raw.hostPorts ?? []).map((h): HostPort => ({
      port: h.port,
      protocol: h.protocol ?? 'tcp',
      ...(h.comment === undefined ? {} : { comment: h.comment }),
    })),
    container: {
      name: c.name ?? `hermit-${raw.name}`,
      user: c.user ?? '1000:1000',
      env: stringValues(c.env),
      passEnv: c.passEnv ?? [],
      ...(c.envFile === undefined ? {} : { envFile: hostPath(c.envFile, ['container', 'envFile']) }),
      mounts,
      sensitiveMounts: (c.sensitiveMounts ?? []).map((m, i) => (looksLikePath(m) ? hostPath(m, ['container', 'sensitiveMounts', i]) : m)),
      ...(c.workdir === undefined ? {} : { workdir: c.workdir }),
      restart: c.restart ?? 'no',
      sysctls: stringValues(c.sysctls),
      readOnly: c.readOnly ?? false,
      publish,
      capAdd: c.capAdd ?? [],
      tmpfs: c.tmpfs ?? [],
      dockerArgs: c.dockerArgs ?? [],
      ...(c.healthcheck === undefined ? {} : { healthcheck: healthCheck(c.healthcheck) }),
    },
    probe: {
      mustReach: pr.mustReach ?? [],
      mustBlock: pr.mustBlock ?? [],
      dnsName: pr.dnsName ?? pr.mustReach?.find((t) => !isIp(t.host))?.host ?? 'example.com',
      timeoutMs: pr.timeoutMs ?? 3000,
      onFailure: pr.onFailure ?? 'stop',
      onOutage: pr.onOutage ?? 'warn',
      outageRetrySec: pr.outageRetrySec ?? 20,
    },
  };
  if (e.domains !== undefined) {
    const mode = proxySettings({ domains: e.domains, ...(e.proxyImage === undefined ? {} : { proxyImage: e.proxyImage }) },
      profile.name, profile.network, profile.container.name, problems);
    if (mode) {
      // The bridge keeps the lower half (the proxy's side); the agent gets the upper half.
      profile.network.subnet = mode.bridgeSubnet;
      profile.proxy = mode.proxy;
    }
  } else if (e.proxyImage !== undefined && (raw.credentials ?? []).length === 0) {
    problems.push({ path: ['egress', 'proxyImage'], at: 'key', message: 'has no effect without egress.domains (allowlist mode); add domains, or remove it' });
  }
  const engine = engineSettings(raw.docker, profile.name, profile.container.name);
  if (engine) profile.docker = engine;
  withCredentials(profile, raw, hostPath, env, problems);
  // The engine's socket is its uid's (1000), mode 0660: only an agent of that uid can use it.
  if (engine && profile.container.user.split(':')[0] !== ENGINE_UID) {
    problems.push({ path: c.user === undefined ? ['docker'] : ['container', 'user'], message: `is ${profile.container.user}, but the docker: engine's socket can be used only by uid ${ENGINE_UID}; set container.user to "${ENGINE_UID}:${ENGINE_UID}" (a numeric uid), or remove docker:` });
  }
  return { profile };
}

/** credentials: and egress.caFile, given to the proxy; a credential's host counts as listed. */
function withCredentials(profile: Profile, raw: RawProfile, hostPath: (t: string, at: KeyPath) => string, env: Env, problems: Problem[]): void {
  const caFile = raw.egress?.caFile;
  const creds = credentialSettings(raw.credentials ?? [], hostPath, profile.container, env, problems);
  if (creds.length === 0) {
    if (caFile !== undefined) problems.push({ path: ['egress', 'caFile'], at: 'key', message: 'is used only for the TLS of credentials: add credentials, or remove it' });
    return;
  }
  const ca = caFile === undefined ? undefined : hostPath(caFile, ['egress', 'caFile']);
  const proxy = profile.proxy;
  if (!proxy) {
    const own = credentialProxySettings(creds, ca, raw.egress?.proxyImage, profile.network, profile.container.name, problems);
    if (own) profile.credentialProxy = own;
    return;
  }
  proxy.credentials = creds;
  if (ca !== undefined) proxy.caFile = ca;
  for (const c of creds) {
    if (!domainAllows(proxy.domains, c.host, c.port)) proxy.domains.push({ name: c.host, subdomains: false, ports: c.port === 443 ? [] : [c.port] });
  }
}

/** Context and Dockerfile made absolute; both must exist, or the first run could not build. */
function imageBuild(b: NonNullable<RawProfile['build']>, image: string, hostPath: (t: string, at: KeyPath) => string, problems: Problem[]): ImageBuild {
  const context = hostPath(b.context, ['build', 'context']);
  const dockerfile = b.dockerfile === undefined ? path.join(context, 'Dockerfile') : hostPath(b.dockerfile, ['build', 'dockerfile']);
  if (!isDir(context)) problems.push({ path: ['build', 'context'], message: `${context} is not a directory; give the folder to build the image from, relative to the profile file` });
  else if (!isFile(dockerfile)) problems.push({ path: ['build', b.dockerfile === undefined ? 'context' : 'dockerfile'], message: `there is no Dockerfile at ${dockerfile}` });
  if (image.includes('@')) problems.push({ path: ['image'], message: 'names a digest, but build needs a tag to build the image as, such as localhost/agent:latest' });
  return { context, dockerfile };
}

const isDir = (p: string) => { try { return statSync(p).isDirectory(); } catch { return false; } };
const isFile = (p: string) => { try { return statSync(p).isFile(); } catch { return false; } };

/** docker run takes the health command as one shell line; a list is quoted word by word. */
function healthCheck(h: NonNullable<NonNullable<RawProfile['container']>['healthcheck']>): HealthCheck {
  return {
    command: Array.isArray(h.command) ? h.command.map(shellQuote).join(' ') : h.command,
    ...(h.interval === undefined ? {} : { interval: h.interval }),
    ...(h.timeout === undefined ? {} : { timeout: h.timeout }),
    ...(h.startPeriod === undefined ? {} : { startPeriod: h.startPeriod }),
    ...(h.retries === undefined ? {} : { retries: h.retries }),
  };
}

export const shellQuote = (word: string) => (/^[A-Za-z0-9_\/.:=,@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

function withDefaults(user: readonly string[], defaults: readonly string[]): string[] {
  return [...user, ...defaults.filter((d) => !user.includes(d))];
}

function stringValues(map: Record<string, string | number | boolean> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, String(v)]));
}

/** A list is taken as is; a string is split at spaces, and must not rely on shell quoting. */
function splitCommand(command: string | string[] | undefined, problems: Problem[]): string[] {
  if (command === undefined) return [];
  if (Array.isArray(command)) return command;
  if (/["'\\]/.test(command)) {
    problems.push({ path: ['command'], message: 'contains quotes or backslashes; write the command as a list, e.g. [sh, -c, "echo hi"]' });
  }
  return command.split(/\s+/).filter((w) => w !== '');
}

const looksLikePath = (host: string) => host.startsWith('/') || host.startsWith('.') || host.startsWith('~') || host.includes('/');

/** ~ -> $HOME, relative -> against the profile's directory. */
function expandHostPath(p: string, dir: string, env: Env, at: KeyPath, problems: Problem[]): string {
  if (p === '~' || p.startsWith('~/')) {
    const home = env.HOME;
    if (!home) {
      problems.push({ path: at, message: 'uses ~ but HOME is not set; write an absolute path' });
      return p;
    }
    return path.join(home, p.slice(1));
  }
  if (p.startsWith('~')) {
    problems.push({ path: at, message: `'${p.split('/')[0]}' is not supported; write ~/path for your own home, or an absolute path` });
    return p;
  }
  return path.resolve(dir, p);
}

/** Engine sockets in per-user places that exist here; the usual system paths are known to the checks. */
function engineSockets(env: Env): string[] {
  const candidates = [
    env.HOME && path.join(env.HOME, '.docker/desktop/docker.sock'),
    env.HOME && path.join(env.HOME, '.docker/run/docker.sock'),
    env.XDG_RUNTIME_DIR && path.join(env.XDG_RUNTIME_DIR, 'docker.sock'),
    env.XDG_RUNTIME_DIR && path.join(env.XDG_RUNTIME_DIR, 'podman/podman.sock'),
    env.DOCKER_HOST?.startsWith('unix://') && env.DOCKER_HOST.slice('unix://'.length),
  ];
  return candidates.filter((c): c is string => typeof c === 'string' && c !== '' && existingRealpath(c) !== undefined);
}

/** This host's sensitive places: hermit's state and config, the engine's data, and the homes whose
 * credentials a mount must not hand over (the user's, and under sudo the invoking user's). */
export function sensitivePlaces(env: Env): SensitivePlaces {
  const homes = [env.HOME, sudoUserHome(env), passwdHome('root') ?? '/root'].filter((h): h is string => !!h && path.isAbsolute(h));
  const config = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? [path.join(env.XDG_CONFIG_HOME, 'hermit')] : [];
  return { homes: [...new Set(homes)], dirs: [stateDir(), ...config], exists: (p) => existingRealpath(p) !== undefined };
}

export function existingRealpath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}
