import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HermitError } from '../../src/errors.js';
import { NAME_RULES } from '../../src/profile/names.js';
import { loadProfile, parseProfile, validateProfileText } from '../../src/profile/load.js';
import { DEFAULT_BLOCKED_V4, DEFAULT_BLOCKED_V6 } from '../../src/profile/types.js';

const root = path.resolve(fileURLToPath(import.meta.url), '../../..');
const fixture = (name: string) => path.join(root, 'test/fixtures/profiles', name);

/** The usage error's message, or a failure if parsing succeeds. */
function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseProfile('bad.yaml', text, env);
  } catch (err) {
    expect(err).toBeInstanceOf(HermitError);
    expect((err as HermitError).kind).toBe('usage');
    expect((err as HermitError).hint).toMatch(/schema\/profile\.schema\.json/);
    return (err as HermitError).message;
  }
  throw new Error('expected the profile to be refused');
}

describe('the shipped profile', () => {
  const file = path.join(root, 'profiles/claude-agent.yaml');

  it('loads and normalizes', () => {
    const loaded = loadProfile(file, undefined, { HOME: '/home/u', PWD: '/home/u/src/project' });
    expect(loaded.file).toBe(file);
    expect(loaded.chain).toEqual([file]);
    expect(loaded.profile).toEqual({
      name: 'claude-agent',
      image: 'localhost/hermit/claude-agent:latest',
      build: { context: path.join(root, 'profiles/claude-agent'), dockerfile: path.join(root, 'profiles/claude-agent/Dockerfile') },
      command: ['sleep', 'infinity'],
      network: { name: 'hermit-claude-agent', subnet: '172.30.0.0/24', gateway: '172.30.0.1', bridge: 'hm-claude-agent', ipv6: false },
      dns: ['1.1.1.1', '9.9.9.9'],
      egress: { block: [...DEFAULT_BLOCKED_V4], block6: [...DEFAULT_BLOCKED_V6], allow: [] },
      hostPorts: [],
      container: {
        name: 'hermit-claude-agent',
        user: '1000:1000',
        env: { NODE_OPTIONS: '--dns-result-order=ipv4first', ANTHROPIC_API_KEY: 'hermit-placeholder' },
        passEnv: [],
        mounts: ['/home/u/src/project:/workspace', 'hermit-claude-agent-home:/home/node'],
        sensitiveMounts: [],
        workdir: '/workspace',
        restart: 'unless-stopped',
        sysctls: { 'net.ipv4.tcp_keepalive_time': '60', 'net.ipv4.tcp_keepalive_intvl': '10', 'net.ipv4.tcp_keepalive_probes': '6' },
        readOnly: false,
        publish: [],
        capAdd: [],
        tmpfs: [],
        dockerArgs: [],
        healthcheck: {
          command: `node -e 'require("net").connect(443, "api.anthropic.com").on("connect", () => process.exit(0)).on("error", () => process.exit(1)).setTimeout(8000, () => process.exit(1))'`,
          interval: '60s',
          timeout: '10s',
          startPeriod: '20s',
          retries: 3,
        },
      },
      // The API key is added by hermit's proxy, beside the agent on its bridge.
      credentialProxy: {
        image: 'localhost/hermit/squid:latest',
        build: { context: path.join(root, 'profiles/squid'), dockerfile: path.join(root, 'profiles/squid/Dockerfile') },
        container: 'hermit-claude-agent-proxy', address: '172.30.0.254', bridgeAddress: '172.30.0.254', port: 3128,
        credentials: [{ host: 'api.anthropic.com', port: 443, header: 'x-api-key', value: '${ANTHROPIC_API_KEY}', baseUrlEnv: 'ANTHROPIC_BASE_URL' }],
      },
      probe: {
        mustReach: [{ host: 'api.anthropic.com', port: 443, comment: 'Claude API' }],
        mustBlock: [],
        dnsName: 'api.anthropic.com',
        timeoutMs: 3000,
        onFailure: 'stop',
        onOutage: 'warn',
        outageRetrySec: 20,
      },
    });
  });

  it('mounts WORKSPACE_DIR when it is set', () => {
    const loaded = loadProfile(file, undefined, { WORKSPACE_DIR: '/srv/project', PWD: '/elsewhere' });
    expect(loaded.profile.container.mounts[0]).toBe('/srv/project:/workspace');
  });

  it('ships the Dockerfile it builds from', () => {
    const dockerfile = readFileSync(path.join(root, 'profiles/claude-agent/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:24-trixie-slim$/m);
    expect(dockerfile).toMatch(/--no-install-recommends .*docker-cli docker-compose/);
    expect(dockerfile).toMatch(/npm install -g "@anthropic-ai\/claude-code@/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^WORKDIR \/workspace$/m);
  });
});

describe('defaults and normalization', () => {
  it('fills every default from the name and the subnet', () => {
    const { profile } = loadProfile(fixture('minimal.yaml'), undefined, {});
    expect(profile).toEqual({
      name: 'minimal',
      image: 'alpine:3.20',
      command: [],
      network: { name: 'hermit-minimal', subnet: '10.99.0.0/24', gateway: '10.99.0.1', bridge: 'hm-minimal', ipv6: false },
      dns: ['9.9.9.9'],
      egress: { block: [...DEFAULT_BLOCKED_V4], block6: [...DEFAULT_BLOCKED_V6], allow: [] },
      hostPorts: [],
      container: {
        name: 'hermit-minimal', user: '1000:1000', env: {}, passEnv: [], mounts: [], sensitiveMounts: [], restart: 'no', sysctls: {},
        readOnly: false, publish: [], capAdd: [], tmpfs: [], dockerArgs: [],
      },
      probe: { mustReach: [], mustBlock: [], dnsName: 'example.com', timeoutMs: 3000, onFailure: 'stop', onOutage: 'warn', outageRetrySec: 20 },
    });
  });

  it('cuts the default bridge name to 15 characters', () => {
    const text = 'name: a-very-long-name-1\nimage: x\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\n';
    expect(parseProfile('p.yaml', text, {}).profile.network.bridge).toBe('hm-a-very-long-');
  });

  it('normalizes every key of a full profile', () => {
    const dir = path.join(root, 'test/fixtures/profiles');
    const { profile } = loadProfile(fixture('full.yaml'), undefined, { HOME: '/home/u', DATA_DIR: '/srv/data', WORKDIR: '' });
    expect(profile.command).toEqual(['node', 'server.js', '--port', '8080']);
    expect(profile.network).toEqual({
      name: 'my-net', subnet: '172.30.8.0/22', gateway: '172.30.8.254', bridge: 'br-full', mtu: 1400, ipv6: true, subnet6: 'fd00:1234::/64',
    });
    // Extra ranges come first and the built-in ones are always there.
    expect(profile.egress.block).toEqual(['198.51.100.0/24', ...DEFAULT_BLOCKED_V4]);
    expect(profile.egress.block6).toEqual(['2001:db8::/32', ...DEFAULT_BLOCKED_V6]);
    expect(profile.egress.allow).toEqual([
      { to: '192.168.1.20', ports: [8080, 22], protocol: 'tcp', comment: 'NAS git server' },
      { to: '100.64.0.0/10', ports: [], protocol: 'any' },
      { to: 'fd00:beef::/48', ports: [], protocol: 'udp' },
    ]);
    expect(profile.hostPorts).toEqual([{ port: 11434, protocol: 'tcp', comment: 'ollama' }, { port: 5353, protocol: 'udp' }]);
    expect(profile.container).toEqual({
      name: 'full.agent',
      user: 'node',
      env: { TZ: 'UTC', PORT: '8080', DEBUG: 'true' },
      passEnv: ['ANTHROPIC_API_KEY'],
      envFile: path.join(dir, 'config/agent.env'),
      mounts: [
        `${path.join(dir, 'src')}:/workspace:ro`,
        '/home/u/.gitconfig:/home/node/.gitconfig:ro',
        '/srv/data:/data',
        'agent-cache:/cache',
        '/scratch',
      ],
      sensitiveMounts: [],
      workdir: '/workspace',
      restart: 'always',
      sysctls: { 'net.ipv4.tcp_keepalive_time': '60' },
      readOnly: true,
      publish: ['127.0.0.1:8080:8080', '127.0.0.2:9000:9000/udp', '127.0.0.1::3000', '[::1]:7000:7000'],
      capAdd: ['CHOWN'],
      tmpfs: ['/tmp:size=64m'],
      dockerArgs: ['--memory=2g', '--cpus', '1.5', '-it'],
    });
    expect(profile.probe.dnsName).toBe('registry.example.org');
    expect(profile.probe.timeoutMs).toBe(1500);
    expect(profile.probe.onFailure).toBe('warn');
  });
});

describe('locate', () => {
  const loaded = loadProfile(fixture('full.yaml'), undefined, { DATA_DIR: '/d', HOME: '/h' });

  it('finds values, collections and list items', () => {
    expect(loaded.locate(['name'])).toEqual({ line: 2, col: 7 });
    expect(loaded.locate(['network'])).toEqual({ line: 5, col: 1 });
    expect(loaded.locate(['egress', 'allow', 0, 'to'])).toEqual({ line: 18, col: 11 });
    expect(loaded.locate(['egress', 'allow', 1])).toEqual({ line: 21, col: 7 });
    expect(loaded.locate(['hostPorts', 1, 'protocol'])).toEqual({ line: 27, col: 29 });
    expect(loaded.locate(['container', 'sysctls', 'net.ipv4.tcp_keepalive_time'])).toEqual({ line: 42, col: 43 });
  });

  it('falls back to the nearest key present for defaults', () => {
    expect(loaded.locate(['egress', 'allow', 1, 'ports'])).toEqual({ line: 21, col: 7 });
    expect(loaded.locate(['probe', 'dnsName'])).toEqual({ line: 48, col: 1 });
  });
});

describe('bad profiles', () => {
  const cases: { what: string; text: string; env?: NodeJS.ProcessEnv; expected: string }[] = [
    {
      what: 'unknown key',
      text: 'name: demo\nimage: alpine\nnetwork:\n  subnet: 172.30.0.0/24\n  bridg: hm-demo\ndns: [1.1.1.1]\n',
      expected: "bad.yaml:5:3: network.bridg: unknown key 'bridg' (did you mean 'bridge'?)",
    },
    {
      what: 'unknown key far from any known one',
      text: 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\nprobe:\n  retries: 3\n',
      expected: "bad.yaml:6:3: probe.retries: unknown key 'retries' (allowed here: mustReach, mustBlock, dnsName, timeoutMs, onFailure, onOutage, outageRetrySec)",
    },
    {
      what: 'privileged, brought from compose',
      text: 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\ncontainer:\n  privileged: true\n',
      expected: "bad.yaml:6:3: container.privileged: unknown key 'privileged': hermit never runs a container privileged; give single capabilities with container.capAdd",
    },
    {
      what: 'bad CIDR',
      text: 'name: demo\nimage: alpine\nnetwork:\n  subnet: 172.30.0.0/33\ndns: [1.1.1.1]\n',
      expected: 'bad.yaml:4:11: network.subnet: must be a valid IPv4 CIDR such as 172.30.0.0/24',
    },
    {
      what: 'subnet with host bits',
      text: 'name: demo\nimage: alpine\nnetwork:\n  subnet: 172.30.0.5/24\ndns: [1.1.1.1]\n',
      expected: 'bad.yaml:4:11: network.subnet: has host bits set; write 172.30.0.0/24',
    },
    {
      what: 'gateway outside the subnet',
      text: 'name: demo\nimage: alpine\nnetwork:\n  subnet: 172.30.0.0/24\n  gateway: 172.31.0.1\ndns: [1.1.1.1]\n',
      expected: 'bad.yaml:5:12: network.gateway: is outside the subnet 172.30.0.0/24; use an address inside it, such as 172.30.0.1',
    },
    {
      what: 'gateway on the broadcast address',
      text: 'name: demo\nimage: alpine\nnetwork:\n  subnet: 172.30.0.0/24\n  gateway: 172.30.0.255\ndns: [1.1.1.1]\n',
      expected: 'bad.yaml:5:12: network.gateway: is the broadcast address of 172.30.0.0/24; use a host address such as 172.30.0.1',
    },
    {
      what: 'port out of range',
      text: 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\nhostPorts:\n  - { port: 70000 }\n',
      expected: 'bad.yaml:6:13: hostPorts[0].port: must be a port number from 1 to 65535',
    },
    {
      what: 'bad protocol',
      text: 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\negress:\n  allow:\n    - to: 192.168.1.20\n      protocol: icmp\n',
      expected: "bad.yaml:8:17: egress.allow[0].protocol: must be one of tcp, udp, any (not 'icmp')",
    },
    {
      what: 'profile name too long',
      text: 'name: this-name-is-too-long\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\n',
      expected: `bad.yaml:1:7: name: ${NAME_RULES.profile.message}`,
    },
    {
      what: 'bridge name too long',
      text: 'name: demo\nimage: alpine\nnetwork:\n  subnet: 172.30.0.0/24\n  bridge: hermit-bridge-demo\ndns: [1.1.1.1]\n',
      expected: `bad.yaml:5:11: network.bridge: ${NAME_RULES.ifname.message}`,
    },
    {
      what: 'network: host',
      text: 'name: demo\nimage: alpine\nnetwork: host\ndns: [1.1.1.1]\n',
      expected:
        'bad.yaml:3:10: network: hermit always runs the container on its own bridge; host networking would remove the isolation. Describe the bridge instead: network: { subnet: 172.30.0.0/24 }',
    },
    {
      what: 'capAdd NET_ADMIN',
      text: 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\ncontainer:\n  capAdd: [CHOWN, cap_net_admin]\n',
      expected: 'bad.yaml:6:19: container.capAdd[1]: capability NET_ADMIN lets the container change its own addresses, routes and firewall; remove it',
    },
    {
      what: 'Docker socket mount',
      text: 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\ncontainer:\n  mounts:\n    - /var/run/docker.sock:/var/run/docker.sock\n',
      expected:
        "bad.yaml:7:7: container.mounts[0]: mounts /var/run/docker.sock, which gives the container the container engine's API (the Docker socket), which undoes every isolation; remove it",
    },
    {
      what: '/run mounted whole',
      text: 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\ncontainer:\n  mounts: ["/run/:/host-run:ro"]\n',
      expected:
        "bad.yaml:6:12: container.mounts[0]: mounts /run, which gives the container the container engine's API (the Docker socket), which undoes every isolation; remove it",
    },
    {
      what: 'missing dns',
      text: 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\n',
      expected: "bad.yaml:1:1: missing required key 'dns'",
    },
    {
      what: 'dns given as a name',
      text: 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [dns.google]\n',
      expected: 'bad.yaml:4:7: dns[0]: must be an IP address such as 1.1.1.1',
    },
    {
      what: 'YAML syntax error',
      text: 'name: demo\nimage: alpine\nnetwork:\n  subnet: 172.30.0.0/24\n gateway: 172.30.0.1\ndns: [1.1.1.1]\n',
      expected: 'bad.yaml:5:1: YAML syntax: All mapping items must start at the same column',
    },
    {
      what: 'unset variable in a mount',
      text: 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\ncontainer:\n  mounts: ["${PROJECT}:/workspace"]\n',
      expected: 'bad.yaml:6:12: container.mounts[0]: environment variable PROJECT is not set; set it, or write ${PROJECT:-default}',
    },
    {
      what: 'exception to a destination that is not blocked',
      text: 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\negress:\n  allow: [{ to: 8.8.8.8, ports: [53] }]\n',
      expected:
        'bad.yaml:6:17: egress.allow[0].to: is not inside a blocked range, so it is already reachable; remove this exception (blocked: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 169.254.0.0/16, 224.0.0.0/4, 240.0.0.0/4)',
    },
    {
      what: 'ipv6 without subnet6',
      text: 'name: demo\nimage: alpine\nnetwork:\n  subnet: 172.30.0.0/24\n  ipv6: true\ndns: [1.1.1.1]\n',
      expected: 'bad.yaml:3:1: network: ipv6 is true but subnet6 is missing; add subnet6 such as fd00:1234::/64',
    },
    {
      what: 'sysctl hermit sets itself',
      text: 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\ncontainer:\n  sysctls: { net.ipv6.conf.all.disable_ipv6: 0 }\n',
      expected:
        'bad.yaml:6:46: container.sysctls.net.ipv6.conf.all.disable_ipv6: net.ipv6.conf.all.disable_ipv6 is set by hermit (IPv6 is off unless network.ipv6 is true); remove it and use network.ipv6',
    },
    {
      what: 'dockerArgs that undo the isolation',
      text: 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\ncontainer:\n  dockerArgs: [--memory, 2g, --net=host]\n',
      expected:
        'bad.yaml:6:30: container.dockerArgs[2]: --net=host: hermit always runs the container on its own bridge (network: in the profile); remove this option',
    },
    {
      what: 'mustReach inside a blocked range without an exception',
      text: 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24 }\ndns: [1.1.1.1]\nprobe:\n  mustReach: [{ host: 192.168.1.5, port: 22 }]\n',
      expected:
        'bad.yaml:6:23: probe.mustReach[0].host: is in blocked range 192.168.0.0/16; add an egress.allow exception { to: 192.168.1.5, ports: [22] }, or move it to mustBlock',
    },
  ];

  it.each(cases)('$what', ({ text, env, expected }) => {
    expect(problemsOf(text, env)).toBe(expected);
  });

  it('reports every problem at once, in file order', () => {
    const text = [
      'name: Demo', // 1
      'image: alpine', // 2
      'network:', // 3
      '  subnet: 172.30.0.0/24', // 4
      '  mtu: 100', // 5
      'dns: [1.1.1.1]', // 6
      'container:', // 7
      '  restart: sometimes', // 8
      '  passEnv: [ok, 1bad]', // 9
      '  readOnly: yes', // 10
      '  user: 1000:1000', // 11 (YAML 1.2: a string, fine)
    ].join('\n');
    expect(problemsOf(text)).toBe(
      [
        `bad.yaml:1:7: name: ${NAME_RULES.profile.message}`,
        'bad.yaml:5:8: network.mtu: must be a whole number from 576 to 9000',
        "bad.yaml:8:12: container.restart: must be one of no, on-failure, unless-stopped, always (not 'sometimes')",
        'bad.yaml:9:17: container.passEnv[1]: must be an environment variable name such as ANTHROPIC_API_KEY',
        'bad.yaml:10:13: container.readOnly: must be true or false',
      ].join('\n'),
    );
  });

  it('reports semantic problems together too', () => {
    const text = [
      'name: demo',
      'image: alpine',
      'network:',
      '  subnet: 172.30.0.0/24',
      '  gateway: 10.0.0.1',
      'dns: [1.1.1.1]',
      'container:',
      '  capAdd: [SYS_ADMIN]',
      '  mounts: ["~/x:/x", "${A}:/a", "${B:-/b}:/b"]',
    ].join('\n');
    expect(problemsOf(text, { A: '' }).split('\n')).toEqual([
      'bad.yaml:5:12: network.gateway: is outside the subnet 172.30.0.0/24; use an address inside it, such as 172.30.0.1',
      'bad.yaml:8:12: container.capAdd[0]: capability SYS_ADMIN allows mounts and namespace changes that lead out of the container; remove it',
      "bad.yaml:9:12: container.mounts[0]: uses ~ but HOME is not set; write an absolute path",
      'bad.yaml:9:22: container.mounts[1]: environment variable A is not set; set it, or write ${A:-default}',
    ]);
  });

  it('says when the file cannot be read', () => {
    expect(() => loadProfile(fixture('does-not-exist.yaml'))).toThrow(/cannot read profile .*does-not-exist\.yaml: no such file/);
  });
});

describe('validateProfileText', () => {
  it('returns problem lines instead of throwing', () => {
    const result = validateProfileText('p.yaml', 'name: demo\n', {});
    expect(result.loaded).toBeUndefined();
    expect(result.problems).toEqual([
      "p.yaml:1:1: missing required key 'image'",
      "p.yaml:1:1: missing required key 'network'",
      "p.yaml:1:1: missing required key 'dns'",
    ]);
  });

  it('returns the loaded profile when it is valid', () => {
    const text = readFileSync(fixture('minimal.yaml'), 'utf8');
    const result = validateProfileText(fixture('minimal.yaml'), text, {});
    expect(result.problems).toEqual([]);
    expect(result.loaded?.profile.name).toBe('minimal');
  });
});

describe('the schema', () => {
  const schema = JSON.parse(readFileSync(path.join(root, 'schema/profile.schema.json'), 'utf8')) as Record<string, unknown>;

  it('describes every property and closes every object', () => {
    const missing: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.type === 'object' && n.properties && n.additionalProperties !== false) missing.push(`${at}: additionalProperties`);
      for (const [key, prop] of Object.entries((n.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (typeof prop.description !== 'string') missing.push(`${at}.${key}: description`);
        walk(prop, `${at}.${key}`);
      }
      for (const [key, value] of Object.entries(n)) if (key !== 'properties') walk(value, `${at}/${key}`);
    };
    walk(schema, '');
    expect(missing).toEqual([]);
  });

  it('words name rules like the checks do', () => {
    const props = schema.properties as Record<string, Record<string, unknown>>;
    const network = props.network!.properties as Record<string, Record<string, unknown>>;
    const defs = schema.definitions as Record<string, Record<string, unknown>>;
    expect(props.name!.errorMessage).toBe(NAME_RULES.profile.message);
    expect(props.name!.pattern).toBe(NAME_RULES.profile.re.source);
    expect(network.bridge!.errorMessage).toBe(NAME_RULES.ifname.message);
    expect(network.bridge!.pattern).toBe(NAME_RULES.ifname.re.source);
    expect(defs.dockerName!.errorMessage).toBe(NAME_RULES.docker.message);
    expect(defs.dockerName!.pattern).toBe(NAME_RULES.docker.re.source);
  });
});

describe('odd YAML', () => {
  it('refuses an empty file and a list', () => {
    expect(problemsOf('')).toBe('bad.yaml: a profile must be a mapping of keys such as name:, image:, network:, dns:');
    expect(problemsOf('- name: demo\n')).toBe('bad.yaml:1:1: a profile must be a mapping of keys such as name:, image:, network:, dns:');
  });

  it('refuses several documents in one file', () => {
    expect(problemsOf('name: a\n---\nname: b\n')).toMatch(/^bad\.yaml:2:1: YAML syntax: Source contains multiple documents/);
  });

  it('reads no, off and yes as text (YAML 1.2), so a boolean key says so', () => {
    const text = 'name: demo\nimage: alpine\nnetwork: { subnet: 172.30.0.0/24, ipv6: off }\ndns: [1.1.1.1]\ncontainer: { restart: no }\n';
    expect(problemsOf(text)).toBe('bad.yaml:3:41: network.ipv6: must be true or false');
  });
});
