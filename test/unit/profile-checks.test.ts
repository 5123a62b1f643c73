import { describe, expect, it } from 'vitest';
import { HermitError } from '../../src/errors.js';
import { dockerOptionsEnd, splitPublish } from '../../src/docker/args.js';
import { checkProfile, profileProblems } from '../../src/profile/checks.js';
import { type CheckOptions, checkDockerArgs, dangerousCapability } from '../../src/profile/isolation.js';
import { DEFAULT_BLOCKED_V4, DEFAULT_BLOCKED_V6, type LoadedProfile, type Profile } from '../../src/profile/types.js';

const W = 'after --';
const SOCKET = "which gives the container the container engine's API (the Docker socket), which undoes every isolation; remove it";

describe('checkDockerArgs', () => {
  const refused: [string[], string[]][] = [
    [['--privileged'], ['--privileged: gives the container every capability and device, which undoes the isolation; remove it (give single capabilities with container.capAdd)']],
    [['--network', 'host'], ['--network host: hermit always runs the container on its own bridge (network: in the profile); remove this option']],
    [['--net=bridge'], ['--net=bridge: hermit always runs the container on its own bridge (network: in the profile); remove this option']],
    [['--net', 'container:x'], ['--net container:x: hermit always runs the container on its own bridge (network: in the profile); remove this option']],
    [['--cap-add=ALL'], ['--cap-add=ALL: capability ALL gives every capability, including NET_ADMIN; remove it']],
    [['--cap-add', 'cap_net_raw'], ['--cap-add cap_net_raw: capability NET_RAW lets the container forge packets and spoof addresses on the bridge; remove it']],
    [['--pid=host'], ["--pid=host: shares the host's pid namespace, a way out of the container; remove it"]],
    [['--ipc', 'host'], ["--ipc host: shares the host's ipc namespace, a way out of the container; remove it"]],
    [['--uts=host'], ["--uts=host: shares the host's uts namespace, a way out of the container; remove it"]],
    [['--userns=host'], ["--userns=host: shares the host's userns namespace, a way out of the container; remove it"]],
    [['--cgroupns', 'host'], ["--cgroupns host: shares the host's cgroupns namespace, a way out of the container; remove it"]],
    [['--pid', 'container:other'], ["--pid container:other: joins another container's pid namespace, which hermit does not isolate; remove it"]],
    [['-v', '/var/run/docker.sock:/var/run/docker.sock'], [`-v /var/run/docker.sock:/var/run/docker.sock: mounts /var/run/docker.sock, ${SOCKET}`]],
    [['-v=/run/containerd/containerd.sock:/c.sock'], [`-v=/run/containerd/containerd.sock:/c.sock: mounts /run/containerd/containerd.sock, ${SOCKET}`]],
    [['-v/:/host'], [`-v/:/host: mounts /, ${SOCKET}`]],
    [['--volume=/var/run:/r'], [`--volume=/var/run:/r: mounts /var/run, ${SOCKET}`]],
    [['--mount', 'type=bind,source=/run/docker.sock,target=/d'], [`--mount type=bind,source=/run/docker.sock,target=/d: mounts /run/docker.sock, ${SOCKET}`]],
    [['--mount=type=volume,dst=/r,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/run'], [`--mount=type=volume,dst=/r,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/run: mounts /run, ${SOCKET}`]],
    [['--use-api-socket'], [`--use-api-socket: ${SOCKET.replace('which gives', 'gives')}`]],
    [['--volumes-from', 'other'], ["--volumes-from other: copies another container's mounts, which hermit cannot check; mount what is needed with container.mounts"]],
    [['--security-opt', 'seccomp=unconfined'], ['--security-opt seccomp=unconfined: turns off a kernel confinement Docker applies; remove it']],
    [['--security-opt=apparmor:unconfined'], ['--security-opt=apparmor:unconfined: turns off a kernel confinement Docker applies; remove it']],
    [['--security-opt', 'systempaths=unconfined'], ['--security-opt systempaths=unconfined: turns off a kernel confinement Docker applies; remove it']],
    [['--dns', '8.8.8.8'], ["--dns 8.8.8.8: hermit sets the container's resolvers and opens the firewall for them only; remove it and put resolvers in the profile's dns:"]],
    [['--sysctl', 'net.ipv6.conf.all.disable_ipv6=0'], ['--sysctl net.ipv6.conf.all.disable_ipv6=0: net.ipv6.conf.all.disable_ipv6 is set by hermit (IPv6 is off unless network.ipv6 is true); remove it and use network.ipv6']],
    [['--sysctl=net.ipv4.ip_forward=1'], ['--sysctl=net.ipv4.ip_forward=1: net.ipv4.ip_forward turns the container into a router; remove it']],
    [['-p', '8080:8080'], ['-p 8080:8080: publishes 8080:8080 on every host address; write 127.0.0.1:8080:8080, or 0.0.0.0:... to expose it to the LAN deliberately']],
    [['--publish=3000'], ['--publish=3000: publishes 3000 on every host address; write 127.0.0.1:3000:3000, or 0.0.0.0:... to expose it to the LAN deliberately']],
    [['-P'], ['-P: publishes every exposed port on every host address, reachable from the LAN; publish single ports as 127.0.0.1:8080:8080 instead']],
    [['--ip6', 'fd00::5'], ['--ip6 fd00::5: hermit manages IPv6 (network.ipv6 and network.subnet6 in the profile); remove it']],
    [['--device', '/dev/sda'], ["--device /dev/sda: gives the container raw access to the host's disks or memory; remove it"]],
    [['--device-cgroup-rule', 'b 8:* rmw'], ['--device-cgroup-rule b 8:* rmw: grants access to host devices by number, which hermit cannot check; use --device for the single device needed']],
    [['--log-driver=gelf'], ["--log-driver=gelf: makes dockerd send the container's output over the host's network, outside the firewall; use json-file, local or journald"]],
    [['--name', 'x'], ['--name x: hermit sets this itself; set container.name in the profile instead']],
    [['-u', '0'], ['-u 0: hermit sets this itself; set container.user in the profile instead']],
    // Options that make docker read or write host files (as root, following links).
    [['--env-file', '/workspace/.env'], ['--env-file /workspace/.env: makes docker read /workspace/.env as root, following links, content hermit cannot approve; use container.envFile in the profile (hermit reads it itself and its content is approved)']],
    [['--label-file=/workspace/l'], ['--label-file=/workspace/l: makes docker read /workspace/l as root, following links; give labels with --label']],
    [['--cidfile', '/workspace/id'], ['--cidfile /workspace/id: makes docker write /workspace/id as root, through whatever link is there; remove it (docker ps, hermit status name the container)']],
    [['--security-opt', 'seccomp=/workspace/s.json'], ["--security-opt seccomp=/workspace/s.json: makes docker read a seccomp profile from the host (/workspace/s.json), a file hermit cannot approve; remove it (Docker's default seccomp profile applies)"]],
    [['--security-opt=seccomp:/etc/s.json'], ["--security-opt=seccomp:/etc/s.json: makes docker read a seccomp profile from the host (/etc/s.json), a file hermit cannot approve; remove it (Docker's default seccomp profile applies)"]],
    // Overrides of what hermit sets itself.
    ...['no-new-privileges=false', 'no-new-privileges:false', 'no-new-privileges=0', 'no-new-privileges=F'].map((v): [string[], string[]] =>
      [['--security-opt', v], [`--security-opt ${v}: turns off no-new-privileges, which hermit sets so that no setuid program gains privileges in the container; remove it`]]),
    [['--security-opt', 'writable-cgroups=true'], ["--security-opt writable-cgroups=true: 'writable-cgroups' is not a security option hermit knows (apparmor=PROFILE, label=..., no-new-privileges); hermit refuses options it cannot check"]],
    [['--read-only=false'], ['--read-only=false: overrides container.readOnly; set container.readOnly in the profile instead']],
    [['--detach=false'], ['--detach=false: hermit starts the container detached and then probes it; remove it']],
    [['-w', '/tmp'], ['-w /tmp: hermit sets this itself; set container.workdir in the profile instead']],
    [['--label', 'hermit.profile=other'], ['--label hermit.profile=other: sets a label hermit uses to recognize its own containers; remove it (hermit sets its hermit.* labels itself)']],
    // Short-flag clusters: booleans, then one letter that takes the rest or the next item.
    [['-itp8080:80'], ['-itp8080:80: publishes 8080:80 on every host address; write 127.0.0.1:8080:80, or 0.0.0.0:... to expose it to the LAN deliberately']],
    [['-itv', '/var/run/docker.sock:/s'], [`-itv /var/run/docker.sock:/s: mounts /var/run/docker.sock, ${SOCKET}`]],
    // What hermit cannot read is refused, not passed blindly.
    [['--memory'], ['--memory needs a value; give it as --memory=VALUE or in the next item']],
    [['--frobnicate'], ['--frobnicate is not a docker run option hermit knows; check the spelling (hermit refuses options it cannot check)']],
    [['-X'], ['-X (in -X) is not a docker run option hermit knows; check the spelling']],
    [['alpine', 'sh'], [
      "'alpine' is not an option; only docker run options go here (the image and command come from the profile)",
      "'sh' is not an option; only docker run options go here (the image and command come from the profile)",
    ]],
    [['--privileged', '--memory', '1g', '--net=host'], [
      '--privileged: gives the container every capability and device, which undoes the isolation; remove it (give single capabilities with container.capAdd)',
      '--net=host: hermit always runs the container on its own bridge (network: in the profile); remove this option',
    ]],
  ];

  it.each(refused)('refuses %j', (args, expected) => {
    expect(checkDockerArgs(args, W)).toEqual(expected.map((m) => `${W}: ${m}`));
  });

  const accepted: string[][] = [
    [],
    ['--memory=2g', '--cpus', '1.5', '--pids-limit=256'],
    ['-it', '--rm', '--init', '--read-only'],
    ['--privileged=false', '--publish-all=false'],
    ['-p', '127.0.0.1:8080:8080', '--publish=0.0.0.0:9000:9000/udp', '-p', '[::1]:7000:7000'],
    ['-v', 'cache:/cache', '--mount', 'type=volume,src=cache2,dst=/x', '-v', '/anonymous'],
    ['--cap-add', 'CHOWN', '--cap-drop=ALL'],
    ['--add-host=host.docker.internal:host-gateway', '--dns-option', 'ndots:1', '--dns-search=example.com'],
    ['--device', '/dev/net/tun', '--device=/dev/fuse'],
    ['--security-opt', 'no-new-privileges', '--log-driver', 'json-file', '--log-opt', 'max-size=10m'],
    ['--security-opt=no-new-privileges=true', '--security-opt', 'no-new-privileges:1', '--security-opt', 'apparmor=docker-default', '--security-opt', 'label=type:svirt_t'],
    ['--read-only=true', '--detach', '--label', 'team=x'],
    ['-e', 'FOO=--privileged', '--label', 'x=--net=host'],
    ['--uts=container:x', '--ipc=private', '--userns='],
  ];

  it.each(accepted)('accepts %j', (...args) => {
    expect(checkDockerArgs(args, W)).toEqual([]);
  });

  it.each([
    ['-v', '/home/u/src:/src:ro'], ['--volume=/srv/data:/data'], ['--mount', 'type=bind,src=/home/u/x,dst=/x'],
    ['--mount', 'type=volume,dst=/x,volume-opt=device=/home/u/x,volume-opt=o=bind'],
  ])('refuses a host bind, which only container.mounts pins: %j', (...args) => {
    const problems = checkDockerArgs(args, W);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('list it under container.mounts instead, where hermit pins it');
  });
});

