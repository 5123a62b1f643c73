import { describe, expect, it } from 'vitest';
import { agentBuildCall, planImage, refreshImage } from '../../src/plan/image.js';
import { parseProfile } from '../../src/profile/load.js';
import { sampleFacts, sampleProfile } from './fixtures.js';

const built = sampleProfile({ image: 'localhost/agent:1', build: { context: '/srv/agent', dockerfile: '/srv/agent/Dockerfile.agent' } });

describe('image plan', () => {
  it('uses the local image when it is there', () => {
    expect(planImage(built, sampleFacts({ imageId: 'sha256:aa' }))).toEqual({ kind: 'present', id: 'sha256:aa' });
  });

  it('builds a missing image with the legacy builder, on the agent\'s network, from a context tar on stdin', () => {
    expect(planImage(built, sampleFacts())).toEqual({
      kind: 'build',
      reason: 'build image localhost/agent:1 (not on this host)',
      args: ['build', '--network', 'hermit-agent', '--tag', 'localhost/agent:1', '--file', 'Dockerfile.agent', '-'],
      env: { DOCKER_BUILDKIT: '0' },
    });
  });

  it('names a Dockerfile from outside the context by the name hermit puts it under in the tar', () => {
    const outside = sampleProfile({ image: 'localhost/agent:1', build: { context: '/srv/agent/ctx', dockerfile: '/srv/agent/Dockerfile' } });
    expect(agentBuildCall(outside, false)?.args).toEqual(['build', '--network', 'hermit-agent', '--tag', 'localhost/agent:1', '--file', '.dockerfile.hermit', '-']);
    const nested = sampleProfile({ image: 'localhost/agent:1', build: { context: '/srv/agent', dockerfile: '/srv/agent/docker/Dockerfile' } });
    expect(agentBuildCall(nested, false)?.args).toContain('docker/Dockerfile');
  });

  it('in allowlist mode builds on the internal network, with the proxy as build args', () => {
    const p = { ...parseProfile('/p/strict.yaml', `name: strict
image: localhost/agent:1
network: { subnet: 172.30.5.0/24 }
dns: [192.168.50.1]
egress: { domains: [internet.test], proxyImage: localhost/test/squid:1 }
`, { HOME: '/root' }).profile, build: { context: '/srv/agent', dockerfile: '/srv/agent/Dockerfile' } };
    const url = 'http://172.30.5.130:3128';
    expect(agentBuildCall(p, true)?.args).toEqual(['build', '--pull', '--network', 'hermit-strict-internal',
      '--build-arg', `http_proxy=${url}`, '--build-arg', `https_proxy=${url}`, '--build-arg', `HTTP_PROXY=${url}`, '--build-arg', `HTTPS_PROXY=${url}`,
      '--tag', 'localhost/agent:1', '--file', 'Dockerfile', '-']);
  });

  it('otherwise leaves the pull to docker run', () => {
    expect(planImage(sampleProfile(), sampleFacts())).toMatchObject({ kind: 'pull' });
  });

  it('hermit update rebuilds (in the plan, after the rules), or pulls first; --no-pull rebuilds only', () => {
    expect(planImage(built, sampleFacts({ imageId: 'sha256:aa' }), { pull: true })).toMatchObject({ kind: 'build', reason: 'rebuild image localhost/agent:1 (--pull)',
      args: ['build', '--pull', '--network', 'hermit-agent', '--tag', 'localhost/agent:1', '--file', 'Dockerfile.agent', '-'] });
    expect(planImage(built, sampleFacts({ imageId: 'sha256:aa' }), { pull: false })).toMatchObject({ args: ['build', '--network', 'hermit-agent', '--tag', 'localhost/agent:1', '--file', 'Dockerfile.agent', '-'] });
    expect(refreshImage(built, true)).toBeUndefined();
    expect(refreshImage(sampleProfile(), true)).toEqual({ args: ['pull', 'example/agent:1'], env: {} });
    expect(refreshImage(sampleProfile(), false)).toBeUndefined();
  });
});

describe('the order a build runs in', () => {
  it('network, rules, then the build (on that network), then the container: --dry-run lists what apply runs', async () => {
    const { makePlan } = await import('../../src/plan/plan.js');
    const { planCommands } = await import('../../src/apply/apply.js');
    const plan = makePlan(built, sampleFacts(), { extras: { dockerArgs: [], command: [] }, environment: { API_KEY: 'x' }, replace: false });
    const order = planCommands(plan).map((c) => `${c.file} ${c.args[0]}${c.args[0] === 'network' ? ` ${c.args[1]}` : ''}`);
    // The sample profile mounts a host folder: its pinned bind comes before the container too.
    expect(order).toEqual(['docker network', 'iptables-restore --noflush', ...(order.includes('ip6tables-restore --noflush') ? ['ip6tables-restore --noflush'] : []), 'mount --no-canonicalize', 'docker build', 'docker run']
      .map((x) => (x === 'docker network' ? 'docker network create' : x)));
  });
});
