// The question before applying a profile that is not approved: in a terminal, the summary and a
// yes/no; otherwise exit 2 with the summary and the command that approves.
import { createInterface } from 'node:readline/promises';
import { HermitError } from '../errors.js';
import { approve, checkApproval } from '../profile/approval.js';
import type { LoadedProfile } from '../profile/types.js';
import { printableLine, renderApproval } from '../report/approval-summary.js';

export { checkApproval } from '../profile/approval.js';

export interface Asker {
  /** Asks a yes/no question on the terminal; undefined when there is no terminal to ask on. */
  (question: string): Promise<boolean> | undefined;
}

/** Asks on the terminal hermit runs in (stdin and stderr both a TTY), or nowhere. */
export const terminalAsker: Asker = (question) => {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return (async () => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(question)).trim());
    } finally {
      rl.close();
    }
  })();
};

/**
 * Lets `command` go ahead only with a profile it may apply. An unapproved one: in a terminal, the
 * summary and a question; otherwise a usage error (exit 2) with the summary and how to approve.
 */
export async function ensureApproved(loaded: LoadedProfile, command: string, ask: Asker = terminalAsker): Promise<void> {
  const check = await checkApproval(loaded);
  if (check.envFileError) throw check.envFileError;
  switch (check.state) {
    case 'approved':
      return;
    case 'trusted-source':
      // Kept as the approved version: what a later, writable copy is compared against, and what the guard falls back to.
      await approve(check, 'root-owned files').catch(() => undefined);
      return;
    case 'narrows':
      process.stderr.write(`hermit: profile '${printableLine(loaded.profile.name)}' differs from the approved version only by narrowing it (${check.changes.length} change${check.changes.length === 1 ? '' : 's'}); applying it without asking\n`);
      return;
    case 'unapproved': {
      const summary = renderApproval(loaded, check);
      const answer = ask(`${summary}\nApprove this version of profile '${loaded.profile.name}' and go on? [y/N] `);
      if (answer === undefined) {
        throw new HermitError('usage', `${summary}\nhermit ${command}: nothing was changed`,
          `Read the above, then approve it with: sudo hermit trust ${printableLine(loaded.file)}   (it shows the version again and asks; --fingerprint ${check.fingerprint} approves exactly the version above)`);
      }
      if (!(await answer)) throw new HermitError('usage', `profile '${loaded.profile.name}' not approved; nothing was changed`, `Approve it later with: sudo hermit trust ${loaded.file}`);
      await approve(check, `hermit ${command} (asked)`);
    }
  }
}
