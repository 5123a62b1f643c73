// Finds a profile file from what the user typed. A path is taken as is; a name is looked up in
// order, first match wins:
//   project  .hermit/<name>.yaml, or hermit.yaml whose `name:` is <name>, in the current
//            directory, then each parent (the nearest wins)
//   user     $XDG_CONFIG_HOME/hermit/profiles (default ~/.config), and under sudo the invoking
//            user's ~/.config/hermit/profiles as well
//   system   /etc/hermit/profiles
//   builtin  the profiles/ folder shipped with hermit
import { BUILTIN_PROFILES_DIR } from '../paths.js';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { HermitError } from '../errors.js';
import { type Env, type HomeOf, passwdHome, sudoUserHome } from './host-env.js';

export const BUILTIN_PROFILES = BUILTIN_PROFILES_DIR;
export const SYSTEM_PROFILES = '/etc/hermit/profiles';
export const PROJECT_DEFAULT = 'hermit.yaml';

/** recorded: not in the lookup order, but the file hermit last ran a profile of that name from. */
export type SourceKind = 'path' | 'recorded' | 'project' | 'user' | 'system' | 'builtin';

/** How a source is named to people. */
export const KIND_WORDS: Record<SourceKind, string> = { path: 'path', recorded: 'last run from', project: 'project', user: 'user', system: 'system', builtin: 'built-in' };

export interface ProfileSource {
  kind: SourceKind;
  /** Absolute path of the file. */
  file: string;
  /** The name it is found by (the file's stem; for hermit.yaml, its `name:`). */
  name: string;
  /** hermit.yaml: the project's default profile. */
  projectDefault?: boolean;
  /** Found by name: the files of the same name later in the lookup order, which this one hides. */
  shadows?: ProfileSource[];
}

/** The sources in the order of how far they are trusted: a project file is the agent's workspace. */
const TRUST_RANK: Record<SourceKind, number> = { path: 0, recorded: 0, project: 0, user: 1, system: 2, builtin: 3 };

/** The more trusted files a project or user file hides (a project file over the built-in one, say);
 * a system file over a built-in one is the administrator's choice. */
export const hidesMoreTrusted = (s: ProfileSource) =>
  (TRUST_RANK[s.kind] >= TRUST_RANK.system ? [] : (s.shadows ?? []).filter((o) => TRUST_RANK[o.kind] > TRUST_RANK[s.kind]));

/** Where to look; everything but cwd defaults to this host's places. */
export interface Places {
  cwd: string;
  env: Env;
  homeOf?: HomeOf;
  system?: string;
  builtin?: string;
}

export const hostPlaces = (cwd = process.cwd(), env: Env = process.env): Places => ({ cwd, env });

/** A file as shown to people: relative to the current directory when inside it, else absolute. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export const isPathArg = (arg: string) => arg.includes('/') || /\.ya?ml$/.test(arg);

/** The user's profile folders, in lookup order, without duplicates. */
export function userDirs(env: Env, homeOf: HomeOf = passwdHome): string[] {
  const dirs = [
    env.XDG_CONFIG_HOME || (env.HOME && path.join(env.HOME, '.config')),
    // Under sudo the invoking user's folder too, since HOME (and so the line above) is root's.
    sudoUserHome(env, homeOf) && path.join(sudoUserHome(env, homeOf)!, '.config'),
  ].filter((d): d is string => typeof d === 'string' && path.isAbsolute(d));
  return [...new Set(dirs.map((d) => path.join(d, 'hermit', 'profiles')))];
}

/** The current directory and each parent up to the root. */
function ancestors(cwd: string): string[] {
  const out: string[] = [];
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    out.push(dir);
    if (path.dirname(dir) === dir) return out;
  }
}

