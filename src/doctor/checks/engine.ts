// What the agent's own Docker engine (`docker:`) needs of the host (docs/engine.md): unprivileged
// user namespaces, a tun device uid 1000 can open (the host's, or hermit's own node), AppArmor
// (untested), and its image. Checked only for a profile with `docker:`.
import { SIDECAR_SRC } from '../gather-sidecars.js';
import { USERNS_FILES, usernsProblem, type UsernsFacts } from '../../plan/userns.js';
import type { Facts } from '../snapshot-views.js';
import { type CheckDef, type Ctx, fail, hermitRun, ok, skip, warn } from './util.js';

export interface StatInfo { char: boolean; file: boolean; major: number; minor: number; mode: string; uid: number; gid: number }

export function statOf(f: Facts, key: string): StatInfo | undefined {
  try { return f.out(key) ? (JSON.parse(f.out(key)!) as StatInfo) : undefined; } catch { return undefined; }
}

/** Only a profile with `docker:` has an engine to check. */
const applies = (ctx: Ctx) => !!ctx.profile?.docker;

export const engineChecks: CheckDef[] = [
  {
    id: 'host.engine-userns', area: 'host', title: 'docker: unprivileged user namespaces (the engine runs rootless)', applies,
    run({ f }) {
      let facts: UsernsFacts;
      try { facts = JSON.parse(f.out(SIDECAR_SRC.userns) ?? '') as UsernsFacts; } catch { return skip(`could not read the sysctls: ${f.why(SIDECAR_SRC.userns)}`); }
      const evidence = Object.entries(facts).map(([k, v]) => `${USERNS_FILES[k as keyof UsernsFacts] ?? k}: ${String(v).trim()}`);
      const p = usernsProblem(facts);
      if (p) return fail(`${p.sysctl} = ${p.value}: ${p.why}; hermit run refuses the profile (exit 3)`, evidence, p.fix);
      return ok('unprivileged user namespaces are allowed', evidence);
    },
  },
  {
    id: 'host.engine-tun', area: 'host', title: 'docker: /dev/net/tun (slirp4netns, the engine\'s way out)', applies,
    run(ctx) {
      const { f } = ctx;
      const tun = statOf(f, SIDECAR_SRC.tun);
      if (!tun) {
        return fail(`/dev/net/tun is missing: ${f.why(SIDECAR_SRC.tun)}`, [], 'Load the tun module: modprobe tun (and list it in /etc/modules-load.d/ to keep it), then check: ls -l /dev/net/tun (crw-rw-rw- 10, 200)');
      }
      const evidence = [`/dev/net/tun: ${tun.char ? 'character device' : 'not a character device'} ${tun.major}:${tun.minor}, mode ${tun.mode}, owner ${tun.uid}:${tun.gid}`];
      if (!tun.char || tun.major !== 10 || tun.minor !== 200) {
        return fail('/dev/net/tun is not the tun device (character 10:200)', evidence, 'Remove it and load the module: rm /dev/net/tun; modprobe tun (udev makes the node), or mknod /dev/net/tun c 10 200; chmod 0666 /dev/net/tun');
      }
      if ((parseInt(tun.mode, 8) & 0o006) === 0o006) return ok('/dev/net/tun is 10:200 and uid 1000 can open it: the engine uses it', evidence);
      // Not usable by uid 1000: hermit makes a node of its own in its state dir, which a nodev mount makes useless.
      const mount = f.out(SIDECAR_SRC.stateMount)?.trim();
      evidence.push(`state dir mount (findmnt): ${mount ?? f.why(SIDECAR_SRC.stateMount)}`);
      const nodev = !!mount && /(^|[\s,])nodev(,|$)/.test(mount);
      if (nodev) {
        return fail('/dev/net/tun cannot be opened by uid 1000, and hermit\'s own tun node would be on a nodev mount, which cannot be opened: the engine would never answer', evidence,
          `Move hermit's state dir to a mount without nodev (HERMIT_STATE_DIR=...), or make the host's node usable: chmod 0666 /dev/net/tun; then ${hermitRun(ctx)}`);
      }
      return ok(`/dev/net/tun is ${tun.mode} (uid 1000 cannot open it): hermit makes a node of its own for the engine in its state dir${mount ? '' : ' (which must not be on a nodev mount: findmnt could not tell)'}`, evidence);
    },
  },
  {
    id: 'host.engine-apparmor', area: 'host', title: 'docker: AppArmor', applies,
    run({ f }) {
      const enabled = f.out(SIDECAR_SRC.apparmor)?.trim();
      const evidence = [`/sys/module/apparmor/parameters/enabled: ${enabled ?? f.why(SIDECAR_SRC.apparmor)}`];
      if (enabled !== 'Y') return ok('AppArmor is not enabled: nothing restricts the engine beyond its seccomp profile', evidence);
      return warn('AppArmor is enabled: hermit\'s engine has not been tested under it (Docker\'s docker-default profile denies mount, which rootlesskit needs)', evidence,
        'If the engine does not answer, read hermit logs --docker <profile> and the kernel log (journalctl -k | grep apparmor="DENIED"), and report what was denied; see docs/engine.md');
    },
  },
  {
    id: 'host.engine-image', area: 'host', title: 'docker: the engine\'s image', applies,
    run({ f, profile }) {
      const engine = profile!.docker!;
      const id = f.out(SIDECAR_SRC.engineImage)?.trim();
      if (id) return ok(`${engine.image} is on this host`, [`image id ${id}`]);
      const src = f.source(SIDECAR_SRC.engineImage);
      if (!/no such image/i.test(`${src?.stderr ?? ''}${src?.stdout ?? ''}`)) return skip(`could not ask the engine: ${f.why(SIDECAR_SRC.engineImage)}`);
      if (engine.build) return ok(`${engine.image} is not here yet: hermit run builds it from ${engine.build.context} (Debian packages)`, [f.why(SIDECAR_SRC.engineImage)]);
      return fail(`the engine image ${engine.image} is not on this host, and hermit does not build it`, [f.why(SIDECAR_SRC.engineImage)],
        `Load or pull it (docker pull ${engine.image}), or leave out docker.image to use hermit's own`);
    },
  },
];
