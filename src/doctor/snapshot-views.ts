// Reading a Snapshot: typed views of the gathered outputs, each tolerant of a missing or broken
// source (that is what recordings from odd hosts contain). Pure.
import { firewallBackendOf, parseAddresses, parseContainer, parseNetworks, parseResolvConf, parseRoutes } from '../host/read.js';
import { HermitError } from '../errors.js';
import type { FirewallState } from '../firewall/backend.js';
import { type BackendChoice, chooseBackend } from '../firewall/choose.js';
import { hermitTables } from '../firewall/nftables.js';
import type { DockerNetwork, ExistingContainer, HostAddress, HostRoute } from '../plan/host-facts.js';
import type { Profile } from '../profile/types.js';
import { SRC } from './gather.js';
import type { Snapshot, Source } from './types.js';

export type Route = HostRoute & { metrics?: { mtu?: number }[]; metric?: number };
export interface Link { ifname: string; mtu: number; operstate?: string; flags: string[]; master?: string }

export class Facts {
  constructor(readonly snap: Snapshot) {}

  source(key: string): Source | undefined {
    return this.snap.sources[key];
  }

  /** stdout of a source that ran and succeeded; undefined otherwise. */
  out(key: string): string | undefined {
    const s = this.snap.sources[key];
    return s && !s.error && (s.exitCode ?? 0) === 0 ? s.stdout : undefined;
  }

  /** Why a source has nothing to offer, in a few words. */
  why(key: string): string {
    const s = this.snap.sources[key];
    if (!s) return 'not gathered';
    const detail = s.error ?? (s.stderr?.trim() || s.stdout.trim()).split('\n')[0] ?? '';
    return `${s.what}: ${detail || `exit code ${s.exitCode}`}`;
  }

  private json<T>(key: string): T | undefined {
    const text = this.out(key);
    try { return text ? (JSON.parse(text) as T) : undefined; } catch { return undefined; }
  }

  /** `docker info` of an engine that answered; undefined when none did. */
  get dockerInfo(): Record<string, unknown> | undefined {
    const s = this.source(SRC.dockerInfo);
    // Without an engine the CLI still prints its half of the JSON (and exits 1).
    let info: Record<string, unknown> | undefined;
    try { info = s?.stdout ? (JSON.parse(s.stdout) as Record<string, unknown>) : undefined; } catch { info = undefined; }
    return s?.exitCode === 0 && info?.ServerVersion ? info : undefined;
  }

  private chosen?: BackendChoice | HermitError;

  /** The firewall backend hermit uses on this host and why, as `hermit run` would choose it; or why none can be used. Chosen once. */
  get backend(): BackendChoice | HermitError {
    return (this.chosen ??= this.choose());
  }

  private choose(): BackendChoice | HermitError {
    const setting = /^HERMIT_FIREWALL=(.*)$/m.exec(this.out(SRC.env) ?? '')?.[1];
    const info = this.dockerInfo;
    try {
      // Installed is enough here: without root neither can read, and the checks that read say so.
      const nft = this.source(SRC.nft);
      return chooseBackend(setting, info ? firewallBackendOf(info) : 'iptables',
        { iptables: this.out(SRC.iptablesVersion) !== undefined, nft: !!nft && !nft.error });
    } catch (e) {
      if (e instanceof HermitError) return e;
      throw e;
    }
  }

  /** The host's firewall as hermit's backends read it; what could not be read is empty. */
  get firewallState(): FirewallState {
    return { save4: this.out(SRC.save4) ?? '', save6: this.out(SRC.save6) ?? '', nftTables: Object.fromEntries(hermitTables(this.out(SRC.nft) ?? '')) };
  }

  get networks(): DockerNetwork[] {
    try { return this.out(SRC.networks)?.startsWith('[') ? parseNetworks(this.out(SRC.networks)!) : []; } catch { return []; }
  }

  get container(): ExistingContainer | undefined {
    try { return this.out(SRC.container) ? parseContainer(this.out(SRC.container)!) : undefined; } catch { return undefined; }
  }

  get imagePresent(): boolean {
    return !!this.out(SRC.image)?.trim();
  }

  get links(): Link[] {
    return (this.json<Link[]>(SRC.link) ?? []).map((l) => ({ ...l, flags: l.flags ?? [] }));
  }

  get addresses(): HostAddress[] {
    try { return parseAddresses(this.out(SRC.addr) ?? '[]'); } catch { return []; }
  }

  get routes(): Route[] {
    const fam = (key: string, family: 4 | 6): Route[] => {
      const text = this.out(key);
      if (!text) return [];
      const raw = JSON.parse(text) as { metrics?: { mtu?: number }[]; metric?: number }[];
      return parseRoutes(text, family).map((r, i) => ({ ...r, metrics: raw[i]?.metrics, metric: raw[i]?.metric }));
    };
    try { return [...fam(SRC.route4, 4), ...fam(SRC.route6, 6)]; } catch { return []; }
  }

  get resolvers(): string[] {
    return parseResolvConf(this.out(SRC.resolv) ?? '');
  }

  /** Devices of the IPv4 default routes, lowest metric first: where containers' traffic leaves. */
  get uplinks(): { dev: string; mtu?: number; routeMtu?: number }[] {
    const defaults = this.routes.filter((r) => r.family === 4 && r.dst === 'default' && r.dev)
      .sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0));
    const links = this.links;
    return defaults.map((r) => ({ dev: r.dev!, mtu: links.find((l) => l.ifname === r.dev)?.mtu, routeMtu: r.metrics?.[0]?.mtu }));
  }

  /** The ping doctor can use for full-size echoes with DF, if any. */
  get ping(): { file: string; args: string[]; style: 'iputils' | 'busybox' } | undefined {
    const s = this.source(SRC.ping);
    if (!s || s.error) return undefined;
    const text = `${s.stdout}\n${s.stderr ?? ''}`;
    if (/iputils/i.test(text)) return { file: 'ping', args: [], style: 'iputils' };
    if (/BusyBox/.test(text)) return s.what.startsWith('busybox') ? { file: 'busybox', args: ['ping'], style: 'busybox' } : { file: 'ping', args: [], style: 'busybox' };
    return undefined;
  }

  profileNetwork(profile: Profile): DockerNetwork | undefined {
    return this.networks.find((n) => n.name === profile.network.name);
  }
}

/** The Linux interface of a Docker bridge network. */
export const bridgeOf = (n: DockerNetwork) => n.bridge ?? `br-${n.id.slice(0, 12)}`;

export const isRoot = (snap: Snapshot) => snap.uid === 0;
