import { describe, expect, it } from 'vitest';
import { EVENT_ARGS, eventReason, ruleChange } from '../../src/guard/loop.js';
import { BOOT_UNIT, GUARD_UNIT, renderUnits } from '../../src/guard/units.js';
import { logPrefix } from '../../src/plan/ruleset.js';
import { parseBlocked, renderBlocked } from '../../src/report/blocked.js';

const DMESG = `2026-11-23T12:11:16,540511+00:00 lan0: port 1(lan-host) entered disabled state
2026-11-23T12:20:01,123456+00:00 hermit:agent: IN=hm-agent OUT=uplink MAC=02:42:ac:1e:00:02 SRC=172.30.0.2 DST=192.168.50.1 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=4242 DF PROTO=TCP SPT=40000 DPT=80 WINDOW=64240 RES=0x00 SYN URGP=0
2026-11-23T12:20:02,000001+00:00 hermit:agent: IN=hm-agent OUT= MAC=02:42:ac:1e:00:02 SRC=172.30.0.2 DST=172.30.0.1 LEN=60 PROTO=UDP SPT=5353 DPT=8082 LEN=40
2026-11-23T12:20:03,000001+00:00 hermit:agent: IN=hm-agent OUT=uplink SRC=172.30.0.2 DST=169.254.169.254 LEN=84 PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=1
2026-11-23T12:20:04,000001+00:00 hermit:agent2: IN=hm-agent2 OUT=uplink SRC=172.30.9.2 DST=10.0.0.1 PROTO=TCP SPT=1 DPT=22`;

const JOURNAL = '2026-11-23T12:20:01+0000 host kernel: hermit:agent: IN=hm-agent OUT=eth0 SRC=172.30.0.2 DST=10.1.2.3 LEN=60 PROTO=TCP SPT=40000 DPT=443 SYN';

describe('blocked-connection log', () => {
  it('the LOG prefix fits iptables\' 29 characters for the longest profile name', () => {
    expect(logPrefix('a'.repeat(18)).length).toBeLessThanOrEqual(29);
  });

  it('parses dmesg lines of this profile only: time, destination, port, protocol, path', () => {
    expect(parseBlocked(DMESG, 'agent')).toEqual([
      { time: '2026-11-23T12:20:01,123456+00:00', source: '172.30.0.2', destination: '192.168.50.1', port: 80, protocol: 'tcp', path: 'forward' },
      { time: '2026-11-23T12:20:02,000001+00:00', source: '172.30.0.2', destination: '172.30.0.1', port: 8082, protocol: 'udp', path: 'host' },
      { time: '2026-11-23T12:20:03,000001+00:00', source: '172.30.0.2', destination: '169.254.169.254', protocol: 'icmp', path: 'forward' },
    ]);
  });

  it('parses journalctl -k -o short-iso lines and renders a table', () => {
    const e = parseBlocked(JOURNAL, 'agent');
    expect(e).toEqual([{ time: '2026-11-23T12:20:01+0000', source: '172.30.0.2', destination: '10.1.2.3', port: 443, protocol: 'tcp', path: 'forward' }]);
    expect(renderBlocked(e, 'agent')).toBe('TIME                      DESTINATION  PORT  PROTO  SOURCE      PATH\n2026-11-23T12:20:01+0000  10.1.2.3     443   tcp    172.30.0.2  forwarded');
    expect(renderBlocked([], 'agent')).toContain('No blocked connections');
  });
});

describe('guard events and units', () => {
  it('passes on container start/restart and network connect/disconnect, not on the rest', () => {
    expect(eventReason({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { name: 'hermit-agent' } } })).toBe('docker event: container start hermit-agent');
    expect(eventReason({ Type: 'network', Action: 'connect', Actor: { ID: 'n', Attributes: { name: 'other', container: 'abc' } } })).toBe('docker event: network connect other');
    expect(eventReason({ Type: 'container', Action: 'exec_start' })).toBeUndefined();
    expect(EVENT_ARGS).toEqual(expect.arrayContaining(['--format', '{{json .}}']));
  });

  it('the boot unit runs before docker.service; the guard after it, restarting', () => {
    const u = renderUnits({ node: '/usr/bin/node', script: '/opt/hermit/bin/hermit', profiles: ['/etc/hermit/profiles/my agent.yaml'], intervalSec: 30, env: { HERMIT_STATE_DIR: '/var/lib/hermit' } });
    expect(u[BOOT_UNIT]).toMatch(/^Before=docker\.service network-pre\.target$/m);
    expect(u[BOOT_UNIT]).toMatch(/^ExecStart=\/usr\/bin\/node \/opt\/hermit\/bin\/hermit guard --boot$/m);
    expect(u[BOOT_UNIT]).toMatch(/^Environment=HERMIT_STATE_DIR=\/var\/lib\/hermit$/m);
    expect(u[GUARD_UNIT]).toMatch(/^After=docker\.service hermit-boot\.service$/m);
    expect(u[GUARD_UNIT]).toContain('ExecStart=/usr/bin/node /opt/hermit/bin/hermit guard --interval 30 "/etc/hermit/profiles/my agent.yaml"');
    expect(u[GUARD_UNIT]).toMatch(/^Restart=always$/m);
  });
});

describe('ruleChange', () => {
  it('names changes to the tables hermit rules live in, and ignores the rest', () => {
    expect(ruleChange('delete rule ip filter DOCKER-USER handle 12')).toBe('rule change: delete rule ip filter DOCKER-USER');
    expect(ruleChange('add rule ip6 filter INPUT iifname "hm-x" counter jump HERMIT-IN-x')).toBe('rule change: add rule ip6 filter INPUT');
    expect(ruleChange('flush chain ip filter FORWARD')).toBe('rule change: flush chain ip filter FORWARD');
    expect(ruleChange('delete table inet hermit')).toBe('rule change: delete table inet hermit');
    expect(ruleChange('add rule ip nat DOCKER iifname != "docker0" tcp dport 8080 dnat to 172.17.0.2:80')).toBeUndefined();
    expect(ruleChange('# new generation 5 by process 10111 (iptables-restor)')).toBeUndefined();
    expect(ruleChange('add element ip docker-bridges x { 1.2.3.4 }')).toBeUndefined();
  });
});
