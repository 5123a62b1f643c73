// Recent changes: package logs of three families (dpkg recorded on this machine; dnf and pacman in
// their documented formats) and systemd's journal lines about the watched services.
import { describe, expect, it } from 'vitest';
import { parseJournalLine, parsePackageLine } from '../../src/doctor/checks/changes.js';
import { recentLines } from '../../src/doctor/gather.js';
import { checks, evidence, variant } from './doctor-fixtures.js';

describe('package logs', () => {
  it('parses install, upgrade and remove lines of dpkg, dnf and pacman', () => {
    expect(parsePackageLine('2025-06-24 14:36:25 upgrade libsystemd0:amd64 252.36-1~deb12u1 252.38-1~deb12u1'))
      .toEqual({ when: '2025-06-24 14:36', action: 'upgrade', name: 'libsystemd0', detail: '252.36-1~deb12u1 → 252.38-1~deb12u1' });
    expect(parsePackageLine('2026-11-23 11:08:48 install docker.io:amd64 <none> 20.10.24+dfsg1-1+deb12u1+b6'))
      .toMatchObject({ action: 'install', name: 'docker.io', detail: '20.10.24+dfsg1-1+deb12u1+b6' });
    expect(parsePackageLine('2026-11-20T09:12:03+0000 SUBDEBUG Upgrade: docker-ce-3:27.3.1-1.fc40.x86_64'))
      .toEqual({ when: '2026-11-20 09:12', action: 'upgrade', name: 'docker-ce', detail: '3:27.3.1-1.fc40.x86_64' });
    expect(parsePackageLine('[2026-11-21T18:02:11+0100] [ALPM] upgraded iptables (1:1.8.10-1 -> 1:1.8.11-1)'))
      .toEqual({ when: '2026-11-21 18:02', action: 'upgrade', name: 'iptables', detail: '1:1.8.10-1 -> 1:1.8.11-1' });
    expect(parsePackageLine('[2026-11-21T18:02:11+0100] [ALPM] installed tailscale (1.76.1-1)')).toMatchObject({ action: 'install', name: 'tailscale' });
    expect(parsePackageLine('2026-11-23 11:08:56 status installed dbus:amd64 1.14.10-1~deb12u1')).toBeUndefined();
  });

  it('keeps only the window and the install/upgrade/remove lines when gathering', () => {
    const log = ['2026-11-01 10:00:00 upgrade old:amd64 1 2', '2026-11-20 10:00:00 status installed x:amd64 1', '2026-11-20 10:00:01 upgrade docker.io:amd64 1 2'].join('\n');
    expect(recentLines(log, '2026-11-16T00:00:00.000Z')).toBe('2026-11-20 10:00:01 upgrade docker.io:amd64 1 2');
  });

  it('warns about Docker, firewall and kernel packages (recorded: this machine installed docker.io the day it was recorded)', () => {
    const c = checks(evidence('no-engine'))['changes.packages']!;
    expect(c.status).toBe('warn');
    expect(c.summary).toMatch(/docker\.io/);
    expect(c.evidence).toEqual(expect.arrayContaining([expect.stringMatching(/install iptables 1\.8\.9-2$/)]));
    expect(c.fix).toContain('hermit doctor --compare');
  });

  it('is ok when only unrelated packages changed, and skipped without any package log', () => {
    const quiet = variant(evidence('no-engine'), { 'dpkg.log': { stdout: '2026-11-20 10:00:00 upgrade tzdata:all 2025b-0 2025b-1' } });
    expect(checks(quiet)['changes.packages']).toMatchObject({ status: 'ok', summary: expect.stringContaining('(1 other change)') });
    const none = variant(evidence('no-engine'), { 'dpkg.log': { stdout: '', error: 'no such file' } });
    expect(checks(none)['changes.packages']).toMatchObject({ status: 'skipped', summary: expect.stringContaining('/var/log/dpkg.log') });
  });
});

describe('service events', () => {
  const journal = [
    '2026-11-21T08:00:01+0000 box systemd[1]: Stopping docker.service - Docker Application Container Engine...',
    '2026-11-21T08:00:03+0000 box systemd[1]: docker.service: Deactivated successfully.',
    '2026-11-21T08:00:04+0000 box systemd[1]: Started docker.service - Docker Application Container Engine.',
    '2026-11-22T19:30:00+0000 box systemd[1]: Reloading firewalld.service - firewalld - dynamic firewall daemon...',
    '2026-11-22T19:30:00+0000 box dockerd[812]: time="…" level=info msg="Firewalld: interface docker0 already part of docker zone"',
  ].join('\n');

  it("parses systemd's lines and ignores the services' own", () => {
    expect(parseJournalLine(journal.split('\n')[2]!)).toEqual({ when: '2026-11-21 08:00', text: 'Started docker.service' });
    expect(parseJournalLine(journal.split('\n')[4]!)).toBeUndefined();
  });

  it('warns with the events, and says a restart or reload may have moved or flushed rules', () => {
    const withJournal = variant(evidence('no-engine'), { systemctl: { exitCode: 3, stdout: 'inactive\ninactive\nactive', stderr: '' }, journal: { exitCode: 0, stdout: journal } });
    const c = checks(withJournal, undefined)['changes.services']!;
    expect(c).toMatchObject({ status: 'warn', summary: '4 service events since 2026-11-16, the last: 2026-11-22 19:30 Reloading firewalld.service' });
    expect(c.fix).toContain('host.hermit-rules');
  });

  it('is skipped on a host without systemd (recorded: this machine)', () => {
    expect(checks(evidence('no-engine'))['changes.services']).toMatchObject({ status: 'skipped', summary: 'this host does not run systemd: no journal to read' });
  });
});
