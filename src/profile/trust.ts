// Approval of profiles (`hermit trust`), as pure functions: the form of a resolved profile that is
// approved and compared, its fingerprint, what it grants, and what changed since an approved
// version, each change marked as widening, narrowing or neither. A profile the agent can write
// is applied only in a version the user approved, or in one that only narrows that version.
import { createHash } from 'node:crypto';
import { looksSecret } from './secrets.js';
import { formatDomain } from './allowlist.js';
import type { AllowedDomain, Credential, Profile } from './types.js';

/**
 * The profile as approved and compared: the resolved profile (extends merged, variables expanded,
 * defaults filled in) with every container.env value whose name or content looks secret replaced
 * by a digest of it, so that no secret is stored and a changed value is still a change. The env
 * file's values (read by hermit, container.envFileValues) are all digests: its content is approved
 * without ever being shown or stored.
 */
export function approvalForm(profile: Profile, env: Record<string, string | undefined> = {}): Profile {
  const secretValues = Object.entries(env).filter(([k, v]) => looksSecret(k) && v !== undefined && v.length >= 6).map(([, v]) => v!);
  const hide = (name: string, value: string) => looksSecret(name) || secretValues.some((s) => value.includes(s));
  const envForm = Object.fromEntries(Object.entries(profile.container.env)
    .map(([k, v]) => [k, hide(k, v) ? `<secret ${valueDigest(k, v)}>` : v]));
  const fileValues = profile.container.envFileValues;
  const fileForm = fileValues && { envFileValues: Object.fromEntries(Object.entries(fileValues).map(([k, v]) => [k, `<${valueDigest(k, v)}>`])) };
  return { ...profile, container: { ...profile.container, env: envForm, ...fileForm } };
}

const valueDigest = (name: string, value: string) => `sha256:${sha256(`${name}=${value}`).slice(0, 16)}`;

export const sha256 = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');

/** JSON with keys sorted at every level: equal profiles give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The fingerprint of a profile in its approval form. */
export const fingerprint = (form: Profile) => `sha256:${sha256(canonicalJson(form))}`;

export type Direction = 'widens' | 'narrows' | 'changes';

export interface Change {
  /** Dotted key, e.g. egress.allow or container.user. */
  key: string;
  /** '+' added to a list or map, '-' removed from it, '~' a value changed. */
  op: '+' | '-' | '~';
  /** The item added or removed, or "old → new". */
  text: string;
  direction: Direction;
}

// Lists and maps whose entries each grant the agent something: an added entry widens.
const GRANTS = new Set([
  'egress.allow', 'proxy.domains', 'hostPorts', 'dns', 'container.mounts', 'container.sensitiveMounts', 'container.capAdd',
  'container.publish', 'container.passEnv', 'container.sysctls', 'container.tmpfs', 'proxy.credentials', 'credentialProxy.credentials',
]);
// Of those, the ones where a removed entry only takes a grant away. A removed mount or tmpfs can
// unmask a workspace path it covered (a read-only .git), so removing one is a change to ask about.
const NARROW_WHEN_REMOVED = new Set(['egress.allow', 'proxy.domains', 'hostPorts', 'dns', 'container.capAdd', 'container.publish', 'proxy.credentials', 'credentialProxy.credentials']);
// Lists where an added entry takes something away (and a removed one gives it back).
const MORE_IS_NARROWER = new Set(['egress.block', 'egress.block6', 'probe.mustBlock']);
// Lists whose meaning depends on order and pairing (`--memory 4g --cpus 2` re-paired): compared whole.
const SEQUENCES = new Set(['command', 'container.dockerArgs']);

const ROOT_USERS = /^(0|root)(:.*)?$/;

/** Which way a changed single value moves the cage: only a read-only root, stopping on a failed
 * probe and removing the docker engine narrow; anything else is a change to ask about. */
function scalarDirection(key: string, from: unknown, to: unknown): Direction {
  switch (key) {
    case 'probe.onFailure': return to === 'stop' ? 'narrows' : 'widens';
    case 'container.readOnly': return to === true ? 'narrows' : 'widens';
    case 'network.ipv6': return to === true ? 'widens' : 'changes';
    case 'container.user': return ROOT_USERS.test(String(to)) ? 'widens' : 'changes';
    default:
      // `docker:` gives the agent an engine (and its image decides what runs beside it): added or
      // another image widens; taken away (every docker.* key unset) narrows.
      if (key.startsWith('docker.')) return to === undefined ? 'narrows' : 'widens';
      return 'changes';
  }
}

type Flat = Map<string, { kind: 'value'; value: unknown } | { kind: 'items'; items: string[] }>;

