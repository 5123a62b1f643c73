// The `docker run` argument grammar: how Docker reads options, -v and -p values. Pure parsing;
// what hermit allows of them is decided in profile/isolation.ts.

export interface VolumeSpec {
  /** Host path or volume name; undefined for an anonymous volume ("/data"). */
  host?: string;
  container: string;
  options?: string;
}

/** Splits docker -v syntax "host:container[:options]"; null when it has too many parts. */
export function splitVolume(spec: string): VolumeSpec | null {
  const parts = spec.split(':');
  if (parts.length === 1) return { container: parts[0]! };
  if (parts.length === 2) return { host: parts[0]!, container: parts[1]! };
  if (parts.length === 3) return { host: parts[0]!, container: parts[1]!, options: parts[2]! };
  return null;
}

export interface PublishSpec {
  /** Host address without brackets; undefined when the spec names none. */
  address?: string;
  /** Host port or range; '' lets Docker pick one. */
  hostPort: string;
  containerPort: string;
  protocol?: string;
}

/** Splits docker -p syntax "[address:][hostPort:]containerPort[/protocol]"; null if malformed. */
export function splitPublish(spec: string): PublishSpec | null {
  let rest = spec;
  let protocol: string | undefined;
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) [rest, protocol] = [rest.slice(0, slash), rest.slice(slash + 1)];
  let address: string | undefined;
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']:');
    if (end < 0) return null;
    address = rest.slice(1, end);
    rest = `:${rest.slice(end + 2)}`;
  }
  const parts = rest.split(':');
  if (address !== undefined) parts.shift();
  if (address === undefined && parts.length === 3) address = parts.shift();
  if (parts.length === 1) return { address, hostPort: '', containerPort: parts[0]!, protocol };
  if (parts.length === 2) return { address, hostPort: parts[0]!, containerPort: parts[1]!, protocol };
  return null;
}

export function formatPublish(p: PublishSpec): string {
  const addr = p.address === undefined ? '' : `${p.address.includes(':') ? `[${p.address}]` : p.address}:`;
  return `${addr}${p.hostPort}:${p.containerPort}${p.protocol ? `/${p.protocol}` : ''}`;
}

// docker run options passed through (profile dockerArgs, and CLI arguments after `--`)
//
// Recognized spellings: --flag value, --flag=value, -f value, -f=value, -fvalue, and clusters of
// short flags (-it, -itv /a:/b, -itp8080:80), as Docker's flag parser (pflag) reads them. Only
// docker run options are accepted, and only those listed below: an option hermit does not know
// could be one that undoes the isolation (as --use-api-socket did when it appeared), so it is
// refused rather than passed blindly. Everything that is not an option is refused as well.

const BOOLEAN_OPTIONS = new Set([
  'detach', 'disable-content-trust', 'help', 'init', 'interactive', 'no-healthcheck', 'oom-kill-disable',
  'privileged', 'publish-all', 'quiet', 'read-only', 'rm', 'sig-proxy', 'tty', 'use-api-socket',
]);
const VALUE_OPTIONS = new Set([
  'add-host', 'annotation', 'attach', 'blkio-weight', 'blkio-weight-device', 'cap-add', 'cap-drop', 'cgroup-parent',
  'cgroupns', 'cidfile', 'cpu-count', 'cpu-percent', 'cpu-period', 'cpu-quota', 'cpu-rt-period', 'cpu-rt-runtime',
  'cpu-shares', 'cpus', 'cpuset-cpus', 'cpuset-mems', 'detach-keys', 'device', 'device-cgroup-rule',
  'device-read-bps', 'device-read-iops', 'device-write-bps', 'device-write-iops', 'dns', 'dns-option', 'dns-search',
  'domainname', 'entrypoint', 'env', 'env-file', 'expose', 'gpus', 'group-add', 'health-cmd', 'health-interval',
  'health-retries', 'health-start-interval', 'health-start-period', 'health-timeout', 'hostname', 'io-maxbandwidth',
  'io-maxiops', 'ip', 'ip6', 'ipc', 'isolation', 'kernel-memory', 'label', 'label-file', 'link', 'link-local-ip',
  'log-driver', 'log-opt', 'mac-address', 'memory', 'memory-reservation', 'memory-swap', 'memory-swappiness', 'mount',
  'name', 'network', 'network-alias', 'oom-score-adj', 'pid', 'pids-limit', 'platform', 'publish', 'pull', 'restart',
  'runtime', 'security-opt', 'shm-size', 'stop-signal', 'stop-timeout', 'storage-opt', 'sysctl', 'tmpfs', 'ulimit',
  'user', 'userns', 'uts', 'volume', 'volume-driver', 'volumes-from', 'workdir',
]);
const ALIASES: Record<string, string> = { net: 'network', 'net-alias': 'network-alias' };
const SHORT: Record<string, string> = {
  d: 'detach', i: 'interactive', t: 'tty', P: 'publish-all', q: 'quiet',
  a: 'attach', c: 'cpu-shares', e: 'env', h: 'hostname', l: 'label', m: 'memory', p: 'publish', u: 'user', v: 'volume', w: 'workdir',
};