describe('dockerOptionsEnd', () => {
  it.each([
    [[], 0],
    [['--rm', 'bash'], 1],
    [['--memory', '2g', '-e', 'X', 'bash', '-lc', 'echo'], 4],
    [['-itv', '/a:/b', 'sh'], 2],
    [['--memory=2g', '--', 'sh'], 1],
    [['--rm', '-it'], 2],
  ])('%j -> %i', (args, end) => {
    expect(dockerOptionsEnd(args)).toBe(end);
  });
});

describe('dangerousCapability', () => {
  it('accepts any case and the CAP_ prefix', () => {
    for (const cap of ['NET_ADMIN', 'net_admin', 'CAP_NET_ADMIN', 'cap_Net_Admin', ' NET_ADMIN ']) {
      expect(dangerousCapability(cap)).toMatch(/^capability NET_ADMIN /);
    }
    expect(dangerousCapability('CHOWN')).toBeUndefined();
    expect(dangerousCapability('NET_BIND_SERVICE')).toBeUndefined();
  });
});

describe('splitPublish', () => {
  it.each([
    ['8080', { address: undefined, hostPort: '', containerPort: '8080', protocol: undefined }],
    ['8080:80', { address: undefined, hostPort: '8080', containerPort: '80', protocol: undefined }],
    ['1.2.3.4:8080:80/udp', { address: '1.2.3.4', hostPort: '8080', containerPort: '80', protocol: 'udp' }],
    ['127.0.0.1::80', { address: '127.0.0.1', hostPort: '', containerPort: '80', protocol: undefined }],
    ['[::1]:8080:80', { address: '::1', hostPort: '8080', containerPort: '80', protocol: undefined }],
    ['::1:8080:80', null],
  ])('%s', (spec, expected) => {
    expect(splitPublish(spec)).toEqual(expected);
  });
});

