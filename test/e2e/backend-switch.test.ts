// hermit run with one firewall backend, then with the other (HERMIT_FIREWALL changed): the profile's
// rules end up in the backend in use only, and the probe attributes every refusal to them.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type WorldInfo, hermit, inHost, nftTableOf, writeProfile } from './world.js';

const world = inject('world') as WorldInfo;
const NAME = 'bk-switch';

describe.skipIf(!!world.skip)('switching firewall backends between runs', () => {
  const file = writeProfile(world, NAME, `name: ${NAME}
image: ${world.image}
command: [sleep, "86400"]
network: { subnet: 172.30.66.0/24 }
dns: [${world.addr.router}]
egress:
  allow: [{ to: ${world.addr.nas}, ports: [${world.ports.nasAllowed}] }]
probe:
  dnsName: internet.test
  mustReach: [{ host: internet.test, port: ${world.ports.internet} }]
  mustBlock: [{ host: ${world.addr.nas}, port: ${world.ports.nasDisallowed} }]
`);
  const run = (backend: 'iptables' | 'nftables') => hermit(world, ['run', file], { env: { HERMIT_FIREWALL: backend } });
  const iptablesRules = async () => {
    const [v4, v6] = await Promise.all([inHost(world, 'iptables-save', ['-t', 'filter']), inHost(world, 'ip6tables-save', ['-t', 'filter'])]);
    return `${v4.stdout}${v6.stdout}`.split('\n').filter((l) => l.includes(`HERMIT-${NAME}`) || l.includes(`HERMIT-IN-${NAME}`));
  };
  afterAll(async () => { await hermit(world, ['down', NAME]); });

  it('iptables, then nftables: the iptables chains and jumps are removed, and said so', async () => {
    const first = await run('iptables');
    expect(first.exitCode, first.stderr + first.stdout).toBe(0);
    expect(await iptablesRules()).not.toEqual([]);
    expect(await nftTableOf(world, NAME)).toBe('');

    const second = await run('nftables');
    expect(second.exitCode, second.stderr + second.stdout).toBe(0);
    expect(second.stdout).toMatch(/IPv4: remove chain HERMIT-bk-switch \(\d+ rules\) \(iptables, left by a run with the other backend\)/);
    expect(await iptablesRules()).toEqual([]);
    expect(await nftTableOf(world, NAME)).toContain(`table inet hermit-${NAME}`);
  });

  it('back to iptables: the nftables table is removed, and the probe finds no breach', async () => {
    const third = await run('iptables');
    expect(third.exitCode, third.stderr + third.stdout).toBe(0);
    expect(third.stdout).not.toContain('BREACH');
    expect(third.stdout).toMatch(new RegExp(`remove table inet hermit-${NAME} \\(\\d+ rules\\) \\(nftables, left by a run with the other backend\\)`));
    expect(await nftTableOf(world, NAME)).toBe('');
    expect(await iptablesRules()).not.toEqual([]);
  });
});