export interface ParsedOption {
  /** Long name, aliases resolved. */
  name: string;
  value?: string;
  /** The option as written, for messages ("--net host", "-v /a:/b"). */
  text: string;
  index: number;
}

/** Splits arguments into options; anything it cannot read becomes a problem. */
export function parseDockerArgs(args: readonly string[]): { options: ParsedOption[]; problems: { index: number; message: string }[] } {
  const options: ParsedOption[] = [];
  const problems: { index: number; message: string }[] = [];
  const takeValue = (name: string, written: string, inline: string | undefined, i: number): number => {
    if (inline !== undefined) {
      options.push({ name, value: inline, text: args[i]!, index: i });
      return i;
    }
    const next = args[i + 1];
    if (next === undefined) problems.push({ index: i, message: `${written} needs a value; give it as ${written}=VALUE or in the next item` });
    else options.push({ name, value: next, text: `${args[i]} ${next}`, index: i });
    return i + 1;
  };

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const written = eq < 0 ? arg : arg.slice(0, eq);
      const raw = written.slice(2);
      const name = ALIASES[raw] ?? raw;
      const inline = eq < 0 ? undefined : arg.slice(eq + 1);
      if (BOOLEAN_OPTIONS.has(name)) options.push({ name, value: inline, text: arg, index: i });
      else if (VALUE_OPTIONS.has(name)) i = takeValue(name, written, inline, i);
      else problems.push({ index: i, message: `${written} is not a docker run option hermit knows; check the spelling (hermit refuses options it cannot check)` });
    } else if (arg.startsWith('-') && arg.length > 1 && arg !== '--') {
      // A cluster: boolean letters, then at most one letter that takes the rest (or the next item).
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        const name = SHORT[letter];
        if (!name) {
          problems.push({ index: i, message: `-${letter} (in ${arg}) is not a docker run option hermit knows; check the spelling` });
          break;
        }
        if (BOOLEAN_OPTIONS.has(name)) {
          options.push({ name, text: arg, index: i });
          continue;
        }
        const rest = arg.slice(j + 1);
        i = takeValue(name, `-${letter}`, rest === '' ? undefined : rest.replace(/^=/, ''), i);
        break;
      }
    } else {
      problems.push({ index: i, message: `'${arg}' is not an option; only docker run options go here (the image and command come from the profile)` });
    }
  }
  return { options, problems };
}

/** Index of the first argument that is not a docker run option or an option's value (args.length
 * if there is none), for splitting `hermit up x -- --memory 2g bash` into options and a command. */
export function dockerOptionsEnd(args: readonly string[]): number {
  // The parser reports each word that is not an option, in order; values of options are not among them.
  const isWord = (a: string) => a === '--' || a === '-' || !a.startsWith('-');
  return parseDockerArgs(args).problems.find((p) => isWord(args[p.index]!))?.index ?? args.length;
}

export interface HostBind {
  /** Absolute host path, as written. */
  host: string;
  container: string;
  readOnly: boolean;
  /** The option as written, for messages. */
  text: string;
}

// --mount, read as Docker's CLI reads it (docker/cli opts/mount.go): one CSV record (Go's
// encoding/csv: a field may be double-quoted, "" inside quotes is a quote, a quote anywhere else is
// an error) of key=value fields; the flags readonly/ro (and a few booleans) may stand alone; keys are
// matched without case; a repeated key's last value wins; a source starting with "." is made absolute
// against the working directory. The type defaults to volume.

export interface MountSpec {
  type: string;
  source?: string;
  target?: string;
  readOnly: boolean;
  /** volume-opt key=value pairs (a local volume with device=/path and o=bind binds a host path). */
  volumeOpts: Map<string, string>;
}

