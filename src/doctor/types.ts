// The doctor's data: what was gathered (a Snapshot: every output verbatim, so a check can be
// replayed from a recording), and what the checks concluded (a Check each).
import type { ProbeRequest, ProbeResponse } from '../probe/types.js';
import type { NetnsRequest, NetnsResponse } from './netns-worker.js';

export type Status = 'ok' | 'warn' | 'fail' | 'skipped';
export type Area = 'host' | 'network' | 'connectivity' | 'proxy' | 'changes';
export const AREAS: readonly Area[] = ['host', 'network', 'connectivity', 'proxy', 'changes'];

export interface Check {
  /** Stable, e.g. "host.ip-forward": what --compare matches on. */
  id: string;
  area: Area;
  title: string;
  status: Status;
  /** One line: the finding, or why the check was skipped. */
  summary: string;
  /** What the finding rests on: outputs and values, one per line. */
  evidence: string[];
  /** What to do; present for warn and fail. */
  fix?: string;
}

/** One read-only look at the host, kept verbatim. */
export interface Source {
  /** The command as a person would type it, or "read <path>". */
  what: string;
  exitCode?: number;
  stdout: string;
  stderr?: string;
  /** It could not run or be read at all (not installed, not permitted, not attempted and why). */
  error?: string;
}

export type VantageId = 'profile' | 'bridge' | 'host';

/** One place the connectivity checks ran from. */
export interface Vantage {
  id: VantageId;
  /** e.g. "agent container hermit-x", "throwaway container on network bridge", "host network namespace". */
  label: string;
  skipped?: string;
  /** The workers could not run (the probes themselves never throw). */
  error?: string;
  probeRequest?: ProbeRequest;
  probe?: ProbeResponse;
  netnsRequest?: NetnsRequest;
  netns?: NetnsResponse;
}

export const SNAPSHOT_FORMAT = 'hermit-doctor-evidence/1';
export const REPORT_FORMAT = 'hermit-doctor/1';

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  takenAt: string;
  hostname: string;
  uid: number;
  sources: Record<string, Source>;
  vantages: Vantage[];
}

export interface DoctorReport {
  format: typeof REPORT_FORMAT;
  takenAt: string;
  hostname: string;
  profile?: string;
  ok: boolean;
  counts: Record<Status, number>;
  checks: Check[];
}
