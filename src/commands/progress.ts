// Runs titled steps with listr2 progress on stderr (stdout stays clean for tables and --json).
import type { Task } from '../apply/steps.js';

let listr2: Promise<typeof import('listr2')> | undefined;

/** Starts loading listr2 (~30 ms) so it happens while the caller waits on the host, not after. */
export function preloadProgress(): void {
  listr2 ??= import('listr2');
}

export async function runSteps(steps: Task[], opts: { quiet?: boolean } = {}): Promise<void> {
  preloadProgress();
  const { Listr, ListrLogger, ProcessOutput } = await listr2!;
  const logger = new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) });
  const list = new Listr(
    steps.map((s) => ({ title: s.title, task: (_ctx: unknown, task: { title: string }) => s.run((t) => { task.title = t; }) })),
    {
      exitOnError: true,
      renderer: opts.quiet ? 'silent' : 'default',
      rendererOptions: { logger },
      fallbackRenderer: 'simple',
      fallbackRendererOptions: { logger },
      fallbackRendererCondition: !process.stderr.isTTY,
    },
  );
  await list.run();
}
