// `hermit down` as a pure plan: from the inventory (containers, networks, the firewall's state) to
// what to remove — only what carries the profile's label or chain name — in the order container,
// rules, network, with a payload that puts the rules back if removing the network fails.
import { HermitError } from '../errors.js';
import { LABEL_PROFILE, LABEL_ROLE } from './labels.js';
import { ENGINE_ROLE } from './engine.js';
import type { DockerNetwork, ExistingContainer, Inventory } from './host-facts.js';
import { type FirewallChange, allFirewalls } from '../firewall/index.js';

export interface Teardown {
  profile: string;
  containers: Pick<ExistingContainer, 'id' | 'name' | 'running'>[];
  /** One payload per family that has something of this profile; null payloads are left out. */
  firewall: FirewallChange[];
  networks: Pick<DockerNetwork, 'id' | 'name'>[];
  /** Pinned bind targets to unmount and remove, once the container is gone. */
  binds: string[];
  /** Named volumes to remove, once the containers are gone: the engine's socket; its data only
   * when asked (`down --volumes`). */
  volumes: string[];
  /** Things named like the profile's that hermit did not make: left alone, reported. */
  leftAlone: string[];
}

/**
 * @param names the profile's container and network names, when the profile could be read: a
 * same-named container or network without hermit's label is reported as left alone.
 */
export function planTeardown(profile: string, inv: Inventory, names: { container?: string; network?: string } = {}, opts: { volumes?: boolean } = {}): Teardown {
  const mine = (labels: Record<string, string>) => labels[LABEL_PROFILE] === profile;
  const containers = inv.containers.filter((c) => mine(c.labels));
  const networks = inv.networks.filter((n) => mine(n.labels));
  const ourIds = new Set(containers.map((c) => c.id));

  for (const net of networks) {
    const users = new Set([
      ...inv.containers.filter((c) => !ourIds.has(c.id) && c.networks.includes(net.name)).map((c) => c.name),
      ...net.containers.filter((name) => !containers.some((c) => c.name === name)),
    ]);
    if (users.size > 0) {
      const list = [...users].sort();
      throw new HermitError(
        'usage',
        `network ${net.name} is still used by ${list.length === 1 ? 'container' : 'containers'} ${list.join(', ')}, which hermit did not start for profile '${profile}'; nothing was changed`,
        `Removing hermit's rules would leave ${list.length === 1 ? 'it' : 'them'} unprotected. Disconnect or remove ${list.length === 1 ? 'it' : 'them'} first: docker network disconnect ${net.name} ${list[0]}`,
      );
    }
  }

  const leftAlone: string[] = [];
  const foreign = inv.containers.find((c) => c.name === names.container && !mine(c.labels));
  if (foreign) leftAlone.push(`container ${foreign.name} (not started by hermit for profile '${profile}')`);
  const foreignNet = inv.networks.find((n) => n.name === names.network && !mine(n.labels));
  if (foreignNet) leftAlone.push(`network ${foreignNet.name} (not created by hermit for profile '${profile}')`);

  // Both backends: a profile applied with the other one (HERMIT_FIREWALL changed, Docker switched) leaves nothing behind either.
  const firewall = allFirewalls.flatMap((b) => b.teardown(profile, inv));
  return {
    profile,
    containers: containers.map(({ id, name, running }) => ({ id, name, running })),
    firewall: firewall.filter((f) => f.payload !== null),
    networks: networks.map(({ id, name }) => ({ id, name })),
    binds: inv.binds ?? [],
    // Only the engine makes volumes: the data (images, containers) outlives down unless asked.
    volumes: (inv.volumes ?? []).filter((v) => mine(v.labels) && (opts.volumes || v.labels[LABEL_ROLE] !== ENGINE_ROLE)).map((v) => v.name),
    leftAlone,
  };
}