const MOUNT_FLAGS = new Set(['readonly', 'ro', 'volume-nocopy', 'bind-nonrecursive', 'bind-create-src']);
const MOUNT_KEYS = new Set([
  'type', 'source', 'src', 'target', 'dst', 'destination', 'readonly', 'ro', 'consistency', 'bind-propagation',
  'bind-nonrecursive', 'bind-recursive', 'bind-create-src', 'volume-subpath', 'volume-nocopy', 'volume-label',
  'volume-driver', 'volume-opt', 'image-subpath', 'tmpfs-size', 'tmpfs-mode',
]);
/** Go's strconv.ParseBool. */
const GO_BOOL = new Map(Object.entries({ 1: true, t: true, T: true, TRUE: true, true: true, True: true, 0: false, f: false, F: false, FALSE: false, false: false, False: false }));

/** One CSV record as Go's encoding/csv reads it; a string when it is not one. */
function csvRecord(text: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      for (i++; ; i++) {
        if (i >= text.length) return 'a quoted field is not closed';
        if (text[i] !== '"') { field += text[i]; continue; }
        if (text[i + 1] === '"') { field += '"'; i++; continue; }
        i++;
        break;
      }
      if (i < text.length && text[i] !== ',') return 'a quote inside a field (quote the whole field, and double the quotes in it)';
    } else {
      const end = text.indexOf(',', i);
      field = text.slice(i, end < 0 ? text.length : end);
      if (field.includes('"')) return 'a quote inside a field (quote the whole field, and double the quotes in it)';
      i += field.length;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the comma
  }
}

/** A --mount value as Docker reads it, or what makes Docker (or hermit, for a line break) refuse it. */
export function parseMount(value: string): MountSpec | { problem: string } {
  const text = value.trim();
  if (text === '') return { problem: 'the --mount value is empty' };
  // Docker reads only the first line; what follows would be invisible to hermit's checks too.
  if (/[\r\n]/.test(text)) return { problem: 'the --mount value has a line break' };
  const fields = csvRecord(text);
  if (typeof fields === 'string') return { problem: `the --mount value is not valid CSV: ${fields}` };
  const spec: MountSpec = { type: 'volume', readOnly: false, volumeOpts: new Map() };
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? undefined : field.slice(eq + 1);
    if (!MOUNT_KEYS.has(key)) return { problem: `unknown --mount option '${field}'` };
    if (val === undefined && !MOUNT_FLAGS.has(key)) return { problem: `--mount option '${field}' must be a key=value pair` };
    if (val !== undefined && (val.trim() === '' || val.trim() !== val)) return { problem: `--mount option '${field}' has an empty value or one with spaces around it` };
    switch (key) {
      case 'type': spec.type = val!.toLowerCase(); break;
      case 'source': case 'src': spec.source = val; break;
      case 'target': case 'dst': case 'destination': spec.target = val; break;
      case 'readonly': case 'ro': {
        const b = val === undefined ? true : GO_BOOL.get(val);
        if (b === undefined) return { problem: `--mount option '${field}' is neither true nor false` };
        spec.readOnly = b;
        break;
      }
      case 'volume-opt': {
        const [k = '', ...rest] = val!.split('=');
        if (k !== '') spec.volumeOpts.set(k, rest.join('='));
        break;
      }
    }
  }
  return spec;
}

/** The host paths a mount binds: a bind's source (relative ones the CLI resolves against its
 * working directory count too), any absolute source, and a volume's device option. */
export function mountHostPaths(m: MountSpec): string[] {
  const source = m.source !== undefined && (m.source.startsWith('/') || (m.type === 'bind' && m.source.startsWith('.'))) ? [m.source] : [];
  const device = m.volumeOpts.get('device');
  return [...source, ...(device?.startsWith('/') ? [device] : [])];
}

/** The host paths docker run options bind into the container (-v, --volume, --mount), so the
 * "who can write the profile" check sees them as it sees container.mounts. */
export function dockerArgBinds(args: readonly string[]): HostBind[] {
  const out: HostBind[] = [];
  for (const o of parseDockerArgs(args).options) {
    const v = o.value ?? '';
    if (o.name === 'volume') {
      const vol = splitVolume(v);
      if (vol?.host?.startsWith('/')) out.push({ host: vol.host, container: vol.container, readOnly: !!vol.options?.split(',').includes('ro'), text: o.text });
    } else if (o.name === 'mount') {
      const m = parseMount(v);
      if ('problem' in m) continue;
      for (const host of mountHostPaths(m)) out.push({ host, container: m.target ?? '', readOnly: m.readOnly, text: o.text });
    }
  }
  return out;
}
