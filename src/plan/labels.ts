// The labels hermit puts on what it creates, and the hash of a container's settings kept in one
// of them. status, ps, down and the planners recognise hermit's own networks and containers by
// these; a container whose hash differs from the plan's is recreated.
import { createHash } from 'node:crypto';

/** The profile a network or container was created for. */
export const LABEL_PROFILE = 'hermit.profile';
/** The configHash of the settings a container was created with. */
export const LABEL_CONFIG = 'hermit.config';
/** Marks the proxy container, so status, ps and down tell it from the agent. */
export const LABEL_ROLE = 'hermit.role';
/** Marks doctor's throwaway container (its value: the profile). */
export const LABEL_DOCTOR = 'hermit.doctor';

/** `--label name=value` for each label, in the order given. */
export const labelArgs = (labels: Record<string, string>): string[] =>
  Object.entries(labels).flatMap(([name, value]) => ['--label', `${name}=${value}`]);

/** 16 hex digits of the SHA-256 of the settings as JSON: a different hash means recreate. */
export const configHash = (settings: unknown): string =>
  createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
