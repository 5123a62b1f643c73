// Reads a profile file: YAML -> schema check -> defaults and absolute paths -> semantic checks.
// Every problem found is reported at once, each located as file:line:col in the YAML source.
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import { type Document, LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { HermitError } from '../errors.js';
import { nthAddress, parseCidr, isIp } from '../net/cidr.js';
import {
  type KeyPath, type Problem, formatProblems, formatPublish, profileProblems, SCHEMA_HINT, splitPublish, splitVolume,
} from './checks.js';
import {
  DEFAULT_BLOCKED_V4, DEFAULT_BLOCKED_V6, type EgressException, type HostPort, type LoadedProfile, type Profile,
  type ProbeTargetSpec, type Protocol, type RestartPolicy, type SourcePosition,
} from './types.js';

export const SCHEMA_URL = new URL('../../schema/profile.schema.json', import.meta.url);

/** The profile as the schema accepts it, before defaults. */
interface RawProfile {
  name: string;
  image: string;
  command?: string | string[];
  network: { name?: string; subnet: string; gateway?: string; bridge?: string; mtu?: number; ipv6?: boolean; subnet6?: string };
  dns: string[];
  egress?: {
    block?: string[];
    block6?: string[];
    allow?: { to: string; ports?: number[]; protocol?: Protocol | 'any'; comment?: string }[];
  };
  hostPorts?: { port: number; protocol?: Protocol; comment?: string }[];
  container?: {
    name?: string;
    user?: string;
    env?: Record<string, string | number | boolean>;
    passEnv?: string[];
    envFile?: string;
    mounts?: string[];
    workdir?: string;
    restart?: RestartPolicy;
    sysctls?: Record<string, string | number | boolean>;
    readOnly?: boolean;
    publish?: string[];
    capAdd?: string[];
    tmpfs?: string[];
    dockerArgs?: string[];
  };
  probe?: { mustReach?: ProbeTargetSpec[]; mustBlock?: ProbeTargetSpec[]; dnsName?: string; timeoutMs?: number; onFailure?: 'stop' | 'warn' };
}

type Env = NodeJS.ProcessEnv;
type Locate = (path: KeyPath, at?: 'key') => SourcePosition | undefined;

/** Reads (unless `text` is given), validates and normalizes a profile; throws one usage error listing every problem. */
export function loadProfile(file: string, text?: string, env: Env = process.env): LoadedProfile {
  if (text === undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new HermitError('usage', `cannot read profile ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
        'Give the path of a profile file, such as profiles/claude-agent.yaml');
    }
  }
  return parseProfile(file, text, env);
}

/** Like loadProfile, for text already in hand; `file` names it in messages and anchors relative paths. */
export function parseProfile(file: string, text: string, env: Env = process.env): LoadedProfile {
  const result = validateProfileText(file, text, env);
  if (!result.loaded) throw new HermitError('usage', result.problems.join('\n'), SCHEMA_HINT);
  return result.loaded;
}

/** Every problem as a "file:line:col: key: problem" line; `loaded` is set only when there are none. For `hermit validate`. */
export function validateProfileText(file: string, text: string, env: Env = process.env): { problems: string[]; loaded?: LoadedProfile } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  const locate: Locate = (p, at) => locateIn(doc, lineCounter, p, at);
  const report = (problems: Problem[]) => ({ problems: formatProblems(file, problems, locate).split('\n') });

  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const what = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return `${pos ? `${file}:${pos.line}:${pos.col}` : file}: YAML syntax: ${what}`;
      }),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS(); // throws on alias bombs and aliases to nothing
  } catch (err) {
    return { problems: [`${file}: YAML syntax: ${(err as Error).message}`] };
  }
  const validate = schemaValidator();
  if (!validate(data)) return report(schemaProblems(validate.errors ?? [], data));

  const absolute = path.resolve(file);
  const { profile, problems } = normalize(data as RawProfile, path.dirname(absolute), env);
  // A value the loader could not expand is reported once, not again by the checks.
  const reported = new Set(problems.map((p) => p.path.join('\0')));
  const checks = profileProblems(profile, { realpath: existingRealpath, sockets: engineSockets(env) });
  problems.push(...checks.filter((p) => !reported.has(p.path.join('\0'))));
  if (problems.length > 0) return report(problems);
  return { problems: [], loaded: { profile, file: absolute, locate: (p) => locate([...p]) } };
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

let compiled: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as SchemaObject;
    // errorMessage is the editors' (VS Code, yaml-language-server) keyword for a custom message;
    // the loader shows the same text.
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    ajv.addVocabulary(['errorMessage']);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

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

function normalize(raw: RawProfile, dir: string, env: Env): { profile: Profile; problems: Problem[] } {
  const problems: Problem[] = [];
  const n = raw.network;
  const c = raw.container ?? {};
  const e = raw.egress ?? {};
  const pr = raw.probe ?? {};
  const subnet = parseCidr(n.subnet);

  const hostPath = (text: string, at: KeyPath) => expandHostPath(interpolate(text, env, at, problems), dir, env, at, problems);
  const mounts = (c.mounts ?? []).map((spec, i) => {
    const at: KeyPath = ['container', 'mounts', i];
    const expanded = interpolate(spec, env, at, problems);
    const v = splitVolume(expanded);
    // Only paths are resolved; volume names and anonymous volumes pass as written.
    if (!v || v.host === undefined || !looksLikePath(v.host)) return expanded;
    return [expandHostPath(v.host, dir, env, at, problems), v.container, ...(v.options === undefined ? [] : [v.options])].join(':');
  });
  const publish = (c.publish ?? []).map((spec) => {
    const p = splitPublish(spec);
    // No address means every host address to Docker; hermit binds loopback unless told otherwise.
    return p && p.address === undefined ? formatPublish({ ...p, address: '127.0.0.1' }) : spec;
  });

  const profile: Profile = {
    name: raw.name,
    image: raw.image,
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
      ...(c.workdir === undefined ? {} : { workdir: interpolate(c.workdir, env, ['container', 'workdir'], problems) }),
      restart: c.restart ?? 'no',
      sysctls: stringValues(c.sysctls),
      readOnly: c.readOnly ?? false,
      publish,
      capAdd: c.capAdd ?? [],
      tmpfs: c.tmpfs ?? [],
      dockerArgs: c.dockerArgs ?? [],
    },
    probe: {
      mustReach: pr.mustReach ?? [],
      mustBlock: pr.mustBlock ?? [],
      dnsName: pr.dnsName ?? pr.mustReach?.find((t) => !isIp(t.host))?.host ?? 'example.com',
      timeoutMs: pr.timeoutMs ?? 3000,
      onFailure: pr.onFailure ?? 'stop',
    },
  };
  return { profile, problems };
}

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

/** ${NAME} and ${NAME:-default} from the environment; an unset or empty NAME needs a default. $$ is a literal $. */
function interpolate(text: string, env: Env, at: KeyPath, problems: Problem[]): string {
  return text.replace(/\$\$|\$\{([^}]*)\}|\$\{|\$([A-Za-z_]\w*)/g, (match, body: string | undefined, bare: string | undefined) => {
    if (match === '$$') return '$';
    if (bare !== undefined) {
      problems.push({ path: at, message: `write \${${bare}} with braces; hermit expands only \${NAME} and \${NAME:-default} (use $$ for a literal $)` });
      return match;
    }
    if (body === undefined) {
      problems.push({ path: at, message: "has '${' without a closing '}'" });
      return match;
    }
    const m = /^([A-Za-z_]\w*)(?::-(.*))?$/s.exec(body);
    if (!m) {
      problems.push({ path: at, message: `'\${${body}}' is not a variable; hermit expands \${NAME} and \${NAME:-default}` });
      return match;
    }
    const [, name, fallback] = m as unknown as [string, string, string | undefined];
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    problems.push({ path: at, message: `environment variable ${name} is not set; set it, or write \${${name}:-default}` });
    return match;
  });
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

function existingRealpath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}
