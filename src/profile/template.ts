// The text `hermit init` writes: a short profile that extends another, with the merge rules and
// the usual changes as comments. Pure, so tests pin it without a filesystem.
import { createHash } from 'node:crypto';

export interface TemplateInput {
  /** The new profile's name. */
  name: string;
  /** What goes after `extends:` (a name, or a path relative to the new file). */
  extends: string;
  /** The base's own name: its volumes hermit-<baseName>-* become hermit-<name>-*. */
  baseName: string;
  /** Shown in the header: "the built-in profile claude-agent, /usr/lib/.../claude-agent.yaml". */
  baseDescription: string;
  /** Absolute path of hermit's schema, for editors. */
  schema: string;
  /** The base's container.mounts as written, if any. */
  baseMounts?: readonly string[];
  /** The project folder as seen from the new file: "." for hermit.yaml, ".." for .hermit/x.yaml. */
  projectDir: string;
}

/** A mount onto /workspace, whatever ${...} its host side holds (so not split at ':'). */
const WORKSPACE = /:\/workspace(:[^:/]*)?$/;

/** A profile name from a directory name: a-z, 0-9 and '-', at most 18 characters. */
export function nameFromDir(dir: string): string {
  const base = dir.split('/').filter(Boolean).pop() ?? '';
  const name = base.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, 18).replace(/-+$/, '');
  return name || 'project';
}

/** A /24 in 172.30.0.0/16 picked from the name, so projects rarely collide (172.30.0.0/24 is the built-in's). */
export function subnetFor(name: string): string {
  const n = createHash('sha256').update(name).digest().readUInt16BE(0);
  return `172.30.${1 + (n % 254)}.0/24`;
}

export function profileTemplate(t: TemplateInput): string {
  // The base's mounts again, with the workspace pinned to the project folder instead of wherever
  // hermit happens to run (a list replaces the base's whole list, so the others are repeated),
  // and volumes named after the base renamed after this profile, so projects keep apart state.
  const volumePrefix = `hermit-${t.baseName}-`;
  const mounts = (t.baseMounts ?? []).map((m) =>
    WORKSPACE.test(m) ? m.replace(/^.*?(:\/workspace(:[^:/]*)?)$/, `\${WORKSPACE_DIR:-${t.projectDir}}$1`)
    : m.startsWith(volumePrefix) ? `hermit-${t.name}-${m.slice(volumePrefix.length)}`
    : m);
  const pinned = mounts.some((m) => WORKSPACE.test(m));
  const container = pinned
    ? [
        'container:',
        '  mounts:',
        `    # The project folder (WORKSPACE_DIR overrides it). This list replaces the base's, so the`,
        `    # base's other mounts are repeated here (its volumes renamed after this profile, so`,
        `    # projects do not share them); relative paths are relative to this file.`,
        ...mounts.map((m) => `    - ${m}`),
        '  # env:                        # merged with the base\'s env, key by key',
        '  #   TZ: Europe/Berlin',
      ]
    : [
        '# container:',
        '#   mounts:                     # replaces the base\'s list; relative to this file',
        `#     - ${t.projectDir}:/workspace`,
        '#   env:                        # merged with the base\'s env, key by key',
        '#     TZ: Europe/Berlin',
      ];
  return [
    `# yaml-language-server: $schema=${t.schema}`,
    '#',
    `# hermit profile '${t.name}', written by hermit init. It extends ${t.baseDescription}`.replace(', /', ':\n#   /'),
    `# See everything it resolves to:  hermit profiles show ${t.name}`,
    `# Check it (no root needed):       hermit validate`,
    '#',
    '# Keys here are laid over the base: maps (network, container, container.env, probe, ...) merge',
    '# key by key; lists (dns, mounts, passEnv, egress.allow, ...) replace the base\'s whole list;',
    '# egress.alsoAllow adds exceptions to the base\'s egress.allow. Text values may use ${NAME},',
    '# ${NAME:-default} and ${NAME:?message} from the environment ($$ for a literal $).',
    '',
    `extends: ${t.extends}`,
    '',
    '# Names the firewall chains, the Docker network and the container: unique on this host.',
    `name: ${t.name}`,
    '',
    'network:',
    '  # A subnet of its own, so this agent can run beside others. Pick another if hermit run says',
    '  # it overlaps a network or route on this host.',
    `  subnet: ${subnetFor(t.name)}`,
    '',
    ...container,
    '',
    '# egress:',
    '#   alsoAllow:                  # added to the base\'s exceptions',
    '#     - { to: 192.168.1.20, ports: [8080], comment: NAS git server }',
    '',
    '# hostPorts:                    # ports on the host itself, e.g. a local model server',
    '#   - { port: 11434, comment: ollama }',
    '',
    '# probe:',
    '#   mustReach:                  # replaces the base\'s list',
    '#     - { host: api.anthropic.com, port: 443 }',
    '#     - { host: registry.example.org, port: 443 }   # e.g. your package registry',
    '',
  ].join('\n');
}
