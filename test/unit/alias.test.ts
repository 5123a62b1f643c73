import { describe, expect, it } from 'vitest';
import { aliasLine, defaultAliasName, interpolatedNames } from '../../src/report/alias.js';

const spec = { name: 'claude-box', hermit: '/usr/local/bin/hermit', profile: 'claude-agent', sudoEnv: ['ANTHROPIC_API_KEY'] };

describe('hermit alias', () => {
  it('prints one function line per shell that runs (proves) and then attaches', () => {
    const sudo = 'sudo --preserve-env=ANTHROPIC_API_KEY /usr/local/bin/hermit';
    expect(aliasLine('bash', spec)).toBe(`claude-box() { ${sudo} run claude-agent && ${sudo} shell claude-agent -- "$@"; }`);
    expect(aliasLine('zsh', spec)).toBe(aliasLine('bash', spec));
    expect(aliasLine('fish', { ...spec, sudoEnv: null })).toBe(
      "function claude-box --description 'hermit: start claude-agent isolated, then attach'; /usr/local/bin/hermit run claude-agent; and /usr/local/bin/hermit shell claude-agent -- $argv; end",
    );
  });

  it('quotes paths and names the function after the profile', () => {
    expect(aliasLine('bash', { ...spec, profile: "/home/me/my agent's.yaml", sudoEnv: null })).toContain(`run '/home/me/my agent'\\''s.yaml' &&`);
    expect(defaultAliasName('claude-agent')).toBe('claude-box');
    expect(defaultAliasName('research')).toBe('research-box');
    expect(interpolatedNames('mounts: [${WORKSPACE_DIR:-.}:/w, ${HOME}/x, $NOTME, ${HOME}]')).toEqual(['HOME', 'WORKSPACE_DIR']);
  });
});
