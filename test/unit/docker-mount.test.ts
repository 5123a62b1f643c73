// --mount read as Docker's CLI reads it (docker/cli opts/mount.go): one parser for the isolation
// check (profile/isolation.ts) and the "who can write the profile" check (dockerArgBinds).
import { describe, expect, it } from 'vitest';
import { dockerArgBinds, mountHostPaths, parseMount } from '../../src/docker/args.js';
import { checkDockerArgs } from '../../src/profile/isolation.js';

const spec = (v: string) => {
  const m = parseMount(v);
  if ('problem' in m) throw new Error(m.problem);
  return { ...m, volumeOpts: Object.fromEntries(m.volumeOpts), hostPaths: mountHostPaths(m) };
};
const problem = (v: string) => {
  const m = parseMount(v);
  return 'problem' in m ? m.problem : undefined;
};

describe('parseMount: the fields', () => {
  it('reads type, source and target under each of their names; the type defaults to volume', () => {
    expect(spec('type=bind,source=/a,target=/b')).toMatchObject({ type: 'bind', source: '/a', target: '/b', readOnly: false, hostPaths: ['/a'] });
    expect(spec('type=bind,src=/a,dst=/b')).toMatchObject({ source: '/a', target: '/b' });
    expect(spec('type=bind,src=/a,destination=/b')).toMatchObject({ target: '/b' });
    expect(spec('src=cache,dst=/c')).toMatchObject({ type: 'volume', source: 'cache', hostPaths: [] });
    expect(spec('type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770')).toMatchObject({ type: 'tmpfs', hostPaths: [] });
  });

  it('readonly and ro: alone, or with a value as Go reads booleans; anything else is refused, as Docker refuses it', () => {
    for (const on of ['readonly', 'ro', 'readonly=true', 'ro=1', 'readonly=TRUE', 'readonly=True', 'ro=t', 'ro=T']) {
      expect({ on, ro: spec(`type=bind,src=/a,dst=/b,${on}`).readOnly }).toEqual({ on, ro: true });
    }
    for (const off of ['readonly=false', 'ro=0', 'readonly=FALSE', 'ro=f']) {
      expect({ off, ro: spec(`type=bind,src=/a,dst=/b,${off}`).readOnly }).toEqual({ off, ro: false });
    }
    for (const bad of ['readonly=', 'readonly=yes', 'ro=tRuE', 'readonly=constructor']) {
      expect(problem(`type=bind,src=/a,dst=/b,${bad}`), bad).toBeDefined();
    }
    // The last of a repeated key wins.
    expect(spec('type=bind,src=/a,dst=/b,readonly,readonly=false').readOnly).toBe(false);
  });

  it('a repeated source: Docker binds the last one, and so does hermit read it', () => {
    expect(spec('type=bind,source=/home/u/x,source=/etc,target=/b').hostPaths).toEqual(['/etc']);
  });

  it('keys are matched without case (Docker lowercases them)', () => {
    expect(spec('Type=bind,Source=/etc,Target=/e,RO')).toMatchObject({ type: 'bind', source: '/etc', readOnly: true });
  });

  it('a bind source starting with "." is a host path (the CLI resolves it against its working directory)', () => {
    expect(spec('type=bind,source=./src,target=/src').hostPaths).toEqual(['./src']);
    expect(spec('type=bind,source=.,target=/src').hostPaths).toEqual(['.']);
  });

  it("bind and volume options: bind-propagation and the rest pass; a local volume's device is a host path", () => {
    expect(spec('type=bind,src=/a,dst=/b,bind-propagation=rslave,bind-recursive=readonly,bind-create-src').hostPaths).toEqual(['/a']);
    expect(spec('type=volume,dst=/r,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/run,volume-nocopy')).toMatchObject({
      volumeOpts: { type: 'none', o: 'bind', device: '/run' }, hostPaths: ['/run'],
    });
    expect(spec('type=volume,src=v,dst=/r,volume-driver=local,volume-label=a=b,volume-subpath=x').hostPaths).toEqual([]);
  });

  it('refuses what Docker refuses: unknown keys, bare words, empty values, spaces around values, an empty value', () => {
    expect(problem('type=bind,src=/a,dst=/b,bogus=1')).toContain("unknown --mount option 'bogus=1'");
    expect(problem('type=bind,src=/a,dst=/b,shared')).toContain('unknown');
    expect(problem('type=bind,src=/a,dst=/b,type')).toContain('must be a key=value pair');
    expect(problem('type=bind,src= /a,dst=/b')).toBeDefined();
    expect(problem('type=bind,src=,dst=/b')).toBeDefined();
    expect(problem('   ')).toBe('the --mount value is empty');
  });
});

describe('parseMount: CSV as Go reads it', () => {
  it('a quoted field may hold commas and doubled quotes', () => {
    expect(spec('type=bind,"source=/a,b",target=/c').source).toBe('/a,b');
    expect(spec('type=bind,"source=/a""b",target=/c').source).toBe('/a"b');
  });
  it('a quote inside a field, text after a closing quote, or an open quote is refused', () => {
    expect(problem('type=bind,source="/a",target=/c')).toContain('not valid CSV');
    expect(problem('type=bind,"source=/a"x,target=/c')).toContain('not valid CSV');
    expect(problem('type=bind,"source=/a,target=/c')).toContain('not valid CSV');
  });
  it('a line break is refused: Docker would read only the first line', () => {
    expect(problem('type=bind,src=/home/u/x,dst=/x\nsrc=/etc')).toBe('the --mount value has a line break');
  });
});

describe('one reading for the isolation check and the binds', () => {
  it('readonly= (empty): Docker refuses the mount, so it binds nothing, and the isolation check says so', () => {
    const args = ['--mount', 'type=bind,src=/home/u/x,dst=/x,readonly='];
    expect(dockerArgBinds(args)).toEqual([]);
    expect(checkDockerArgs(args, 'dockerArgs')).toEqual([expect.stringContaining("--mount option 'readonly=' has an empty value")]);
  });
  it('a read-only bind is read-only in both', () => {
    const args = ['--mount', 'type=bind,src=/home/u/x,dst=/x,ro=1'];
    expect(dockerArgBinds(args)).toEqual([{ host: '/home/u/x', container: '/x', readOnly: true, text: '--mount type=bind,src=/home/u/x,dst=/x,ro=1' }]);
    expect(checkDockerArgs(args, 'dockerArgs')).toEqual([expect.stringContaining('list it under container.mounts instead')]);
  });
  it('a relative bind source is an unpinned bind too', () => {
    expect(checkDockerArgs(['--mount', 'type=bind,source=./src,target=/src'], 'dockerArgs')).toEqual([expect.stringContaining('list it under container.mounts instead')]);
  });
  it('a named volume is no bind', () => {
    expect(checkDockerArgs(['--mount', 'type=volume,src=cache,dst=/c,readonly'], 'dockerArgs')).toEqual([]);
  });
});
