// hermit guard [profile...]: keep the isolation verified over time (a systemd service), or one
// pass (--once), or restore saved rules before Docker starts (--boot), or (un)install the units.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface GuardArgs { profiles: string[]; once: boolean; boot: boolean; install: boolean; uninstall: boolean; interval: number }

export const guardCommand: CommandModule<object, GuardArgs> = {
  command: 'guard [profiles..]',
  describe: 'Re-verify isolation on Docker events and on an interval; restore drifted rules, or stop the container when they cannot be restored',
  builder: (y: Argv) =>
    y
      .positional('profiles', { type: 'string', array: true, default: [], describe: 'Profiles to guard (default: every profile hermit has applied on this host)' })
      .option('interval', { type: 'number', default: 30, describe: 'Seconds between verifications (Docker events also trigger one)' })
      .option('once', { type: 'boolean', default: false, describe: 'One verification pass, then exit (0: guarantee holds, 4: not restorable, 5: a container was stopped, 6: an outage, containers running)' })
      .option('boot', { type: 'boolean', default: false, describe: 'Restore the saved rules of every profile, Docker not needed (run before docker.service)' })
      .option('install', { type: 'boolean', default: false, describe: 'Write and enable the systemd units hermit-boot.service and hermit-guard.service' })
      .option('uninstall', { type: 'boolean', default: false, describe: 'Disable and remove those units' })
      .example('$0 guard --install claude-agent', 'Guard the profile from boot on, as a systemd service')
      .example('$0 guard --once', 'Verify every profile once (cron, tests)') as Argv<GuardArgs>,
  handler: async (argv: ArgumentsCamelCase<GuardArgs>) => {
    const [{ loadChecked, requireRoot }, guard, loop, { HermitError }] = await Promise.all([
      import('./common.js'), import('../guard/guard.js'), import('../guard/loop.js'), import('../errors.js'),
    ]);
    const log = guard.stdoutLog;
    const modes = (['once', 'boot', 'install', 'uninstall'] as const).filter((m) => argv[m]);
    if (modes.length > 1) throw new HermitError('usage', `--${modes.join(' and --')} cannot be combined`, 'See: hermit guard --help');
    if (!(argv.interval > 0)) throw new HermitError('usage', '--interval must be a positive number of seconds');
    requireRoot('guard', 'it reads and changes the firewall and stops containers');
    if (argv.install || argv.uninstall) {
      const units = await import('../guard/units.js');
      // Profile arguments become absolute paths: the service does not run in this directory.
      const profiles = argv.profiles.map((p) => loadChecked(p).file);
      const env = Object.fromEntries(['HERMIT_STATE_DIR', 'HERMIT_FIREWALL', 'DOCKER_HOST', 'PATH'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
      const ok = argv.install
        ? await units.installUnits({ node: process.execPath, script: process.argv[1]!, profiles, intervalSec: argv.interval, env }, log)
        : await units.uninstallUnits(log);
      if (!ok) process.exitCode = 3;
      return;
    }
    if (argv.boot) {
      if (!(await guard.bootRestore(log))) process.exitCode = 4;
      return;
    }
    const profiles = () => guard.guardedProfiles(argv.profiles, (a) => loadChecked(a), log);
    if (argv.once) {
      const results = await loop.passAll(await profiles(), 'hermit guard --once', log);
      // 5: a container was stopped; 4: a guarantee could not be restored; 6: only outages (containers running).
      if (results.some((r) => r.stopped)) process.exitCode = 5;
      else if (results.some((r) => !r.ok && !r.outage)) process.exitCode = 4;
      else if (results.some((r) => r.outage)) process.exitCode = 6;
      return;
    }
    const { claimGuard } = await import('../state/lock.js');
    await claimGuard(argv.profiles.map((p) => loadChecked(p).profile.name));
    // A stop (systemd, Ctrl-C) ends the process normally, so its claim is released.
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(0));
    await loop.guardForever(profiles, argv.interval, log);
  },
};
