// hermit logs <profile> [-f]: the container's output, through docker logs; with --blocked, the
// connections hermit's rules rejected, from the kernel log.
import { readFile } from 'node:fs/promises';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface LogsArgs { profile: string; follow: boolean; tail?: string; since?: string; blocked: boolean; docker: boolean; json: boolean }

export const logsCommand: CommandModule<object, LogsArgs> = {
  command: 'logs <profile>',
  describe: "Print the container's output (exits with docker logs' exit code), or with --blocked what its firewall rejected",
  builder: (y: Argv) =>
    y
      .positional('profile', { type: 'string', demandOption: true, describe: 'Profile name or path' })
      .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'Keep printing new output' })
      .option('tail', { alias: 'n', type: 'string', describe: 'Only the last N lines' })
      .option('since', { type: 'string', describe: 'Only output since this time (2025-01-02T15:04:05, or 10m)' })
      .option('blocked', { type: 'boolean', default: false, describe: 'Connections the rules rejected (time, destination, port, protocol), from the kernel log' })
      .option('docker', { type: 'boolean', default: false, describe: "The output of the agent's docker engine (docker:) instead of the agent's" })
      .option('json', { type: 'boolean', default: false, describe: 'With --blocked: print them as JSON' }) as Argv<LogsArgs>,
  handler: async (argv: ArgumentsCamelCase<LogsArgs>) => {
    const [{ lifecycleTarget, targetContainer, targetEngine }, { execAttached }, { HermitError }] = await Promise.all([
      import('./lifecycle.js'), import('../apply/attach.js'), import('../errors.js'),
    ]);
    const target = await lifecycleTarget(argv.profile);
    if (argv.blocked) {
      if (argv.follow) throw new HermitError('usage', '--blocked cannot --follow yet', 'Run it again, or watch: journalctl -kf | grep hermit:');
      const [{ exec }, { mergeBlocked, parseBlocked, parseProxyLog, renderBlocked }, { proxyDir }, { stateDir }] = await Promise.all([
        import('../apply/exec.js'), import('../report/blocked.js'), import('../plan/proxy.js'), import('../state/store.js'),
      ]);
      // The journal keeps more than the ring buffer; without journald (containers, minimal hosts) dmesg.
      let entries: ReturnType<typeof parseBlocked> = [];
      let read = false;
      for (const cmd of [{ file: 'journalctl', args: ['-k', '-o', 'short-iso', '--no-pager'] }, { file: 'dmesg', args: ['--time-format', 'iso'] }]) {
        const out = await exec(cmd).catch(() => undefined);
        if (!out || out.exitCode !== 0) continue;
        read = true;
        entries = parseBlocked(out.stdout, target.name);
        if (entries.length > 0) break;
      }
      // Allowlist mode: what the proxy refused, from the access log it writes under hermit's state dir
      // (read whenever it is there: with the profile file gone, the name is enough).
      const proxyLogs = await Promise.all(['access.log.0', 'access.log'].map((f) => readFile(`${proxyDir(stateDir(), target.name)}/log/${f}`, 'utf8').catch(() => undefined)));
      const proxyLog = proxyLogs.some((t) => t !== undefined) ? proxyLogs.map((t) => t ?? '').join('\n') : undefined;
      if (proxyLog !== undefined) entries = mergeBlocked(entries, parseProxyLog(proxyLog));
      if (!read && proxyLog === undefined) throw new HermitError('host', 'cannot read the kernel log (journalctl -k and dmesg both failed)', 'Run as root (sudo hermit logs --blocked ...)');
      const n = argv.tail ? Number(argv.tail) : 0;
      if (n > 0) entries = entries.slice(-n);
      process.stdout.write(argv.json ? `${JSON.stringify(entries, null, 2)}\n` : `${renderBlocked(entries, target.name)}\n`);
      return;
    }
    const c = argv.docker ? await targetEngine(target) : await targetContainer(target);
    if (!c) {
      const what = argv.docker ? `docker engine${target.profile?.docker ? ` ${target.profile.docker.container}` : ''}` : `container${target.profile ? ` ${target.profile.container.name}` : ''}`;
      throw new HermitError('usage', `profile '${target.name}' has no ${what}`, argv.docker && target.profile && !target.profile.docker ? 'Add docker: true to the profile, then hermit run it' : `Start it with: hermit run ${argv.profile}`);
    }
    const args = ['logs', ...(argv.follow ? ['--follow'] : []), ...(argv.tail ? ['--tail', argv.tail] : []), ...(argv.since ? ['--since', argv.since] : []), c.id];
    process.exitCode = await execAttached({ file: 'docker', args });
  },
};
