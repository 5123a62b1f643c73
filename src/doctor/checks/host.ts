// Host checks: system, Docker engine, firewall backend and variant, ip_forward, firewall managers,
// the order of FORWARD, and hermit's own chains and jumps.
import { firewallBackendOf } from '../../host/read.js';
import { HermitError } from '../../errors.js';
import type { FirewallBackend } from '../../plan/host-facts.js';
import { firewallFor } from '../../firewall/index.js';
import { parseSave } from '../../firewall/iptables.js';
import { SRC } from '../gather.js';
import { type CheckDef, fail, hasDockerChains, hermitRun, isHermitJump, NO_PROFILE, ok, plural, skip, warn } from './util.js';

/** Chains other tools leave in the filter table, by name: who is there besides Docker. */
const OWNERS: [RegExp, string][] = [
  [/^ts-/, 'Tailscale'], [/^ufw6?-/, 'ufw'], [/^(FORWARD|INPUT|OUTPUT)_(direct|ZONES|IN_ZONES|OUT_ZONES)|^FWD[IO]_|^IN_/, 'firewalld'],
  [/^KUBE-/, 'Kubernetes'], [/^CILIUM_/, 'Cilium'], [/^LIBVIRT_/, 'libvirt'], [/^f2b-/, 'fail2ban'], [/^(zt|ZT)/, 'ZeroTier'],
  [/^(nm-|NM-)/, 'NetworkManager'], [/^(CROWDSEC|crowdsec)/, 'CrowdSec'], [/^(LXD|lxd)/, 'LXD'],
];
const ownerOf = (chain: string) => OWNERS.find(([re]) => re.test(chain))?.[1];

/** Where each backend's rules are read from in the snapshot: without that read there is nothing to compare. */
const RULES_READ: Record<FirewallBackend, { key: string; what: string }> = {
  iptables: { key: SRC.save4, what: 'the firewall' },
  nftables: { key: SRC.nft, what: 'the nftables ruleset' },
};

