// A refused `-e NAME=value` of a secret-looking name: the error says why, and never repeats the value.
import { describe, expect, it } from 'vitest';
import { checkDockerArgs } from '../../src/profile/isolation.js';

describe('secret values in docker arguments', () => {
  it.each([
    [['-e', 'API_TOKEN=sk-live-123=abc']],
    [['--env=API_TOKEN=sk-live-123=abc']],
    [['--env', 'API_TOKEN=sk-live-123=abc']],
  ])('refuses %j without printing the value', (args) => {
    const problems = checkDockerArgs(args, 'arguments after --');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('puts the value of API_TOKEN on docker\'s command line');
    expect(problems[0]).toContain('API_TOKEN=…');
    expect(problems[0]).not.toContain('sk-live');
  });

  it('passes a name alone and a value of a name that does not look secret', () => {
    expect(checkDockerArgs(['-e', 'API_TOKEN', '-e', 'LANG=C.UTF-8'], 'arguments after --')).toEqual([]);
  });
});
