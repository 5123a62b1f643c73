// Recent changes: package installs and upgrades (dpkg, dnf, pacman logs) and starts, stops and
// reloads of Docker, firewall and network services (systemd's journal) since ctx.since.
import { PACKAGE_LOGS, SRC } from '../gather.js';
import { type CheckDef, hermitRun, ok, plural, skip, warn } from './util.js';

const RELEVANT = /^(docker|containerd|runc|moby|iptables|ip6tables|nftables|libnftnl|libnftables|libxtables|xtables|firewalld|ufw|linux-(image|modules)|kernel|systemd|network-?manager|netplan|ifupdown|iproute|openvpn|wireguard|tailscale|zerotier|resolvconf|netfilter-persistent|iptables-persistent|apparmor|selinux-policy|container-selinux)/i;

export interface PackageChange { when: string; action: string; name: string; detail: string }

/** One install/upgrade/remove line of dpkg.log, dnf.rpm.log or pacman.log; undefined for others. */
export function parsePackageLine(line: string): PackageChange | undefined {
  const when = /(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(line);
  if (!when) return undefined;
  const at = `${when[1]} ${when[2]}`;
  let m = /^\S+ \S+ (install|upgrade|remove|purge) (\S+?)(?::\S+)? (\S+) (\S+)$/.exec(line); // dpkg
  if (m) return { when: at, action: m[1]!, name: m[2]!, detail: m[1] === 'install' ? m[4]! : m[1] === 'upgrade' ? `${m[3]} → ${m[4]}` : m[3]! };
  m = /\] (installed|upgraded|downgraded|removed) (\S+) \((.*)\)/.exec(line); // pacman
  if (m) return { when: at, action: m[1]!.slice(0, m[1] === 'installed' ? -2 : -1), name: m[2]!, detail: m[3]! };
  m = / (Upgrade|Upgraded|Install|Installed|Erase|Obsolete)d?: (\S+)/.exec(line); // dnf.rpm.log: name-version-release.arch
  if (m) {
    const nevra = m[2]!;
    const name = /^(.+?)-(\d+:)?\d[^-]*-[^-]+$/.exec(nevra)?.[1] ?? nevra;
    return { when: at, action: m[1]!.toLowerCase(), name, detail: nevra.slice(name.length + 1) };
  }
  return undefined;
}

export interface ServiceEvent { when: string; text: string }

/** systemd's line about a unit: "2026-11-20T10:00:00+0000 host systemd[1]: Started docker.service - …". */
export function parseJournalLine(line: string): ServiceEvent | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\S*\s+\S+\s+systemd\[1\]: (.*)$/.exec(line);
  if (!m || !/(Start|Stop|Reload|Restart|fail|Deactivated)/i.test(m[3]!)) return undefined;
  return { when: `${m[1]} ${m[2]}`, text: m[3]!.replace(/ - .*$/, '') };
}

export const changesChecks: CheckDef[] = [
  {
    id: 'changes.packages', area: 'changes', title: 'Package changes in the last days',
    run({ f, since }) {
      const logs = Object.keys(PACKAGE_LOGS).filter((k) => f.out(k) !== undefined);
      if (logs.length === 0) return skip(`no package log could be read (${Object.values(PACKAGE_LOGS).join(', ')})`);
      const changes = logs.flatMap((k) => (f.out(k) ?? '').split('\n').map(parsePackageLine)).filter((c): c is PackageChange => !!c);
      const relevant = changes.filter((c) => RELEVANT.test(c.name));
      const day = since.toISOString().slice(0, 10);
      const evidence = [`read ${logs.map((k) => PACKAGE_LOGS[k as keyof typeof PACKAGE_LOGS]).join(', ')} since ${day}: ${plural(changes.length, 'change')}`,
        ...relevant.slice(-20).map((c) => `${c.when} ${c.action} ${c.name} ${c.detail}`)];
      if (relevant.length === 0) return ok(`no Docker, firewall, kernel or network package changed since ${day} (${plural(changes.length, 'other change')})`, evidence);
      const names = [...new Set(relevant.map((c) => c.name))];
      return warn(`${plural(names.length, 'package')} that can affect container networking changed since ${day}: ${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''}`, evidence,
        'If the trouble started after one of these, start there; a kernel or Docker upgrade takes effect after a reboot or restart. ' +
        'Compare with a host that works: hermit doctor --json > this.json on both, then hermit doctor --compare good.json this.json');
    },
  },
  {
    id: 'changes.services', area: 'changes', title: 'Docker, firewall and network service events in the last days',
    run(ctx) {
      const { f, since } = ctx;
      const src = f.source(SRC.journal);
      const noSystemd = /not been booted with systemd|Failed to connect to bus/.test(f.source(SRC.systemctl)?.stderr ?? '');
      if (!src || src.error || (src.exitCode ?? 0) !== 0 || noSystemd) {
        return skip(noSystemd ? 'this host does not run systemd: no journal to read' : `the journal cannot be read (${f.why(SRC.journal)})`);
      }
      const events = src.stdout.split('\n').map(parseJournalLine).filter((e): e is ServiceEvent => !!e);
      const day = since.toISOString().slice(0, 10);
      if (events.length === 0) return ok(`no start, stop or reload of Docker, firewall or network services since ${day}`);
      const evidence = events.slice(-25).map((e) => `${e.when} ${e.text}`);
      return warn(`${plural(events.length, 'service event')} since ${day}, the last: ${events.at(-1)!.when} ${events.at(-1)!.text}`, evidence,
        'A Docker restart puts its FORWARD jump back on top; a firewalld, nftables or netfilter-persistent reload or restart can flush hermit\'s chains. ' +
        `If the trouble started at one of these times, see host.forward-order and host.hermit-rules; ${hermitRun(ctx)} re-applies hermit's rules`);
    },
  },
];
