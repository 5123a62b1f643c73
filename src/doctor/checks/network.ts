// Network checks: the profile's bridge as Docker and the kernel see it, its MTU against the uplink's,
// subnets against host routes, and IPv6 on the bridge and in the container.
import { cidrsOverlap, parseCidr } from '../../net/cidr.js';
import { LABEL_PROFILE } from '../../plan/labels.js';
import type { DockerNetwork } from '../../plan/host-facts.js';
import { SRC } from '../gather.js';
import { bridgeOf, type Facts } from '../snapshot-views.js';
import { type CheckDef, type Ctx, fail, hermitRun, NO_PROFILE, ok, skip, warn } from './util.js';

/** Docker cannot change a network in place: remove its containers and it, then let hermit recreate both. */
const recreate = (ctx: Ctx, net: DockerNetwork) =>
  `${net.containers.length > 0 ? `docker rm -f ${net.containers.join(' ')}; ` : ''}docker network rm ${net.name}; ${hermitRun(ctx)}`;

/** The networks the MTU and overlap checks look at: the profile's, else every bridge network. */
function bridges(ctx: Ctx): DockerNetwork[] {
  const nets = ctx.f.networks.filter((n) => n.driver === 'bridge');
  const own = ctx.profile ? nets.find((n) => n.name === ctx.profile!.network.name) : undefined;
  return own ? [own] : nets;
}

function linkMtu(f: Facts, ifname: string): number | undefined {
  return f.links.find((l) => l.ifname === ifname)?.mtu;
}

