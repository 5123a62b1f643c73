// One error type for every failure a user can act on. The CLI prints `message` and `hint`
// (no stack) and exits with the code of its kind; anything else is a bug and shows a stack.

export const EXIT = {
  ok: 0,
  /** A bug or an unexpected failure: the message includes a stack trace. */
  internal: 1,
  /** Bad command line, or a profile that fails validation. Nothing was changed. */
  usage: 2,
  /** The host cannot give the guarantee (no Docker, wrong firewall backend, not root). Nothing was changed. */
  host: 3,
  /** Applying failed; what this run had changed was rolled back. */
  apply: 4,
  /** The probe found isolation broken (a breach), could not run, or an outage under probe.onOutage: stop; the container was stopped (or left running under probe.onFailure: warn). */
  probe: 5,
  /** An outage: nothing that must be blocked was reachable, but a must-reach target or a resolver did not answer after retrying; the container keeps running. */
  outage: 6,
} as const;

export type ErrorKind = Exclude<keyof typeof EXIT, 'ok' | 'internal'>;

export class HermitError extends Error {
  readonly kind: ErrorKind;
  readonly hint?: string;
  /** The profile key the problem is about, so the caller can point at its file:line:col. */
  readonly keyPath?: readonly (string | number)[];

  constructor(kind: ErrorKind, message: string, hint?: string, keyPath?: readonly (string | number)[]) {
    super(message);
    this.name = 'HermitError';
    this.kind = kind;
    this.hint = hint;
    this.keyPath = keyPath;
  }

  get exitCode(): number {
    return EXIT[this.kind];
  }
}
