import { describe, expect, it } from 'vitest';
import { canonicalCidr, cidrsOverlap, inRange, isCidr, isIp, nthAddress, parseCidr } from '../../src/net/cidr.js';

describe('cidr', () => {
  it.each([
    ['192.168.1.20', '192.168.1.20/32'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['fc00::/7', 'fc00::/7'],
    ['2606:4700:4700::1111', '2606:4700:4700::1111/128'],
    ['::ffff:0:0/96', '::ffff:0.0.0.0/96'],
    ['64:ff9b::/96', '64:ff9b::/96'],
    ['::1', '::1/128'],
    ['::', '::/128'],
    ['fe80::1:0:0:1', 'fe80::1:0:0:1/128'],
  ])('prints %s as iptables-save does: %s', (input, out) => {
    expect(canonicalCidr(input)).toBe(out);
  });

  it('rejects malformed input', () => {
    for (const bad of ['256.0.0.1', '1.2.3', '01.2.3.4', '1.2.3.4/33', 'fc00::/129', '1::2::3', 'abc', '10.0.0.0/8/1']) {
      expect(isCidr(bad)).toBe(false);
    }
    expect(isCidr('10.0.0.1/8', { strict: true })).toBe(false);
    expect(isIp('fd00::1', 4)).toBe(false);
  });

  it('computes containment, overlap and host addresses', () => {
    expect(inRange('172.30.0.1', '172.16.0.0/12')).toBe(true);
    expect(inRange('172.32.0.1', '172.16.0.0/12')).toBe(false);
    expect(inRange('10.0.0.0/7', '10.0.0.0/8')).toBe(false);
    expect(cidrsOverlap(parseCidr('172.30.0.0/24')!, parseCidr('172.30.0.128/25')!)).toBe(true);
    expect(cidrsOverlap(parseCidr('172.30.0.0/24')!, parseCidr('172.30.1.0/24')!)).toBe(false);
    expect(nthAddress(parseCidr('172.30.0.0/24')!, 1)).toBe('172.30.0.1');
  });
});
