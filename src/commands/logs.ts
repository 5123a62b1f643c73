// hermit logs <profile> [-f]: the container's output, through docker logs.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface LogsArgs { profile: string; follow: boolean; tail?: string; since?: string }

export const logsCommand: CommandModule<object, LogsArgs> = {
  command: 'logs <profile>',
  describe: "Print the container's output (exits with docker logs' exit code)",
  builder: (y: Argv) =>
    y
      .positional('profile', { type: 'string', demandOption: true, describe: 'Profile name or path' })
      .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'Keep printing new output' })
      .option('tail', { alias: 'n', type: 'string', describe: 'Only the last N lines' })
      .option('since', { type: 'string', describe: 'Only output since this time (2025-01-02T15:04:05, or 10m)' }) as Argv<LogsArgs>,
  handler: async (argv: ArgumentsCamelCase<LogsArgs>) => {
    const [{ loadChecked }, { profileContainer }, { execAttached }, { HermitError }] = await Promise.all([
      import('./common.js'), import('./lifecycle.js'), import('../apply/attach.js'), import('../errors.js'),
    ]);
    const { profile } = loadChecked(argv.profile);
    const c = await profileContainer(profile);
    if (!c) throw new HermitError('usage', `profile '${profile.name}' has no container ${profile.container.name}`, `Start it with: hermit run ${argv.profile}`);
    const args = ['logs', ...(argv.follow ? ['--follow'] : []), ...(argv.tail ? ['--tail', argv.tail] : []), ...(argv.since ? ['--since', argv.since] : []), c.id];
    process.exitCode = await execAttached({ file: 'docker', args });
  },
};