/** Flattens a profile into key → value (single values) and key → items (lists, and maps as "k=v"). */
function flatten(value: unknown, key: string, out: Flat): Flat {
  if (Array.isArray(value)) {
    out.set(key, { kind: 'items', items: key === 'proxy.domains' ? (value as AllowedDomain[]).map(formatDomain) : value.map(itemText) });
  } else if (value !== null && typeof value === 'object') {
    if (key === 'container.env' || key === 'container.sysctls') {
      out.set(key, { kind: 'items', items: Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`) });
    } else {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, key ? `${key}.${k}` : k, out);
    }
  } else {
    out.set(key, { kind: 'value', value });
  }
  return out;
}

/** One list item as people read it: strings as they are, objects as compact key: value pairs. */
export function itemText(item: unknown): string {
  if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
    return Object.entries(item as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(',') : String(v)}`).join(', ');
  }
  return String(item);
}

/** What changed from the approved version to the current one, in a stable order. */
export function compareProfiles(approved: Profile, current: Profile): Change[] {
  const a = flatten(approved, '', new Map());
  const b = flatten(current, '', new Map());
  const out: Change[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const was = a.get(key);
    const now = b.get(key);
    if (was?.kind === 'items' || now?.kind === 'items') {
      const before = was?.kind === 'items' ? was.items : [];
      const after = now?.kind === 'items' ? now.items : [];
      if (!SEQUENCES.has(key) && (GRANTS.has(key) || MORE_IS_NARROWER.has(key))) {
        const narrower = MORE_IS_NARROWER.has(key);
        const removed: Direction = narrower ? 'widens' : NARROW_WHEN_REMOVED.has(key) ? 'narrows' : 'changes';
        for (const item of after) if (!before.includes(item)) out.push({ key, op: '+', text: item, direction: narrower ? 'narrows' : 'widens' });
        for (const item of before) if (!after.includes(item)) out.push({ key, op: '-', text: item, direction: removed });
      } else if (before.join('\0') !== after.join('\0')) {
        // A list whose items are not single grants (a command, docker options, probe targets): any change is a change.
        out.push({ key, op: '~', text: `[${before.join(', ')}] → [${after.join(', ')}]`, direction: SEQUENCES.has(key) && before.length === 0 ? 'widens' : 'changes' });
      }
      continue;
    }
    const from = was?.kind === 'value' ? was.value : undefined;
    const to = now?.kind === 'value' ? now.value : undefined;
    if (from !== to) out.push({ key, op: '~', text: `${show(from)} → ${show(to)}`, direction: scalarDirection(key, from, to) });
  }
  return out;
}

const show = (v: unknown) => (v === undefined ? '(not set)' : typeof v === 'string' ? v : JSON.stringify(v));

/** A change set that only takes something away may be applied without asking. */
export const onlyNarrows = (changes: readonly Change[]) => changes.length > 0 && changes.every((c) => c.direction === 'narrows');

/** What a profile grants the agent, as label → values, for the approval summary. */
export function grants(p: Profile): [string, string[]][] {
  const c = p.container;
  const none = (xs: string[]) => (xs.length > 0 ? xs : ['(none)']);
  const mount = (m: string) => {
    const [host, target, opts] = m.split(':');
    return target === undefined ? `${host} (anonymous volume)` : `${host} → ${target} (${opts?.split(',').includes('ro') ? 'read-only' : 'read-write'})`;
  };
  return [
    ['image', [p.image + (p.build ? ` (built from ${p.build.context})` : '')]],
    ['command', [p.command.length > 0 ? p.command.join(' ') : "(the image's)"]],
    ['runs as user', [c.user + (ROOT_USERS.test(c.user) ? '   ← root inside the container' : '')]],
    ...(p.proxy ? [['the internet, only through the proxy, to (egress.domains)', p.proxy.domains.map(formatDomain)] as [string, string[]]] : []),
    ...((p.proxy ?? p.credentialProxy)?.credentials ? [['keys the proxy adds', (p.proxy ?? p.credentialProxy)!.credentials!.map(credentialText)] as [string, string[]]] : []),
    ['LAN exceptions (egress.allow)', none(p.egress.allow.map(itemText))],
    ['host ports (hostPorts)', none(p.hostPorts.map((h) => `${h.port}/${h.protocol}${h.comment ? ` (${h.comment})` : ''}`))],
    ['DNS resolvers', p.dns],
    ['IPv6', [p.network.ipv6 ? `on (${p.network.subnet6 ?? ''})` : 'off']],
    ...(p.docker ? [['a docker engine of its own (docker:)', [`${p.docker.image}${p.docker.build ? ` (built from ${p.docker.build.context})` : ''}: rootless, in its network namespace; images kept in volume ${p.docker.dataVolume}`]] as [string, string[]]] : []),
    ['mounts', none(c.mounts.map(mount))],
    ['sensitive mounts allowed', none(c.sensitiveMounts)],
    ['capabilities added', none(c.capAdd)],
    ['extra docker run options', none(c.dockerArgs)],
    ['published ports', none(c.publish)],
    ['environment passed from hermit', none(c.passEnv)],
    ['environment set', none(Object.entries(c.env).map(([k, v]) => (v.startsWith('<secret ') ? `${k} (secret)` : `${k}=${v}`)))],
    ...(c.envFile ? [['env file', [`${c.envFile}: ${c.envFileValues ? `${Object.keys(c.envFileValues).join(', ') || '(no entries)'} (values approved, not shown)` : '(not read)'}`]] as [string, string[]]] : []),
    ['sysctls', none(Object.entries(c.sysctls).map(([k, v]) => `${k}=${v}`))],
    ['read-only root filesystem', [c.readOnly ? 'yes' : 'no']],
    ['restart policy', [c.restart]],
    ['probe', [`on failure: ${p.probe.onFailure}`,
      ...(p.probe.mustBlock.length > 0 ? [`must block: ${p.probe.mustBlock.map((t) => `${t.host}:${t.port}`).join(', ')}`] : []),
      ...(p.probe.mustReach.length > 0 ? [`must reach: ${p.probe.mustReach.map((t) => `${t.host}:${t.port}`).join(', ')}`] : [])]],
  ];
}

/** A credential as the approval summary shows it: where the key goes and where it comes from, never the key. */
const credentialText = (c: Credential) =>
  `${c.header} to ${c.host}${c.port === 443 ? '' : `:${c.port}`} from ${c.value ?? c.valueFile ?? ''} (agent: ${c.baseUrlEnv})`;
