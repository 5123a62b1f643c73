// Carries out the proxy part of a Plan (allowlist mode): the agent's internal network, squid.conf
// on the host, and the proxy container (create, connect to the internal network, start), or a
// reload (SIGHUP, as `squid -k reconfigure` sends) when only the list changed. Each step
// registers its undo.
import { chown, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HermitError } from '../errors.js';
import { PROXY_USER, type ProxyPlan, reconfigureArgs, rotateArgs } from '../plan/proxy.js';
import type { ProxyContainer } from '../profile/types.js';
import type { Step, Undo } from './apply.js';
import { type Command, type Runner, hostRunner, runOk } from './exec.js';

/** How long Squid may take to (re)load its configuration and listen. */
const READY_MS = 30_000;

/** The proxy container's commands, for --dry-run (squid.conf is shown beside them). */
export function proxyContainerCommands(pp: ProxyPlan): Command[] {
  const c = pp.container;
  if (c.kind === 'keep') return c.reload ? [{ file: 'docker', args: reconfigureArgs(pp.settings) }] : [];
  if (c.kind === 'start') return [{ file: 'docker', args: ['start', c.id] }];
  return [
    ...(c.remove ? [{ file: 'docker', args: ['rm', '--force', c.remove] }] : []),
    { file: 'docker', args: c.run.create },
    ...(c.run.connect ? [{ file: 'docker', args: c.run.connect }] : []),
    { file: 'docker', args: ['start', pp.settings.container] },
  ];
}

const size = (file: string) => stat(file).then((s) => s.size, () => 0);

/** A log larger than this is rotated (Squid keeps one older file), so an always-on proxy's logs stay bounded. */
const ROTATE_BYTES = 8 * 1024 * 1024;

/** Asks Squid to rotate its logs when one has grown past ROTATE_BYTES; run by `hermit run` and each guard pass. */
export async function rotateProxyLogs(proxy: ProxyContainer, logDir: string, runner: Runner = hostRunner): Promise<boolean> {
  const sizes = await Promise.all(['access.log', 'cache.log'].map((f) => size(join(logDir, f))));
  if (sizes.every((s) => s <= ROTATE_BYTES)) return false;
  await runOk(runner, { file: 'docker', args: rotateArgs(proxy) });
  return true;
}

/** Waits until Squid says it listens (in cache.log after `offset`) and accepts a connection. */
async function waitReady(pp: ProxyPlan, offset: number): Promise<void> {
  const log = join(pp.dirs.log, 'cache.log');
  const end = Date.now() + READY_MS;
  for (;;) {
    const all = await readFile(log, 'utf8').catch(() => '');
    // Shorter than before: Squid rotated it meanwhile, and all of it is new.
    const text = all.length >= offset ? all.slice(offset) : all;
    if (/Accepting (reverse-proxy )?HTTP Socket connections/.test(text) && await accepts(pp.settings.address, pp.readyPort)) return;
    if (/FATAL|ERROR: .*(configuration|parse)/i.test(text) || Date.now() > end) {
      const tail = text.trim().split('\n').slice(-8).join('\n    ');
      throw new HermitError('apply', `the proxy ${pp.settings.container} did not start listening${Date.now() > end ? ` within ${READY_MS / 1000} s` : ''}${tail ? `:\n    ${tail}` : ''}`,
        `See ${log} and: docker logs ${pp.settings.container}`);
    }
    await sleep(100);
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 1000 });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.once('timeout', () => done(false));
  });
}

/** Each changed file replaced atomically, its owner and mode set before it takes the final name
 * (a secret is never readable by anyone else, not even for a moment); undo puts the old one back. */
async function writeFiles(files: ProxyPlan['files'], undo: Undo[]): Promise<void> {
  for (const f of files.filter((x) => x.changed)) {
    // A folder of its own (the secrets' is apart from hermit's state): only the file's owner enters it.
    await mkdir(dirname(f.file), { recursive: true, mode: 0o700 });
    if (f.owner) { const [uid, gid] = f.owner.split(':').map(Number) as [number, number]; await chown(dirname(f.file), uid, gid); }
    const previous = await readFile(f.file).catch(() => undefined);
    const tmp = join(dirname(f.file), `.${basename(f.file)}.tmp`);
    await rm(tmp, { force: true });
    await writeFile(tmp, f.text, { mode: f.mode, flag: 'wx' });
    if (f.owner) { const [uid, gid] = f.owner.split(':').map(Number) as [number, number]; await chown(tmp, uid, gid); }
    await rename(tmp, f.file);
    undo.push({ what: `put back ${f.file}`, run: () => (previous === undefined ? rm(f.file, { force: true }) : writeFile(f.file, previous)) });
  }
}

