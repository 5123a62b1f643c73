// A container hermit runs for a profile, described once: the agent's own, and each one beside it
// (the proxy in allowlist mode; later others). One planner decides keep, start, reload or
// recreate for all of them, and one apply step (apply/sidecar.ts) carries that out.
import { HermitError } from '../errors.js';
import type { ExistingContainer } from './host-facts.js';
import type { ImageAction } from './image.js';
import { LABEL_CONFIG, LABEL_PROFILE, LABEL_ROLE } from './labels.js';

/** A file on the host the container reads, written before it starts or reloads. */
export interface ConfigFile {
  path: string;
  text: string;
  mode: number;
  /** uid:gid; root when absent. */
  owner?: string;
  /** The file on the host differs from `text`. */
  changed: boolean;
  /** It holds a secret: never shown, not even by --dry-run. */
  secret?: boolean;
}

/** A host folder made before the files (and chowned to `owner`, when given). */
export interface HostDir { path: string; mode: number; owner?: string }

/** What apply waits for after a start or reload: a line in a log it writes on the host (after
 * what was there before), then a TCP connection; or a command that succeeds. */
export type Readiness = LogReadiness | CommandReadiness;

export interface LogReadiness {
  log: string;
  ready: RegExp;
  /** Lines that mean it will never get ready. */
  fatal: RegExp;
  tcp: { host: string; port: number };
  timeoutMs: number;
}

/** Polled until it exits 0; output matching `fatal` means it will never get ready. */
export interface CommandReadiness {
  command: HostCommand;
  fatal: RegExp;
  timeoutMs: number;
}

/** A command on the host, as an argument array. */
export interface HostCommand { file: string; args: string[] }

/** Something on the host it needs before it is created or started (a labelled named volume, a
 * device node), made by a command, taken away by `undo` on rollback. */
export interface Prerequisite { cmd: HostCommand; undo?: HostCommand; change?: string }

export interface Sidecar {
  /** The hermit.role label; none for the agent's own container. */
  role?: string;
  /** How changes and titles name it ('container', 'proxy'). */
  noun: string;
  name: string;
  profile: string;
  /** Hash of the settings it was created with (kept in the hermit.config label). */
  configHash: string;
  /** The docker arguments that create it: `run --detach ...` (created and started in one), or
   * `create ...` (then `joins`, then `docker start`). Its labels carry profile, role and hash.
   * A named volume among them (`--volume <name>:<path>`) outlives a recreate (rm --force keeps it). */
  create: { args: string[]; env?: Record<string, string> };
  /** `docker network connect ...` argument lists, run between create and start. */
  joins: string[][];
  /** The container whose network namespace it shares (`--network container:<name>`): it starts
   * after that one, and is recreated whenever that one is. */
  netns?: string;
  dirs: HostDir[];
  /** Made before it is created or started (before the agent's container, which may mount them);
   * none when it is kept. */
  needs?: Prerequisite[];
  /** Written before it starts or reloads (each replaced atomically, put back on rollback). */
  files: ConfigFile[];
  /** The restart policy a start puts back (a failed probe sets "no"). */
  restart?: string;
  /** How a running one re-reads changed `files` instead of being recreated. */
  reload?: { args: string[]; reason: string };
  /** Its logs on the host, and what makes it start new ones (apply rotates past a size). */
  logs?: { files: string[]; rotate: string[] };
  ready?: Readiness;
}

export type SidecarAction =
  | { kind: 'run'; remove?: string; reason: string }
  /** A stopped container of this very profile: start it (putting back `restart` first). */
  | { kind: 'start'; id: string; restart?: string; reason: string }
  | { kind: 'keep'; id: string; reload?: boolean; reason: string };

/** A sidecar, its image and what to do with it: what apply needs. */
export interface SidecarPlan {
  sidecar: Sidecar;
  image: ImageAction;
  container: SidecarAction;
}

export interface SidecarOptions {
  /** --replace: recreate whatever the state. */
  replace: boolean;
  /** Other reasons to recreate, in order (after a changed configuration); undefined ones do not apply. */
  recreate?: (string | undefined)[];
  /** The containers this plan recreates: one whose network namespace it shares is among them. */
  recreated?: string[];
}

/**
 * Keep, start, reload or recreate, from the container of that name (if any). A container that
 * does not carry this profile's (and role's) labels is refused, never replaced.
 */
export function planSidecar(sc: Sidecar, existing: ExistingContainer | undefined, opts: SidecarOptions): SidecarAction {
  if (!existing) return { kind: 'run', reason: `create ${sc.noun}` };
  if (existing.labels[LABEL_PROFILE] !== sc.profile || existing.labels[LABEL_ROLE] !== sc.role) {
    throw new HermitError(
      'usage',
      `a container named '${existing.name}' exists and was not started by hermit ${sc.role ? `as the ${sc.role} of` : 'for'} profile '${sc.profile}'`,
      `Set container.name in the profile to another name${sc.role ? ` (the ${sc.role} is <container.name>-${sc.role})` : ''}, or remove that container: docker rm -f ${existing.name}`,
    );
  }
  const recreate = (why: string): SidecarAction => ({ kind: 'run', remove: existing.id, reason: why });
  if (opts.replace) return recreate(`replace ${sc.noun} (--replace)`);
  if (existing.labels[LABEL_CONFIG] !== sc.configHash) return recreate(`profile changed since ${existing.name} was created: recreate ${sc.noun}`);
  if (sc.netns && opts.recreated?.includes(sc.netns)) return recreate(`${sc.netns} is recreated, and ${existing.name} shares its network: recreate ${sc.noun}`);
  const other = opts.recreate?.find((r) => r !== undefined);
  if (other) return recreate(other);
  if (!existing.running) {
    const restart = sc.restart !== undefined && existing.restartPolicy !== sc.restart ? sc.restart : undefined;
    return { kind: 'start', id: existing.id, ...(restart ? { restart } : {}), reason: `start stopped ${sc.noun} ${existing.name}` };
  }
  const reload = !!sc.reload && sc.files.some((f) => f.changed);
  return { kind: 'keep', id: existing.id, reload, reason: reload ? sc.reload!.reason : `${sc.noun} running with this profile` };
}