export const networkChecks: CheckDef[] = [
  {
    id: 'network.bridge', area: 'network', title: "The profile's bridge network",
    run(ctx) {
      const { f, profile } = ctx;
      if (!profile) return skip(NO_PROFILE);
      if (!f.dockerInfo) return skip('no Docker engine');
      const n = profile.network;
      const net = f.profileNetwork(profile);
      if (!net) return skip(`network ${n.name} does not exist yet (hermit run creates it)`);
      const link = f.links.find((l) => l.ifname === bridgeOf(net));
      const evidence = [
        `docker network ${net.name}: driver ${net.driver}, subnet ${net.subnets.join(', ') || 'none'}, gateway ${net.gateways.join(', ') || 'none'}, bridge ${bridgeOf(net)}, ` +
          `mtu option ${net.mtu ?? 'unset'}, IPv6 ${net.ipv6 ? 'on' : 'off'}, label ${LABEL_PROFILE}=${net.labels[LABEL_PROFILE] ?? '(none)'}, containers: ${net.containers.join(', ') || 'none'}`,
        link ? `interface ${link.ifname}: mtu ${link.mtu}, state ${link.operstate ?? '?'}, flags ${link.flags.join(',')}` : `interface ${bridgeOf(net)}: not found by ip link`,
      ];
      const diff: string[] = [];
      if (!net.subnets.includes(n.subnet)) diff.push(`subnet is ${net.subnets.join(', ') || 'unset'}, the profile says ${n.subnet}`);
      if (!net.gateways.includes(n.gateway)) diff.push(`gateway is ${net.gateways.join(', ') || 'unset'}, the profile says ${n.gateway}`);
      if (net.bridge !== n.bridge) diff.push(`bridge is ${net.bridge ?? 'unnamed'}, the profile says ${n.bridge}`);
      if (n.mtu !== undefined && net.mtu !== n.mtu) diff.push(`MTU is ${net.mtu ?? 'default'}, the profile says ${n.mtu}`);
      if (net.ipv6 !== n.ipv6) diff.push(`IPv6 is ${net.ipv6 ? 'on' : 'off'}, the profile says ${n.ipv6 ? 'on' : 'off'}`);
      if (net.labels[LABEL_PROFILE] !== profile.name) diff.push(`it was not created by hermit for profile '${profile.name}'`);
      if (diff.length > 0) return fail(`network ${n.name} differs from the profile: ${diff.join('; ')}`, evidence, `Docker cannot change a network in place; recreate it: ${recreate(ctx, net)}`);
      if (!link) return fail(`Docker knows network ${n.name}, but its bridge ${bridgeOf(net)} is not on this host`, evidence, 'Restart Docker (systemctl restart docker), which re-creates its bridges');
      return ok(`${n.name}: subnet ${n.subnet}, gateway ${n.gateway}, bridge ${link.ifname} (mtu ${link.mtu})`, evidence);
    },
  },
  {
    id: 'network.mtu', area: 'network', title: 'Bridge MTU against the uplink MTU',
    run(ctx) {
      const { f, profile } = ctx;
      const uplink = f.uplinks[0];
      if (!uplink) return skip(f.out(SRC.route4) === undefined ? `cannot read routes (${f.why(SRC.route4)})` : 'no IPv4 default route: no uplink to compare with');
      const upMtu = Math.min(uplink.mtu ?? Infinity, uplink.routeMtu ?? Infinity);
      const evidence = [`uplink ${uplink.dev} (default route): mtu ${uplink.mtu ?? '?'}${uplink.routeMtu ? `, route mtu ${uplink.routeMtu}` : ''}`];
      const nets = bridges(ctx);
      if (nets.length === 0) return skip(f.dockerInfo ? 'no Docker bridge networks' : 'no Docker engine', evidence);
      const tooBig: { net: DockerNetwork; mtu: number }[] = [];
      for (const net of nets) {
        const mtu = linkMtu(f, bridgeOf(net)) ?? net.mtu ?? 1500;
        evidence.push(`bridge ${bridgeOf(net)} (network ${net.name}): mtu ${mtu}`);
        if (mtu > upMtu) tooBig.push({ net, mtu });
      }
      if (!Number.isFinite(upMtu)) return skip(`the uplink ${uplink.dev} has no MTU in ip link`, evidence);
      const own = tooBig.find((t) => profile && t.net.name === profile.network.name);
      const worst = own ?? tooBig[0];
      if (!worst) return ok(`${nets.length === 1 ? `bridge ${bridgeOf(nets[0]!)}` : 'every Docker bridge'} fits the uplink ${uplink.dev} (mtu ${upMtu})`, evidence);
      const what = `bridge ${bridgeOf(worst.net)} has MTU ${worst.mtu} but the uplink ${uplink.dev} carries ${upMtu}: containers send packets the uplink cannot, ` +
        'and connections stall wherever the "fragmentation needed" answers are lost (TLS handshakes, large downloads)';
      const fix = own
        ? `Set network.mtu: ${upMtu} in the profile, then recreate the network: ${recreate(ctx, worst.net)}`
        : `For Docker's own networks set "mtu": ${upMtu} in /etc/docker/daemon.json (default bridge) or create them with --opt com.docker.network.driver.mtu=${upMtu}; for hermit profiles set network.mtu: ${upMtu}`;
      // Another network's mismatch does not break this profile: a warning, unless it is the profile's own (or there is no profile).
      return own || !profile ? fail(what, evidence, fix) : warn(what, evidence, fix);
    },
  },
  {
    id: 'network.overlap', area: 'network', title: 'Docker subnets against host routes (VPNs)',
    run(ctx) {
      const { f, profile } = ctx;
      const routes = f.routes.filter((r) => r.dst !== 'default');
      if (f.out(SRC.route4) === undefined) return skip(`cannot read routes (${f.why(SRC.route4)})`);
      const nets = f.networks.filter((n) => n.driver === 'bridge');
      const subjects: { name: string; subnet: string; bridge?: string; own: boolean }[] = nets.flatMap((n) =>
        n.subnets.map((s) => ({ name: n.name, subnet: s, bridge: bridgeOf(n), own: n.name === profile?.network.name })));
      if (profile && !subjects.some((s) => s.own)) subjects.push({ name: `${profile.network.name} (planned)`, subnet: profile.network.subnet, bridge: profile.network.bridge, own: true });
      if (subjects.length === 0) return skip('no Docker bridge networks and no profile');
      const failures: string[] = [];
      const warnings: string[] = [];
      const evidence: string[] = [];
      for (const s of subjects) {
        const c = parseCidr(s.subnet);
        if (!c) continue;
        for (const r of routes) {
          const rc = parseCidr(r.dst);
          // Routes on the network's own bridge are its own; catch-alls (0/1, 128/1) lose to the bridge route anyway.
          if (!rc || r.dev === s.bridge || rc.prefix < 8 || !cidrsOverlap(c, rc)) continue;
          const line = `${s.name} ${s.subnet} overlaps route ${r.dst}${r.dev ? ` dev ${r.dev}` : ''}${r.gateway ? ` via ${r.gateway}` : ''}`;
          evidence.push(line);
          // A route at least as specific as the subnet takes the containers' replies away from the bridge;
          // a broader one only hides its own hosts inside the subnet.
          const steals = rc.prefix >= c.prefix;
          (steals && (s.own || !profile) ? failures : warnings).push(steals
            ? `${line}: replies to the containers leave through ${r.dev ?? 'it'}`
            : `${line}: hosts of ${r.dst} inside ${s.subnet} are unreachable from this host`);
        }
      }
      const fix = profile
        ? `Choose a network.subnet that no route on this host covers (ip route shows them; a VPN is the usual owner), then recreate the network; for Docker's own networks set "bip" and "default-address-pools" in /etc/docker/daemon.json`
        : 'Move the Docker network to a range no route covers ("bip" and "default-address-pools" in /etc/docker/daemon.json), or change the VPN\'s routes';
      if (failures.length > 0) return fail(failures[0]!, [...failures, ...warnings], fix);
      if (warnings.length > 0) return warn(warnings[0]!, warnings, fix);
      return ok(`no host route overlaps ${subjects.map((s) => s.subnet).join(', ')}`, [`${routes.length} non-default routes compared`]);
    },
  },
  {
    id: 'network.ipv6', area: 'network', title: 'IPv6 on the bridge and in the container',
    run(ctx) {
      const { f, profile } = ctx;
      if (!profile) return skip(NO_PROFILE);
      const want = profile.network.ipv6;
      const evidence = [`profile: network.ipv6 ${want ? 'on' : 'off'}`, `host: /proc/sys/net/ipv6/conf/all/disable_ipv6 = ${f.out(SRC.disableIpv6)?.trim() ?? f.why(SRC.disableIpv6)}`];
      const net = f.profileNetwork(profile);
      if (net) {
        const addrs = f.addresses.filter((a) => a.ifname === bridgeOf(net) && a.family === 6);
        evidence.push(`network ${net.name}: EnableIPv6 ${net.ipv6}`, `bridge ${bridgeOf(net)} IPv6 addresses: ${addrs.map((a) => `${a.address}/${a.prefixlen}`).join(', ') || 'none'}`);
      }
      const v = f.snap.vantages.find((x) => x.id === 'profile');
      const ip6 = v?.probe?.ipv6;
      if (ip6) evidence.push(`${v!.label}: disable_ipv6=${ip6.disabled ? 1 : 0}, addresses ${ip6.addresses.join(', ') || 'none'}`);
      if (net && net.ipv6 !== want) return fail(`network ${net.name} has IPv6 ${net.ipv6 ? 'on' : 'off'}, the profile says ${want ? 'on' : 'off'}`, evidence, `Recreate it: ${recreate(ctx, net)}`);
      if (!want && ip6 && (!ip6.disabled || ip6.addresses.length > 0)) {
        return fail(`IPv6 is on in the container although the profile turns it off (${ip6.addresses.join(', ') || 'disable_ipv6=0'})`, evidence,
          `${ctx.profileArg ? `hermit run ${ctx.profileArg} --replace` : 'hermit run <profile> --replace'} recreates the container with disable_ipv6=1`);
      }
      if (!ip6) return ok(`the network matches the profile (IPv6 ${want ? 'on' : 'off'}); the container's own state was not seen (${v?.skipped ?? v?.error ?? 'no probe'})`, evidence);
      return ok(`IPv6 is ${want ? 'on' : 'off'} in the container, as the profile says`, evidence);
    },
  },
];
