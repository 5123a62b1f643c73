// Summarises `strace -f -tt -s 160 -e trace=execve,openat,connect,write,writev -o FILE` of one hermit
// command: every process it started (what, when, how long), every file it opened (and which twice),
// and every Engine API request hermit made (method and path, from the first bytes written to the
// socket; a docker CLI it started makes its own).
// Times are ms since the first traced line (hermit's own execve). strace slows every system call:
// read the counts and the order from here, the milliseconds from HERMIT_TIMING without strace.

export interface Summary {
  /** hermit's own process, from its execve to its exit. */
  totalMs?: number;
  spawns: { at: number; ms?: number; exit?: string; argv: string }[];
  files: { pid: number; at: number; path: string; write: boolean; byHermit: boolean }[];
  openedMoreThanOnce: { path: string; n: number }[];
  requests: { at: number; request: string }[];
}
interface Proc { pid: number; argv: string[]; start: number; end?: number; exit?: string }

const clock = (hms: string) => hms.split(':').map(Number).reduce((acc, x) => acc * 60 + x, 0) * 1000;
const unquote = (s: string): string => JSON.parse(`"${s.replace(/\\x([0-9a-f]{2})/g, '\\u00$1')}"`);

export function summarise(text: string): Summary {
  const lines = text.split('\n').filter(Boolean);
  const pending = new Map<number, string>(); // pid -> the head of an unfinished call
  const procs = new Map<number, Proc>();
  const files: { pid: number; at: number; path: string; write: boolean }[] = [];
  const requests: { pid: number; at: number; request?: string; connect?: string }[] = [];
  let t0: number | undefined;
  for (const raw of lines) {
    const m = /^(\d+)\s+(\d\d:\d\d:\d\d\.\d+) (.*)$/.exec(raw);
    if (!m) continue;
    const [, pidText, hms, rest0] = m as unknown as [string, string, string, string];
    const pid = Number(pidText);
    const t = clock(hms);
    t0 ??= t;
    const at = +(t - t0).toFixed(1);
    let rest = rest0;
    if (rest.endsWith('<unfinished ...>')) { pending.set(pid, rest.slice(0, -'<unfinished ...>'.length)); continue; }
    const resumed = /^<\.\.\. (\w+) resumed>(.*)$/.exec(rest);
    if (resumed) { rest = (pending.get(pid) ?? `${resumed[1]}(`) + resumed[2]; pending.delete(pid); }
    const exit = /^\+\+\+ (exited with|killed by) (\S+)/.exec(rest);
    if (exit) { const p = procs.get(pid); if (p) { p.end = at; p.exit = exit[2]; } continue; }
    const call = /^(\w+)\((.*)\)\s+= (-?\d+|\?)/.exec(rest);
    if (!call) continue;
    const [, name, args, ret] = call as unknown as [string, string, string, string];
    if (name === 'execve' && ret === '0') {
      const argv = [...args.matchAll(/"((?:[^"\\]|\\.)*)"/g)].slice(1).map((a) => unquote(a[1]!));
      const prev = procs.get(pid);
      // nsenter, env and the like exec the next program in the same process: one spawn, its chain.
      if (prev && prev.end === undefined) prev.argv.push('→', ...argv);
      else procs.set(pid, { pid, argv, start: at });
    } else if (name === 'openat' && Number(ret) >= 0) {
      const path = /^[^,]+, "((?:[^"\\]|\\.)*)"/.exec(args)?.[1];
      if (path) files.push({ pid, at, path: unquote(path), write: /O_WRONLY|O_RDWR|O_CREAT/.test(args) });
    } else if (name === 'connect') {
      const path = /sun_path="([^"]*)"/.exec(args)?.[1];
      if (path) requests.push({ pid, at, connect: path });
    } else if (name === 'write' || name === 'writev') {
      const http = /"((GET|POST|PUT|DELETE|HEAD) (\S+) HTTP\/1\.1)/.exec(args);
      if (http) requests.push({ pid, at, request: `${http[2]} ${http[3]!.replace(/^\/v[\d.]+/, '')}` });
    }
  }
  const main = [...procs.values()][0];
  // hermit's own: its process and its threads (libuv's pool), not the programs it started.
  const own = (pid: number) => pid === main?.pid || !procs.has(pid);
  const spawns = [...procs.values()].slice(1).map((p) => ({ at: p.start, ms: p.end === undefined ? undefined : +(p.end - p.start).toFixed(1), exit: p.exit, argv: p.argv.join(' ') }));
  const byPath = new Map<string, number>();
  for (const f of files) if (own(f.pid)) byPath.set(f.path, (byPath.get(f.path) ?? 0) + 1);
  return {
    totalMs: main?.end,
    spawns,
    files: files.map((f) => ({ ...f, byHermit: own(f.pid) })),
    openedMoreThanOnce: [...byPath].filter(([, n]) => n > 1).map(([path, n]) => ({ path, n })),
    requests: requests.filter((r) => r.request && own(r.pid)).map((r) => ({ at: r.at, request: r.request! })),
  };
}
