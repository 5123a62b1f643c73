import { describe, expect, it } from 'vitest';
import { homesIn } from '../../src/profile/host-env.js';

describe('homes from /etc/passwd', () => {
  it('by user name; the first line of a name counts; lines without a home are skipped', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\nalice:x:1001:1001::/elsewhere:/bin/sh\nnohome:x:2:2:::/bin/false\n# comment\n\n';
    const homes = homesIn(passwd);
    expect(homes.get('root')).toBe('/root');
    expect(homes.get('alice')).toBe('/home/alice');
    expect(homes.has('nohome')).toBe(false);
    expect(homes.get('bob')).toBeUndefined();
  });
});
