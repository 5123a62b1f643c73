// hermit ps: every container hermit started, with the last probe's verdict.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface PsArgs { json: boolean }

export const psCommand: CommandModule<object, PsArgs> = {
  command: 'ps',
  describe: 'List every hermit-managed container (running or not) with its last probe result',
  builder: (y: Argv) => y.option('json', { type: 'boolean', default: false, describe: 'Print the list as JSON on stdout' }) as Argv<PsArgs>,
  handler: async (argv: ArgumentsCamelCase<PsArgs>) => {
    const [{ execOk }, { LABEL_PROFILE }, { lastProbe: readProbe }, { renderPs }, { printJson }] = await Promise.all([
      import('../apply/exec.js'), import('../plan/labels.js'), import('../state/store.js'), import('../report/status-text.js'), import('./lifecycle.js'),
    ]);
    const out = await execOk({ file: 'docker', args: ['container', 'ls', '--all', '--no-trunc', '--filter', `label=${LABEL_PROFILE}`, '--format', '{{json .}}'] }, 'host');
    const rows = await Promise.all(out.split('\n').filter(Boolean).map(async (line) => {
      const c = JSON.parse(line) as { ID: string; Names: string; Image: string; State: string; Status: string; Labels: string };
      const profile = /(?:^|,)hermit\.profile=([^,]*)/.exec(c.Labels)?.[1] ?? '?';
      const role = /(?:^|,)hermit\.role=(proxy|docker)(?:,|$)/.exec(c.Labels)?.[1] as 'proxy' | 'docker' | undefined ?? 'agent' as const;
      const probe = await readProbe(profile);
      const lastProbe = probe && probe.containerId === c.ID ? { at: probe.at, ok: probe.ok } : null;
      return { profile, container: c.Names, role, id: c.ID, image: c.Image, state: c.State, status: c.Status, lastProbe };
    }));
    rows.sort((a, b) => a.profile.localeCompare(b.profile) || a.container.localeCompare(b.container));
    if (argv.json) printJson(rows);
    else process.stdout.write(`${renderPs(rows)}\n`);
  },
};