/** The `name:` a profile file declares, read cheaply; undefined if it has none or cannot be read. */
export function declaredName(file: string): string | undefined {
  try {
    const name = parseDocument(readFileSync(file, 'utf8')).get('name');
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** The named-profile folders after the project's, in order. */
function sharedDirs(places: Places): { kind: SourceKind; dir: string }[] {
  return [
    ...userDirs(places.env, places.homeOf).map((dir) => ({ kind: 'user' as const, dir })),
    { kind: 'system', dir: places.system ?? SYSTEM_PROFILES },
    { kind: 'builtin', dir: places.builtin ?? BUILTIN_PROFILES },
  ];
}

const isFile = (f: string) => {
  try {
    return statSync(f).isFile();
  } catch {
    return false;
  }
};

const realOf = (f: string) => {
  try {
    return realpathSync(f);
  } catch {
    return path.resolve(f);
  }
};

/**
 * Every file a name could come from, in lookup order. `skip` leaves one file out: a profile that
 * extends its own name (.hermit/claude-agent.yaml with `extends: claude-agent`) means the next one.
 */
function candidates(name: string, places: Places, opts: FindOptions): { found: ProfileSource[]; looked: string[] } {
  const found: ProfileSource[] = [];
  const skipReal = opts.skip && realOf(opts.skip);
  const consider = (s: ProfileSource) => {
    if (isFile(s.file) && realOf(s.file) !== skipReal) found.push(s);
  };
  if (!opts.sharedOnly) {
    for (const dir of ancestors(places.cwd)) {
      consider({ kind: 'project', file: path.join(dir, '.hermit', `${name}.yaml`), name });
      const def = path.join(dir, PROJECT_DEFAULT);
      if (isFile(def) && declaredName(def) === name) consider({ kind: 'project', file: def, name, projectDefault: true });
    }
  }
  const shared = sharedDirs(places).map(({ kind, dir }) => ({ kind, file: path.join(dir, `${name}.yaml`), name }));
  shared.forEach(consider);
  const looked = [...(opts.sharedOnly ? [] : [`.hermit/${name}.yaml, or ${PROJECT_DEFAULT} with name: ${name}, in ${places.cwd} and each parent`]), ...shared.map((s) => s.file)];
  return { found, looked };
}

export interface FindOptions {
  /** Leave this file out (a profile that extends its own name means the next one). */
  skip?: string;
  /** Only the user's, the system's and the built-in profiles, never a project's (the agent's
   * workspace): for `hermit init`, which copies text from the profile it finds. A path must lie in
   * one of those folders too. */
  sharedOnly?: boolean;
}

/** A profile argument (path or name) to the file it stands for, and where that file came from. */
export function findProfile(arg: string, places: Places = hostPlaces(), opts: FindOptions = {}): ProfileSource {
  if (isPathArg(arg)) {
    const file = path.resolve(places.cwd, arg);
    if (!isFile(file)) throw new HermitError('usage', `profile file ${file} does not exist`, 'Check the path, or give a profile name: hermit profiles list');
    if (opts.sharedOnly && !sharedDirs(places).some(({ dir }) => realOf(file).startsWith(`${realOf(dir)}/`))) {
      throw new HermitError('usage', `${file} is not in a folder of your own, the system's or hermit's profiles (${sharedDirs(places).map((d) => d.dir).join(', ')})`,
        'Give the name of such a profile (hermit profiles list), or copy the file into ~/.config/hermit/profiles first');
    }
    return { kind: 'path', file, name: path.basename(file).replace(/\.ya?ml$/, '') };
  }
  const { found, looked } = candidates(arg, places, opts);
  const first = found[0];
  if (!first) {
    throw new HermitError('usage', `no profile named '${arg}'; looked in:\n    ${looked.join('\n    ')}`,
      `See what there is with: hermit profiles list; or start one with: hermit init ${arg}`);
  }
  return { ...first, shadows: found.slice(1) };
}

/** The project's default profile: the nearest hermit.yaml in the current directory or a parent. */
export function findProjectDefault(places: Places = hostPlaces()): ProfileSource {
  for (const dir of ancestors(places.cwd)) {
    const file = path.join(dir, PROJECT_DEFAULT);
    if (isFile(file)) return { kind: 'project', file, name: declaredName(file) ?? PROJECT_DEFAULT, projectDefault: true };
  }
  throw new HermitError('usage', `no profile named, and no ${PROJECT_DEFAULT} in ${places.cwd} or a parent`,
    'Name a profile (hermit profiles list shows them), or write one for this project with: hermit init');
}

/** Compatibility: the file a profile argument stands for. */
export function resolveProfile(arg: string, cwd = process.cwd()): string {
  return findProfile(arg, hostPlaces(cwd)).file;
}

export interface ListedProfile extends ProfileSource {
  /** A profile found earlier under the same name hides this one. */
  shadowed: boolean;
}

/** Every profile reachable by name, in lookup order; later ones under an earlier name are shadowed. */
export function listProfiles(places: Places = hostPlaces()): ListedProfile[] {
  const all: ProfileSource[] = [];
  const yamlIn = (dir: string) => {
    try {
      return readdirSync(dir).filter((f) => f.endsWith('.yaml') && isFile(path.join(dir, f))).sort();
    } catch {
      return [];
    }
  };
  for (const dir of ancestors(places.cwd)) {
    for (const f of yamlIn(path.join(dir, '.hermit'))) all.push({ kind: 'project', file: path.join(dir, '.hermit', f), name: f.slice(0, -5) });
    const def = path.join(dir, PROJECT_DEFAULT);
    if (isFile(def)) all.push({ kind: 'project', file: def, name: declaredName(def) ?? `(${PROJECT_DEFAULT} without a name)`, projectDefault: true });
  }
  for (const { kind, dir } of sharedDirs(places)) for (const f of yamlIn(dir)) all.push({ kind, file: path.join(dir, f), name: f.slice(0, -5) });
  const seen = new Set<string>();
  return all.map((s) => {
    const shadowed = seen.has(s.name);
    seen.add(s.name);
    return { ...s, shadowed };
  });
}

/** The project's own profile files (nearest project only), for `hermit validate` without arguments. */
export function projectProfiles(places: Places = hostPlaces()): string[] {
  for (const dir of ancestors(places.cwd)) {
    const def = path.join(dir, PROJECT_DEFAULT);
    const hermitDir = path.join(dir, '.hermit');
    const files = [
      ...(isFile(def) ? [def] : []),
      ...(existsSync(hermitDir) ? readdirSync(hermitDir).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(hermitDir, f)) : []),
    ].filter(isFile);
    if (files.length > 0) return files;
  }
  return [];
}
