import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/profile/problems.js';
import { interpolate, interpolateTree } from '../../src/profile/interpolate.js';
import { parseProfile } from '../../src/profile/load.js';

const env = { HOME: '/home/u', EMPTY: '', WORKSPACE_DIR: '/srv/w', PWD: '/cwd' };
const value = (text: string) => {
  const r = interpolate(text, env);
  expect(r.problems).toEqual([]);
  return r.value;
};
const problems = (text: string) => interpolate(text, env).problems;

describe('interpolate', () => {
  it.each([
    ['${HOME}/.gitconfig', '/home/u/.gitconfig'],
    ['${WORKSPACE_DIR:-.}:/workspace', '/srv/w:/workspace'],
    ['${UNSET:-.}:/workspace', '.:/workspace'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${UNSET:-${PWD}}', '/cwd'],
    ['${UNSET:-${ALSO_UNSET:-deep}}/x', 'deep/x'],
    ['${UNSET:-}', ''],
    ['${HOME:?needs a home}', '/home/u'],
    ['cost: $$5, $(date), 100$', 'cost: $5, $(date), 100$'],
    ['no variables', 'no variables'],
  ])('%s', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  it('refuses an unset variable without a default', () => {
    expect(problems('${PROJECT}:/workspace')).toEqual(['environment variable PROJECT is not set; set it, or write ${PROJECT:-default}']);
    expect(problems('${EMPTY}')).toEqual(['environment variable EMPTY is not set; set it, or write ${EMPTY:-default}']);
  });

  it('says the message of ${NAME:?message}', () => {
    expect(problems('${PROJECT:?set PROJECT to the folder to mount}')).toEqual(['environment variable PROJECT is not set: set PROJECT to the folder to mount']);
    expect(problems('${PROJECT:?}')).toEqual(['environment variable PROJECT is not set: it is required']);
  });

  it('does not complain about a default it does not use', () => {
    expect(problems('${HOME:-${UNSET}}')).toEqual([]);
    expect(problems('${NOPE:-${UNSET}}')).toEqual(['environment variable UNSET is not set; set it, or write ${UNSET:-default}']);
  });

  it('refuses what it cannot read', () => {
    expect(problems('$HOME/x')).toEqual(['write ${HOME} with braces; hermit expands only ${NAME}, ${NAME:-default} and ${NAME:?message} (use $$ for a literal $)']);
    expect(problems('${HOME')).toEqual(["has '${' without a closing '}'"]);
    expect(problems('${A:-${B}')).toEqual(["has '${' without a closing '}'"]);
    expect(problems('${1}')).toEqual(["'${1}' is not a variable; hermit expands ${NAME}, ${NAME:-default} and ${NAME:?message}"]);
    expect(problems('${A-b}')).toEqual(["'${A-b}' is not a variable; hermit expands ${NAME}, ${NAME:-default} and ${NAME:?message}"]);
  });
});

describe('interpolateTree', () => {
  it('expands values, not keys, everywhere in the profile', () => {
    const found: Problem[] = [];
    const out = interpolateTree({ image: '${IMG:-alpine}', container: { env: { '${X}': '${HOME}' }, mounts: ['${HOME}:/h'] }, n: 3 }, env, found);
    expect(out).toEqual({ image: 'alpine', container: { env: { '${X}': '/home/u' }, mounts: ['/home/u:/h'] }, n: 3 });
    expect(found).toEqual([]);
  });

  it('keeps secrets off anything that can reach the command line', () => {
    const found: Problem[] = [];
    const secrets = { ...env, ANTHROPIC_API_KEY: 'sk-123456' };
    const out = interpolateTree({ command: ['claude', '--key', '${ANTHROPIC_API_KEY}'], container: { env: { KEY: '${ANTHROPIC_API_KEY}' } } }, secrets, found);
    expect(out).toMatchObject({ container: { env: { KEY: 'sk-123456' } } });
    expect(found).toEqual([{
      path: ['command', 2],
      message: "uses ${ANTHROPIC_API_KEY}, which looks like a secret; here its value could reach docker's command line, where ps shows it. Pass it by name with container.passEnv: [ANTHROPIC_API_KEY], or as a container.env value",
    }]);
  });
});

describe('in a profile', () => {
  const base = 'name: demo\nimage: ${IMAGE:-alpine:3.20}\nnetwork: { subnet: "${SUBNET:-172.30.0.0/24}" }\ndns: [1.1.1.1]\n';

  it('expands any value and checks the result', () => {
    expect(parseProfile('p.yaml', base, {}).profile.image).toBe('alpine:3.20');
    expect(parseProfile('p.yaml', base, { IMAGE: 'node:20' }).profile.image).toBe('node:20');
    expect(() => parseProfile('p.yaml', base, { SUBNET: '172.30.0.5/24' })).toThrow('p.yaml:3:20: network.subnet: has host bits set; write 172.30.0.0/24');
  });

  it('reports every problem of a value, located', () => {
    const text = `${base}command: [sh, -c, "echo $HOME \${TOKEN} \${NEED:?set NEED}"]\n`;
    expect(() => parseProfile('p.yaml', text, {})).toThrow([
      "p.yaml:5:19: command[2]: uses ${TOKEN}, which looks like a secret; here its value could reach docker's command line, where ps shows it. Pass it by name with container.passEnv: [TOKEN], or as a container.env value",
      'p.yaml:5:19: command[2]: write ${HOME} with braces; hermit expands only ${NAME}, ${NAME:-default} and ${NAME:?message} (use $$ for a literal $)',
      'p.yaml:5:19: command[2]: environment variable NEED is not set: set NEED',
    ].join('\n'));
  });
});
