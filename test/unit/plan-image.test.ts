import { describe, expect, it } from 'vitest';
import { planImage, refreshImage } from '../../src/plan/image.js';
import { sampleFacts, sampleProfile } from './fixtures.js';

const built = sampleProfile({ image: 'localhost/agent:1', build: { context: '/srv/agent', dockerfile: '/srv/agent/Dockerfile.agent' } });

describe('image plan', () => {
  it('uses the local image when it is there', () => {
    expect(planImage(built, sampleFacts({ imageId: 'sha256:aa' }))).toEqual({ kind: 'present', id: 'sha256:aa' });
  });

  it('builds a missing image with the legacy builder when the profile has a build context', () => {
    expect(planImage(built, sampleFacts())).toEqual({
      kind: 'build',
      reason: 'build image localhost/agent:1 (not on this host)',
      args: ['build', '--tag', 'localhost/agent:1', '--file', '/srv/agent/Dockerfile.agent', '/srv/agent'],
      env: { DOCKER_BUILDKIT: '0' },
    });
  });

  it('otherwise leaves the pull to docker run', () => {
    expect(planImage(sampleProfile(), sampleFacts())).toMatchObject({ kind: 'pull' });
  });

  it('refreshes for hermit update: build --pull, or docker pull; --no-pull rebuilds only', () => {
    expect(refreshImage(built, true)?.args).toEqual(['build', '--pull', '--tag', 'localhost/agent:1', '--file', '/srv/agent/Dockerfile.agent', '/srv/agent']);
    expect(refreshImage(built, false)?.args).toEqual(['build', '--tag', 'localhost/agent:1', '--file', '/srv/agent/Dockerfile.agent', '/srv/agent']);
    expect(refreshImage(sampleProfile(), true)).toEqual({ args: ['pull', 'example/agent:1'], env: {} });
    expect(refreshImage(sampleProfile(), false)).toBeUndefined();
  });
});
