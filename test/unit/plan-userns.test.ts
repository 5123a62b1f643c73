// The engine's user-namespace prerequisite: one pure decision for `hermit run` (exit 3) and doctor.
import { describe, expect, it } from 'vitest';
import { EXIT, HermitError } from '../../src/errors.js';
import { refuseWithoutUserns, usernsProblem } from '../../src/plan/userns.js';

const refusal = (f: Parameters<typeof refuseWithoutUserns>[0]): HermitError | undefined => {
  try { refuseWithoutUserns(f); return undefined; } catch (e) { return e as HermitError; }
};

describe('usernsProblem', () => {
  it('a mainline kernel with namespaces allowed: nothing stops the engine', () => {
    expect(usernsProblem({ maxUserNamespaces: '63413\n' })).toBeUndefined();
    expect(usernsProblem({ maxUserNamespaces: '63413\n', unprivilegedClone: '1\n', apparmorRestrict: '0\n' })).toBeUndefined();
    expect(usernsProblem({})).toBeUndefined();
  });

  it('names the sysctl that is off, in the order the kernel checks them', () => {
    expect(usernsProblem({ maxUserNamespaces: '0\n', unprivilegedClone: '0' })).toMatchObject({ sysctl: 'user.max_user_namespaces', value: '0' });
    expect(usernsProblem({ maxUserNamespaces: '100', unprivilegedClone: '0\n' })).toMatchObject({ sysctl: 'kernel.unprivileged_userns_clone', value: '0', fix: expect.stringContaining('sysctl -w kernel.unprivileged_userns_clone=1') });
    expect(usernsProblem({ maxUserNamespaces: '100', apparmorRestrict: '1\n' })).toMatchObject({ sysctl: 'kernel.apparmor_restrict_unprivileged_userns', fix: expect.stringContaining('=0') });
    // AppArmor's restriction holds only while AppArmor is enabled (booted with apparmor=0: N).
    expect(usernsProblem({ maxUserNamespaces: '100', apparmorRestrict: '1\n', apparmorEnabled: 'N\n' })).toBeUndefined();
    expect(usernsProblem({ maxUserNamespaces: '100', apparmorRestrict: '1\n', apparmorEnabled: 'Y\n' })).toBeDefined();
  });
});

describe('refuseWithoutUserns', () => {
  it('refuses with the host code (exit 3), naming the sysctl and its fix', () => {
    const e = refusal({ maxUserNamespaces: '0' })!;
    expect(e).toBeInstanceOf(HermitError);
    expect(e.kind).toBe('host');
    expect(e.exitCode).toBe(EXIT.host);
    expect(EXIT.host).toBe(3);
    expect(e.message).toContain('user.max_user_namespaces = 0');
    expect(e.message).toContain('nothing was changed');
    expect(e.hint).toContain('sysctl -w user.max_user_namespaces=15000');
  });

  it('lets a host with user namespaces through', () => {
    expect(refusal({ maxUserNamespaces: '15000', unprivilegedClone: '1' })).toBeUndefined();
  });
});
