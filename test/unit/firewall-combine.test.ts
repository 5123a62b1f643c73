// A guard pass over several profiles restores them in one transaction per backend command:
// Firewall.combine turns their changes into one iptables-restore payload per family (Docker's own
// jump written once) or one nft -f script.
import { describe, expect, it } from 'vitest';
import { iptables, planFirewall } from '../../src/firewall/iptables.js';
import { nftables, planNft } from '../../src/firewall/nftables.js';
import { buildRuleset } from '../../src/plan/ruleset.js';
import type { Profile } from '../../src/profile/types.js';
import { FRESH_SAVE4, sampleProfile } from './fixtures.js';

const HOST = ['127.0.0.1', '192.168.50.10', '172.17.0.1'];

const named = (name: string, subnet: string): Profile => {
  const p = sampleProfile({ name });
  p.network = { ...p.network, name: `hermit-${name}`, bridge: `hm-${name}`, subnet, gateway: subnet.replace(/0\/24$/, '1') };
  return p;
};
const A = named('a', '172.30.92.0/24');
const B = named('b', '172.30.93.0/24');

/** A host where something was inserted above Docker's jump: every profile's plan moves it back on top. */
const DISPLACED = FRESH_SAVE4.replace('-A FORWARD -j DOCKER-USER\n', '-A FORWARD -i eth9 -j ACCEPT\n-A FORWARD -j DOCKER-USER\n');
const v4 = (p: Profile) => planFirewall(buildRuleset(p, 4, HOST), DISPLACED);

describe('combined restore (Firewall.combine)', () => {
  it("iptables: several profiles' changes of one family become one payload, Docker's jump moved once (golden)", async () => {
    const [a, b] = [v4(A), v4(B)];
    // Each plan alone moves Docker's jump.
    for (const c of [a, b]) expect(c.payload).toContain('-D FORWARD -j DOCKER-USER\n');
    const combined = iptables.combine([a, b]);
    expect(combined).toHaveLength(1);
    const { change, parts } = combined[0]!;
    expect(parts).toEqual([a, b]);
    expect(change).toMatchObject({ backend: 'iptables', family: 4, what: 'IPv4 rules', changes: [...a.changes, ...b.changes] });
    const lines = change.payload!.split('\n');
    expect(lines.filter((l) => l === '-D FORWARD -j DOCKER-USER')).toHaveLength(1);
    expect(lines.filter((l) => l === '-I FORWARD 1 -j DOCKER-USER')).toHaveLength(1);
    // Declared, deleted, filled, inserted: Docker's jump inserted last, so it ends on top of FORWARD.
    expect(lines.at(-3)).toBe('-I FORWARD 1 -j DOCKER-USER');
    expect(lines.slice(0, 5)).toEqual(['*filter', ':HERMIT-a - [0:0]', ':HERMIT-IN-a - [0:0]', ':HERMIT-b - [0:0]', ':HERMIT-IN-b - [0:0]']);
    expect(lines.filter((l) => l.startsWith('-A HERMIT-'))).toHaveLength([a, b].reduce((n, c) => n + c.payload!.split('\n').filter((l) => l.startsWith('-A ')).length, 0));
    await expect(change.payload).toMatchFileSnapshot('golden/combined-v4.restore');
    await expect(change.revert).toMatchFileSnapshot('golden/combined-v4.revert');
  });

  it('iptables: one payload per family; a single change is passed through as it is; intact ones are left out', () => {
    const a6 = planFirewall(buildRuleset(A, 6, HOST), FRESH_SAVE4);
    const intact = { ...v4(B), payload: null, revert: null, changes: [] };
    const combined = iptables.combine([v4(A), a6, intact]);
    expect(combined.map((c) => c.change.family)).toEqual([4, 6]);
    expect(combined[0]).toEqual({ change: v4(A), parts: [v4(A)] });
    expect(combined[1]).toEqual({ change: a6, parts: [a6] });
  });

  it('iptables: a line one payload has twice (two identical stale jumps) is still deleted twice', () => {
    const stale = '-A DOCKER-USER -i hm-x -m comment --comment "hermit:x" -j HERMIT-x';
    const twice = { ...v4(A), payload: `*filter\n-D ${stale.slice(3)}\n-D ${stale.slice(3)}\nCOMMIT\n` };
    const once = { ...v4(B), payload: `*filter\n-D ${stale.slice(3)}\nCOMMIT\n` };
    expect(iptables.combine([twice, once])[0]!.change.payload).toBe(`*filter\n-D ${stale.slice(3)}\n-D ${stale.slice(3)}\nCOMMIT\n`);
  });

  it('nftables: every profile\'s table replaced in one nft -f transaction', () => {
    const both = (p: Profile) => ([4, 6] as const).map((f) => buildRuleset(p, f, HOST));
    const [a, b] = [planNft('a', both(A), undefined), planNft('b', both(B), undefined)];
    const combined = nftables.combine([a, b]);
    expect(combined).toHaveLength(1);
    const { change, parts } = combined[0]!;
    expect(parts).toEqual([a, b]);
    expect(change).toEqual({
      backend: 'nftables',
      what: 'nftables tables inet hermit-a; inet hermit-b',
      payload: a.payload! + b.payload!,
      revert: b.revert! + a.revert!,
      changes: [...a.changes, ...b.changes],
    });
    expect(nftables.command(change, change.payload!)).toEqual({ file: 'nft', args: ['-f', '-'], input: a.payload! + b.payload! });
    expect(nftables.combine([a])).toEqual([{ change: a, parts: [a] }]);
  });
});