/** squid.conf readable by the proxy user, replaced atomically (Squid may be reading the old one). */
async function writeConfig(pp: ProxyPlan, undo: Undo[]): Promise<void> {
  const [uid, gid] = PROXY_USER.split(':').map(Number) as [number, number];
  await mkdir(pp.dirs.config, { recursive: true, mode: 0o755 });
  await mkdir(pp.dirs.log, { recursive: true, mode: 0o750 });
  await chown(pp.dirs.log, uid, gid);
  await writeFiles(pp.files, undo);
  if (!pp.config.changed) return;
  const previous = await readFile(pp.config.file, 'utf8').catch(() => undefined);
  const tmp = join(dirname(pp.config.file), '.squid.conf.tmp');
  await writeFile(tmp, pp.config.text, { mode: 0o644 });
  await rename(tmp, pp.config.file);
  undo.push({
    what: `put back ${pp.config.file}`,
    run: () => (previous === undefined ? rm(pp.config.file, { force: true }) : writeFile(pp.config.file, previous, { mode: 0o644 })),
  });
}

/** The steps before the firewall: the internal network. */
export function proxyNetworkSteps(pp: ProxyPlan, undo: Undo[], changes: string[], runner: Runner): Step[] {
  const net = pp.network;
  return [{
    title: net.kind === 'create' ? `Create internal network ${net.args.at(-1)}` : 'Internal network unchanged',
    async run() {
      if (net.kind !== 'create') return;
      const name = net.args.at(-1)!;
      await runOk(runner, { file: 'docker', args: net.args });
      undo.push({ what: `remove network ${name}`, run: () => runOk(runner, { file: 'docker', args: ['network', 'rm', name] }) });
      changes.push(`created internal network ${name}`);
    },
  }];
}

/** The steps after the firewall: configuration, then the container (or a reload). */
export function proxySteps(pp: ProxyPlan, undo: Undo[], changes: string[], runner: Runner): Step[] {
  const c = pp.container;
  const name = pp.settings.container;
  return [{
    title: c.kind === 'keep' && !c.reload ? 'Proxy unchanged (running)' : `Proxy: ${c.reason}`,
    async run() {
      // Undos run in reverse: the old squid.conf goes back first, then Squid reloads it.
      if (c.kind === 'keep' && c.reload) undo.push({ what: `reload proxy ${name} with its previous configuration`, run: () => runOk(runner, { file: 'docker', args: reconfigureArgs(pp.settings) }) });
      await writeConfig(pp, undo);
      if (pp.config.changed) changes.push(`wrote ${pp.config.file}`);
      // Before measuring cache.log: a rotation starts a new one.
      if (c.kind === 'keep' && await rotateProxyLogs(pp.settings, pp.dirs.log, runner)) changes.push(`rotated the logs of proxy ${name}`);
      const offset = await size(join(pp.dirs.log, 'cache.log'));
      if (c.kind === 'keep') {
        if (!c.reload) return;
        await runOk(runner, { file: 'docker', args: reconfigureArgs(pp.settings) });
      } else if (c.kind === 'start') {
        await runOk(runner, { file: 'docker', args: ['start', c.id] });
        undo.push({ what: `stop proxy ${name}`, run: () => runOk(runner, { file: 'docker', args: ['stop', c.id] }) });
      } else {
        if (c.remove) await runOk(runner, { file: 'docker', args: ['rm', '--force', c.remove] });
        const id = (await runOk(runner, { file: 'docker', args: c.run.create })).trim();
        undo.push({ what: `remove proxy container ${name}`, run: () => runOk(runner, { file: 'docker', args: ['rm', '--force', id] }) });
        if (c.run.connect) await runOk(runner, { file: 'docker', args: c.run.connect });
        await runOk(runner, { file: 'docker', args: ['start', id] });
      }
      await waitReady(pp, offset);
      changes.push(c.reason);
    },
  }];
}