export const hostChecks: CheckDef[] = [
  {
    id: 'host.system', area: 'host', title: 'System',
    run({ f }) {
      const kernel = f.out(SRC.kernel)?.trim();
      const distro = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(f.out(SRC.osRelease) ?? '')?.[1];
      const info = f.dockerInfo;
      const engine = info ? `${String(info.ServerVersion)} (${String(info.OperatingSystem ?? '?')})` : 'not reachable';
      return ok(`${distro ?? 'unknown distribution'}, kernel ${kernel ?? '?'}, Docker ${info ? String(info.ServerVersion) : 'not reachable'}`, [
        `kernel: ${kernel ?? f.why(SRC.kernel)}`, `distribution: ${distro ?? f.why(SRC.osRelease)}`, `Docker engine: ${engine}`,
      ]);
    },
  },
  {
    id: 'host.docker', area: 'host', title: 'Docker engine',
    run({ f }) {
      const src = f.source(SRC.dockerInfo);
      if (!src || src.error) return fail(`the docker CLI cannot run: ${src?.error ?? 'not gathered'}`, [], 'Install Docker (https://docs.docker.com/engine/install/) or put the docker CLI on PATH');
      const info = f.dockerInfo;
      if (!info) {
        const detail = (src.stderr || src.stdout).trim().split('\n').find((l) => !l.startsWith('{')) ?? `exit code ${src.exitCode}`;
        const fix = /permission denied/i.test(detail)
          ? 'Run doctor as root (sudo hermit doctor ...), or as a member of the docker group'
          : 'Start Docker (systemctl start docker) or point DOCKER_HOST at a running engine; check with: docker info';
        return fail(`no Docker engine answers: ${detail}`, [`${src.what}: exit ${src.exitCode}`, detail], fix);
      }
      const warnings = (info.Warnings as string[] | null | undefined) ?? [];
      const evidence = [`server version ${String(info.ServerVersion)}`, `storage driver ${String(info.Driver)}, cgroup driver ${String(info.CgroupDriver)}`,
        `containers: ${String(info.ContainersRunning)} running of ${String(info.Containers)}`, ...warnings.map((w) => `docker info: ${w}`)];
      if (warnings.length === 0) return ok(`Docker ${String(info.ServerVersion)} answers, with no warnings`, evidence);
      const fixes = [
        warnings.some((w) => /bridge-nf-call/.test(w)) && 'Load br_netfilter and enable it: modprobe br_netfilter; sysctl -w net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1',
        warnings.some((w) => /IPv4 forwarding/i.test(w)) && 'See host.ip-forward',
      ].filter(Boolean);
      return warn(`Docker ${String(info.ServerVersion)} reports ${plural(warnings.length, 'warning')}`, evidence,
        fixes.length > 0 ? fixes.join('; ') : 'Read the warnings above (docker info) and fix what they name');
    },
  },
  {
    id: 'host.firewall-backend', area: 'host', title: "Docker's firewall backend and the iptables variant",
    run({ f }) {
      const info = f.dockerInfo;
      const backend = info ? firewallBackendOf(info) : undefined;
      const version = f.out(SRC.iptablesVersion)?.trim();
      const evidence = [
        `Docker firewall backend: ${backend ? `${backend}${info?.FirewallBackend ? ` (${JSON.stringify(info.FirewallBackend)})` : ' (not reported: iptables before Docker 29)'}` : 'unknown (no engine)'}`,
        `iptables --version: ${version ?? f.why(SRC.iptablesVersion)}`,
      ];
      const choice = f.backend;
      if (choice instanceof HermitError) return fail(choice.message, evidence, choice.hint ?? 'Install nftables or iptables');
      evidence.push(`hermit's backend: ${choice.backend} (${choice.reason})`);
      if (!firewallFor(choice.backend).needsDockerUser) {
        return ok(`hermit uses ${choice.backend} (${choice.reason}): its own table per profile, beside Docker's rules`, evidence);
      }
      if (!version) return fail('iptables is not installed', evidence, 'Install iptables (apt-get install iptables / dnf install iptables-nft), or nftables (hermit then uses it)');
      const variant = version.includes('legacy') ? 'legacy' : 'nft';
      const save4 = f.out(SRC.save4);
      const other = f.out(SRC.saveOther);
      const facts = { dockerBackend: backend ?? 'iptables', backend: choice.backend, backendReason: choice.reason, nftTables: {}, variant,
        dockerChainsInOtherVariant: !!save4 && !hasDockerChains(save4) && !!other && hasDockerChains(other), save4: save4 ?? '', save6: '' } as const;
      try {
        firewallFor(choice.backend).check(facts);
      } catch (err) {
        if (!(err instanceof HermitError)) throw err;
        return fail(err.message, evidence, err.hint ?? 'Make Docker use the iptables backend and the same iptables variant as this host');
      }
      if (save4 === undefined) return skip(`cannot read the firewall (${f.why(SRC.save4)})${f.snap.uid !== 0 ? ': reading iptables needs root' : ''}`, evidence);
      if (!hasDockerChains(save4)) {
        if (!info) return skip('no Docker engine, and no Docker chains in iptables', evidence);
        return fail(`Docker has no chains in iptables-${variant}: dockerd runs with "iptables": false, so nothing isolates containers`, evidence,
          'Remove "iptables": false from /etc/docker/daemon.json (and --iptables=false from dockerd\'s command line), then restart Docker');
      }
      evidence.push(`Docker's chains are in iptables-${variant}`);
      const legacyRules = variant === 'nft' && other !== undefined ? other.split('\n').filter((l) => l.startsWith('-A ')) : [];
      if (legacyRules.length > 0) {
        evidence.push(`iptables-legacy also has ${plural(legacyRules.length, 'rule')} (tables: ${f.out(SRC.legacyTables)?.split('\n').join(', ')}):`, ...legacyRules.slice(0, 10).map((l) => `  legacy: ${l}`));
        return warn(`iptables-legacy holds ${plural(legacyRules.length, 'rule')} next to Docker's iptables-nft rules: both apply to every packet, and each tool shows only its own`,
          evidence, `Find the tool that still writes legacy rules (iptables-legacy-save shows them) and switch it to iptables-nft; until then a legacy DROP can cut containers off invisibly`);
      }
      return ok(`hermit uses iptables (${choice.reason}); Docker's chains are in iptables-${variant}, as hermit's are`, evidence);
    },
  },
  {
    id: 'host.ip-forward', area: 'host', title: 'IPv4 forwarding (net.ipv4.ip_forward)',
    run({ f }) {
      const v = f.out(SRC.ipForward)?.trim();
      if (v === undefined) return skip(`cannot read it (${f.why(SRC.ipForward)})`);
      const evidence = [`/proc/sys/net/ipv4/ip_forward = ${v}`];
      const info = f.dockerInfo;
      if (info && 'IPv4Forwarding' in info) evidence.push(`docker info IPv4Forwarding: ${String(info.IPv4Forwarding)}`);
      if (v === '1') return ok("net.ipv4.ip_forward is 1: the host routes containers' packets", evidence);
      return fail("net.ipv4.ip_forward is 0: the host does not route containers' packets, so nothing beyond the host answers them", evidence,
        'sysctl -w net.ipv4.ip_forward=1 (restarting Docker sets it too); keep it with: echo net.ipv4.ip_forward=1 > /etc/sysctl.d/99-ip-forward.conf. ' +
        'Find what turned it off: grep -rs ip_forward /etc/sysctl.conf /etc/sysctl.d /usr/lib/sysctl.d /run/sysctl.d (a VPN client or a hardening script, often)');
    },
  },
  {
    id: 'host.firewall-managers', area: 'host', title: 'Firewall managers (firewalld, ufw, others)',
    run(ctx) {
      const { f } = ctx;
      const units = f.source(SRC.systemctl);
      const state: Record<string, string> = {};
      if (units && !units.error && /^(active|inactive|failed|activating|unknown|deactivating)/m.test(units.stdout)) {
        ['firewalld', 'ufw', 'docker'].forEach((u, i) => { state[u] = units.stdout.split('\n')[i]?.trim() ?? '?'; });
      }
      const fwCmd = f.source(SRC.firewallCmd);
      const ufw = f.source(SRC.ufw);
      const firewalldRunning = state.firewalld === 'active' || fwCmd?.stdout.trim() === 'running';
      const ufwActive = state.ufw === 'active' || /Status: active/.test(ufw?.stdout ?? '');
      const describeTool = (name: string, s: typeof fwCmd) =>
        s?.error ? `${name}: ${/not found/.test(s.error) ? 'not installed' : s.error.split('\n')[0]}` : `${name}: ${(s?.stdout || s?.stderr || '').trim().split('\n')[0] || '?'}`;
      const chains = [...parseSave(f.out(SRC.save4) ?? '').keys()];
      const others = new Map<string, string[]>();
      for (const c of chains) { const o = ownerOf(c); if (o) others.set(o, [...(others.get(o) ?? []), c]); }
      const evidence = [
        Object.keys(state).length > 0 ? `systemctl is-active: ${Object.entries(state).map(([u, s]) => `${u} ${s}`).join(', ')}` : `systemctl: ${f.why(SRC.systemctl)}`,
        describeTool('firewall-cmd --state', fwCmd), describeTool('ufw status', ufw),
        others.size > 0 ? `chains of other tools in the filter table: ${[...others].map(([o, cs]) => `${o} (${cs.slice(0, 4).join(', ')}${cs.length > 4 ? ', …' : ''})`).join('; ')}` : 'no chains of other tools in the filter table',
      ];
      if (firewalldRunning) {
        return warn("firewalld is running: a reload or restart of it can flush iptables rules it does not own, hermit's included", evidence,
          `After any firewalld reload, check with \`hermit probe ${ctx.profileArg ?? '<profile>'}\` and put the rules back with \`${hermitRun(ctx)}\`; ` +
          'or keep firewalld off the FORWARD path of Docker bridges (firewalld ≥ 1.0 with its nftables backend and Docker\'s "docker" zone)');
      }
      const found = [ufwActive && 'ufw active', ...[...others.keys()].filter((o) => o !== 'ufw')].filter(Boolean);
      return ok(found.length > 0 ? `firewalld not running; also present: ${found.join(', ')} (their order is checked in host.forward-order)` : 'firewalld not running, ufw not active, no other firewall tools seen', evidence);
    },
  },
  {
    id: 'host.forward-order', area: 'host', title: 'FORWARD chain: the jump to DOCKER-USER comes first',
    run({ f }) {
      const choice = f.backend;
      if (!(choice instanceof HermitError) && !firewallFor(choice.backend).needsDockerUser) return skip(`hermit uses ${choice.backend}: its table hooks the kernel's forward path itself, whatever FORWARD holds`);
      const evidence: string[] = [];
      const failures: string[] = [];
      const warnings: string[] = [];
      const owners = new Set<string>();
      let looked = false;
      for (const [family, key] of [[4, SRC.save4], [6, SRC.save6]] as const) {
        const save = f.out(key);
        if (save === undefined) { evidence.push(`IPv${family}: ${f.why(key)}`); continue; }
        const chains = parseSave(save);
        if (!chains.has('DOCKER-USER')) { evidence.push(`IPv${family}: no DOCKER-USER chain`); continue; }
        looked = true;
        const forward = chains.get('FORWARD') ?? [];
        const at = forward.indexOf('-A FORWARD -j DOCKER-USER');
        evidence.push(...forward.slice(0, Math.max(at + 1, 3)).map((l, i) => `IPv${family} FORWARD rule ${i + 1}: ${l}`));
        if (at < 0) { failures.push(`IPv${family}: FORWARD has no jump to DOCKER-USER, so hermit's rules are never consulted`); continue; }
        forward.slice(0, at).forEach((line, i) => {
          if (isHermitJump(line)) return;
          const target = / -j (\S+)/.exec(line)?.[1] ?? '(no target)';
          const owner = ownerOf(target);
          if (owner) owners.add(owner);
          const text = `IPv${family} FORWARD rule ${i + 1} (${line}) comes before Docker's jump to DOCKER-USER${owner ? ` (${owner})` : ''}`;
          // What it accepts (or what a chain of someone else's accepts) never reaches hermit's rules.
          (/^(DROP|REJECT|LOG|DOCKER.*)$/.test(target) ? warnings : failures).push(text);
        });
      }
      if (!looked) return skip(evidence.some((e) => e.includes('needs root') || e.includes('Permission')) ? 'reading iptables needs root' : 'no DOCKER-USER chain to check (see host.firewall-backend)', evidence);
      const fix = `Restart Docker (systemctl restart docker): it puts its jump back at the top of FORWARD. Then make ${owners.size > 0 ? [...owners].join(' and ') : 'the tool that inserted it'} ` +
        `start before Docker, or have it append rather than insert${owners.has('Tailscale') ? ' (tailscale up --netfilter-mode=nodivert, then add its rules yourself)' : ''}`;
      if (failures.length > 0) return fail(failures[0]! + (failures.length > 1 ? ` (+${failures.length - 1} more)` : ''), [...failures, ...warnings, ...evidence], fix);
      if (warnings.length > 0) return warn(warnings[0]!, [...warnings, ...evidence], fix);
      return ok('the jump to DOCKER-USER is the first rule of FORWARD (after hermit\'s own)', evidence);
    },
  },
  {
    id: 'host.hermit-rules', area: 'host', title: "hermit's rules for the profile (chains and jumps, or nftables table)",
    run(ctx) {
      const { f, profile } = ctx;
      if (!profile) return skip(NO_PROFILE);
      const choice = f.backend;
      // Without a usable backend, iptables' reading (host.firewall-backend says why there is none).
      const backend = firewallFor(choice instanceof HermitError ? 'iptables' : choice.backend);
      const read = RULES_READ[backend.name];
      if (f.out(read.key) === undefined) return skip(`cannot read ${read.what} (${f.why(read.key)})`);
      // The comparison plan and status make (firewall/backend.ts), not one of doctor's own.
      const host = f.firewallState;
      const found = backend.inspect(profile, backend.wanted(profile, f.addresses.map((a) => a.address), host), host);
      if (!found.present && !f.profileNetwork(profile)) {
        return skip(`profile '${profile.name}' is not applied on this host (${found.absent}, no network): hermit run creates them`, found.evidence);
      }
      const { problems } = found;
      if (problems.length === 0) return ok(found.intact, found.evidence);
      return fail(problems[0]! + (problems.length > 1 ? ` (+${problems.length - 1} more)` : ''), [...problems, ...found.evidence], `${hermitRun(ctx)} ${found.repair}`);
    },
  },
];