/** A valid profile to break one key at a time. */
function profile(): Profile {
  return {
    name: 'demo',
    image: 'alpine',
    command: [],
    network: { name: 'hermit-demo', subnet: '172.30.0.0/24', gateway: '172.30.0.1', bridge: 'hm-demo', ipv6: false },
    dns: ['1.1.1.1'],
    egress: { block: [...DEFAULT_BLOCKED_V4], block6: [...DEFAULT_BLOCKED_V6], allow: [] },
    hostPorts: [],
    container: {
      name: 'hermit-demo', user: '1000:1000', env: {}, passEnv: [], mounts: [], sensitiveMounts: [], restart: 'no', sysctls: {},
      readOnly: false, publish: [], capAdd: [], tmpfs: [], dockerArgs: [],
    },
    probe: { mustReach: [], mustBlock: [], dnsName: 'example.com', timeoutMs: 3000, onFailure: 'stop' },
  };
}

const messages = (p: Profile, opts: CheckOptions = {}) => profileProblems(p, opts).map((x) => `${x.path.join('.')}: ${x.message}`);

describe('profileProblems', () => {
  it('passes a valid profile', () => {
    expect(messages(profile())).toEqual([]);
  });

  it('checks names a hand-built profile could get wrong', () => {
    const p = profile();
    p.network.bridge = 'hm-a-much-too-long';
    p.container.name = '-x';
    expect(messages(p)).toEqual([
      "container.name: must be at least 2 characters of letters, digits, '_', '.', '-', starting with a letter or digit (Docker's rule for names)",
      "network.bridge: must be a Linux interface name: 1-15 characters of A-Z, a-z, 0-9, '_', '.', '-' (and not '.' or '..')",
    ]);
  });

  it('checks the resolvers', () => {
    const p = profile();
    p.dns = ['127.0.0.53', '2606:4700:4700::1111', '1.1.1'];
    expect(messages(p)).toEqual([
      'dns.0: is a loopback address, which inside the container is the container itself; use a resolver such as 1.1.1.1',
      'dns.1: is IPv6 but network.ipv6 is false; use an IPv4 resolver, or turn ipv6 on',
      "dns.2: must be an IP address such as 1.1.1.1 (the resolver's address, not its name)",
    ]);
  });

  it('checks exceptions', () => {
    const p = profile();
    p.egress.allow = [
      { to: '192.168.1.0/16', ports: [], protocol: 'tcp' },
      { to: '172.30.0.0/16', ports: [], protocol: 'tcp' },
      { to: '0.0.0.0/0', ports: [], protocol: 'any' },
      { to: 'fd00::1', ports: [], protocol: 'tcp' },
      { to: '10.1.2.3', ports: [0], protocol: 'udp' },
    ];
    expect(messages(p)).toEqual([
      'egress.allow.0.to: has host bits set; write 192.168.0.0/16',
      'egress.allow.1.to: covers the bridge gateway 172.30.0.1, which is the host itself; to reach a port on the host, list it in hostPorts',
      `egress.allow.2.to: is not inside a blocked range, so it is already reachable; remove this exception (blocked: ${DEFAULT_BLOCKED_V4.join(', ')})`,
      'egress.allow.3.to: is IPv6 but network.ipv6 is false, so this exception has no effect; remove it, or turn ipv6 on',
      'egress.allow.4.ports.0: must be a port number from 1 to 65535',
    ]);
  });

  it('checks IPv6 settings', () => {
    const p = profile();
    p.network.subnet6 = 'fd00::/64';
    expect(messages(p)).toEqual(['network.subnet6: is set but ipv6 is false; set ipv6: true, or remove subnet6']);
    p.network.ipv6 = true;
    p.network.subnet6 = 'fd00::1/64';
    p.egress.block6 = ['2001:db8::/32', ...DEFAULT_BLOCKED_V6];
    p.egress.allow = [{ to: 'fd00:1::/48', ports: [], protocol: 'tcp' }];
    expect(messages(p)).toEqual(['network.subnet6: has host bits set; write fd00::/64']);
  });

  it('refuses what undoes the isolation', () => {
    const p = profile();
    p.container.capAdd = ['chown', 'SYS_MODULE'];
    p.container.mounts = ['/home/u/link:/x', '/srv/../run/user/1000:/r', '/home/u/src:/src:ro', '/home/u:/home/u'];
    p.container.sysctls = { 'net/ipv4/conf/all/forwarding': '1', 'net.ipv4.tcp_keepalive_time': '60' };
    p.container.dockerArgs = ['--cap-add', 'BPF'];
    const realpath = (x: string) => (x === '/home/u/link' ? '/run/docker.sock' : undefined);
    const sockets = ['/home/u/.docker/desktop/docker.sock'];
    expect(messages(p, { realpath, sockets })).toEqual([
      "container.capAdd.1: capability SYS_MODULE loads modules into the host's kernel; remove it",
      `container.mounts.0: mounts /home/u/link, ${SOCKET}`,
      `container.mounts.1: mounts /srv/../run/user/1000, ${SOCKET}`,
      `container.mounts.3: mounts /home/u, ${SOCKET.replace('which', 'which contains /home/u/.docker/desktop/docker.sock and so')}`,
      'container.sysctls.net/ipv4/conf/all/forwarding: net.ipv4.conf.all.forwarding turns the container into a router; remove it',
      'container.dockerArgs.0: --cap-add BPF: capability BPF loads BPF programs into the kernel; remove it',
    ]);
  });

  it('checks mount, publish, tmpfs and workdir syntax', () => {
    const p = profile();
    p.container.mounts = ['/a:/b:c:d', '/a:rel', '/a:/b:rw,bogus', 'bad name:/x'];
    p.container.publish = ['127.0.0.1:70000:80', 'localhost:80:80', ':80:80'];
    p.container.tmpfs = ['tmp'];
    p.container.workdir = 'workspace';
    expect(messages(p)).toEqual([
      'container.mounts.0: must be host-path:container-path[:options], such as ./src:/workspace:ro',
      "container.mounts.1: container side 'rel' must be an absolute path such as /workspace",
      "container.mounts.2: unknown mount option 'bogus'; use ro, rw, z, Z or a propagation mode such as rslave",
      "container.mounts.3: host side 'bad name' must be an absolute path, ./relative, ~/path, or a volume name",
      'container.publish.0: has a port outside 1-65535; must be [address:][hostPort:]containerPort[/protocol] such as 127.0.0.1:8080:8080 (IPv6 addresses in brackets)',
      "container.publish.1: 'localhost' is not an IP address; must be [address:][hostPort:]containerPort[/protocol] such as 127.0.0.1:8080:8080 (IPv6 addresses in brackets)",
      'container.publish.2: must be [address:][hostPort:]containerPort[/protocol] such as 127.0.0.1:8080:8080 (IPv6 addresses in brackets)',
      'container.tmpfs.0: must be an absolute path inside the container, optionally with options: /tmp:size=64m',
      'container.workdir: must be an absolute path inside the container, such as /workspace',
    ]);
  });

  it('keeps probe targets consistent with the firewall', () => {
    const p = profile();
    p.egress.allow = [{ to: '192.168.1.20', ports: [22], protocol: 'tcp' }];
    p.hostPorts = [{ port: 11434, protocol: 'tcp' }];
    p.probe.mustReach = [
      { host: '192.168.1.20', port: 22 }, // allowed: fine
      { host: '192.168.1.20', port: 80 },
      { host: '172.30.0.1', port: 11434 }, // host port: fine
      { host: '172.30.0.1', port: 80 },
      { host: 'bad..name', port: 443 },
    ];
    p.probe.mustBlock = [
      { host: '192.168.1.20', port: 80 }, // blocked: fine
      { host: '192.168.1.20', port: 22 },
      { host: '8.8.8.8', port: 53 },
      { host: '172.30.0.1', port: 11434 },
    ];
    expect(messages(p)).toEqual([
      'probe.mustReach.1.host: is in blocked range 192.168.0.0/16; add an egress.allow exception { to: 192.168.1.20, ports: [80] }, or move it to mustBlock',
      'probe.mustReach.3.host: is the bridge gateway (the host); add hostPorts: [{ port: 80 }], or remove this target',
      'probe.mustReach.4.host: must be an IP address or a DNS name such as api.anthropic.com',
      'probe.mustBlock.1.host: is allowed by egress.allow[0]; remove one of them',
      'probe.mustBlock.2.host: is not in a blocked range, so hermit does not block it; add its range to egress.block, or remove it from mustBlock',
      'probe.mustBlock.3.host: is allowed by hostPorts[0]; remove one of them',
    ]);
  });
});

describe('checkProfile', () => {
  it('throws one usage error with every problem located', () => {
    const p = profile();
    p.network.gateway = '10.0.0.1';
    p.container.capAdd = ['NET_ADMIN'];
    const loaded: LoadedProfile = {
      profile: p,
      file: '/etc/hermit/demo.yaml',
      locate: (path) => (path[0] === 'network' ? { line: 4, col: 12 } : path[0] === 'container' ? { line: 9, col: 5 } : undefined),
    };
    let error: unknown;
    try {
      checkProfile(loaded);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HermitError);
    expect((error as HermitError).kind).toBe('usage');
    expect((error as HermitError).message).toBe(
      [
        '/etc/hermit/demo.yaml:4:12: network.gateway: is outside the subnet 172.30.0.0/24; use an address inside it, such as 172.30.0.1',
        '/etc/hermit/demo.yaml:9:5: container.capAdd[0]: capability NET_ADMIN lets the container change its own addresses, routes and firewall; remove it',
      ].join('\n'),
    );
  });
});
