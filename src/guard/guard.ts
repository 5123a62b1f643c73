// The drift guard: verify (pure, verify.ts) → restore through the apply layer → probe from
// inside → stop the container when the guarantee cannot be restored. One timestamped line per
// finding and action.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type FirewallChange, firewallCommand, firewallFor } from '../firewall/index.js';
import { restoreRecordedRules } from '../apply/firewall.js';
import { rotateProxyLogs } from '../apply/proxy.js';
import { join } from 'node:path';
import { proxyDir } from '../plan/proxy.js';
import { proxyContainerOf } from '../plan/egress.js';
import { type Runner, hostRunner } from '../apply/exec.js';
import { stopFailClosed, stoppedWhat } from '../apply/stop.js';
import { type SharedFacts, besideOf, container as inspectContainer, profileFacts, sharedFacts } from '../host/read.js';
import { HermitError } from '../errors.js';
import type { ExistingContainer, HostFacts } from '../plan/host-facts.js';
import { planProbe } from '../plan/targets.js';
import { classify } from '../probe/classify.js';
import { retryOutage } from '../probe/retry.js';
import { consequence, couldNotRun, describeJudgement, judge } from '../probe/judgement.js';
import { probeContainer } from '../probe/run.js';
import { NESTED_ROW, nestedNetnsPid, nestedPath, withNested } from '../probe/nested.js';
import type { ProbePlan, ProbeReport, ProbeResponse } from '../probe/types.js';
import { approve, enforcedVersion } from '../profile/approval.js';
import { printableLine } from '../report/printable.js';
import type { LoadedProfile, Profile } from '../profile/types.js';
import { bindFacts, bootBind } from '../apply/binds.js';
import { pinnedMounts } from '../plan/binds.js';
import { withHostLock } from '../state/lock.js';
import { lastProbe, recordProbe, recordRules, recordVerified, recordedProfiles, savedBinds, savedRules, stateDir } from '../state/store.js';
import { type Drift, type Findings, describeDrift, verify, wantedRulesets } from './verify.js';

export type Log = (line: string) => void;
export const stdoutLog: Log = (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

export interface PassResult {
  profile: string;
  /** The guarantee holds (verified, or restored and proven); false when the container was stopped or is left unprotected. */
  ok: boolean;
  stopped: boolean;
  /** Not ok only because of an outage (a must-reach target or resolver did not answer; nothing
   * blocked was reachable); the container keeps running unless probe.onOutage says stop. */
  outage?: boolean;
}

const ms = (t0: number) => `${Date.now() - t0} ms`;

/**
 * What a pass acts through: the host's reads, the runner for every command it runs (restores,
 * disconnects, the fail-closed stop), and the probe. The host's by default; unit tests pass a
 * recording fake runner and canned reads (test/unit/guard-pass.test.ts).
 */
export interface GuardIo {
  runner: Runner;
  /** The host's facts, read once for every profile of a pass. */
  shared(): Promise<SharedFacts>;
  /** One profile's own facts (its container, proxy, pinned binds) added to the shared ones. */
  own(profile: Profile, shared: SharedFacts): Promise<HostFacts>;
  probe(pid: number, plan: ProbePlan): Promise<ProbeResponse>;
  inspect(id: string): Promise<ExistingContainer | undefined>;
  /** `docker:`: the host pid of the engine's dockerd namespace (probe/nested.ts nestedNetnsPid). */
  nestedPid(enginePid: number): Promise<number | undefined>;
}

export const hostIo: GuardIo = {
  runner: hostRunner,
  shared: sharedFacts,
  own: guardFacts,
  probe: (pid, plan) => probeContainer(pid, plan),
  inspect: (id) => inspectContainer(id),
  nestedPid: nestedNetnsPid,
};

async function stopContainer(id: string, name: string, why: string, log: Log, runner: Runner): Promise<boolean> {
  const r = await stopFailClosed(id, runner);
  if (r.withFailed) log(`FAILED to stop ${r.with.join(', ')} (in the network namespace of ${name}): ${r.withFailed}`);
  log(r.failed ? `FAILED to stop container ${name}: ${r.failed} (was stopping because: ${why})` : `STOPPED ${stoppedWhat(name, r)} (${r.with.length > 0 ? 'restart policies' : 'restart policy'} set to "no"): ${why}`);
  return !r.failed;
}

const RESTORE_ATTEMPTS = 3;
/** Probes at once in a pass over many profiles (each is a process in a container's netns). */
const PROBES_AT_ONCE = 4;

type RulesDrift = Extract<Drift, { kind: 'rules' }>;
const isRules = (d: Drift): d is RulesDrift => d.kind === 'rules';
const fixable = (d: Drift) => d.kind === 'rules' || d.kind === 'extra-network';

/** One profile in a pass: what was read and found, and the lines the pass wrote about it. */
interface Item {
  loaded: LoadedProfile;
  read?: { facts: HostFacts; findings: Findings };
  /** Why it could not be verified (a read failed): retried on the next trigger. */
  failed?: string;
  actions: string[];
  note: Log;
}
type ReadItem = Item & { read: { facts: HostFacts; findings: Findings } };

const nameOf = (g: Item) => g.loaded.profile.name;
const firstLine = (e: unknown) => (e as Error).message.split('\n')[0]!;

/** What a pass verifies: the host's facts, read once for all profiles, and the profile's own (its container, proxy, pinned binds). */
async function guardFacts(profile: Profile, shared: SharedFacts): Promise<HostFacts> {
  const facts = await profileFacts(shared, profile.container.name, undefined, { ...besideOf(profile), keys: false });
  return { ...facts, binds: bindFacts(pinnedMounts(profile, stateDir())) };
}

/** One read of the host for all the items, their own facts concurrently, each verified. */
async function readAndVerify(items: Item[], io: GuardIo): Promise<void> {
  const shared = await io.shared();
  await Promise.all(items.map(async (g) => {
    try {
      const facts = await io.own(g.loaded.profile, shared);
      g.read = { facts, findings: verify(g.loaded.profile, facts, await lastProbe(nameOf(g))) };
      delete g.failed;
    } catch (e) {
      g.failed = firstLine(e);
    }
  }));
}

/** Items that were read and are hermit's to guard (not absent, not a foreign container). */
const guarded = (items: Item[]): ReadItem[] =>
  items.filter((g): g is ReadItem => !g.failed && !!g.read && !g.read.findings.foreign && !g.read.findings.absent);

/** The rule changes each item needs, by its drifts (only those of the named kinds, when given). */
const rulesFixes = (items: ReadItem[], only?: Map<Item, Set<string>>): Map<Item, FirewallChange[]> =>
  new Map(items
    .map((g) => [g, g.read.findings.drifts.filter(isRules).map((d) => d.fix).filter((f) => only?.get(g)?.has(f.what) ?? true)] as const)
    .filter(([, fixes]) => fixes.length > 0));

/**
 * Restores every drifted profile's rules together: one transaction per command its backend runs
 * (Firewall.combine), planned from one read of the host. dockerd programs its own rules (a new
 * network's, its DOCKER-USER jump moved back on top) in several steps without hermit's lock, so
 * the dump can change between reading and restoring: then read, plan and restore again. The last
 * attempt restores profile by profile, so one profile whose rules cannot go back does not hold back
 * the others. A restore that still fails is not thrown: the verification after it finds the drift
 * and stops the container.
 */
async function restoreRules(items: ReadItem[], log: Log, io: GuardIo): Promise<void> {
  let pending = rulesFixes(items);
  for (let attempt = 1; pending.size > 0; attempt++) {
    const whose = new Map<FirewallChange, Item>([...pending].flatMap(([g, fixes]) => fixes.map((f) => [f, g] as const)));
    const all = [...whose.keys()];
    const alone = attempt === RESTORE_ATTEMPTS && pending.size > 1;
    const transactions = alone
      ? all.map((c) => ({ change: c, parts: [c] }))
      : [...new Set(all.map((c) => c.backend))].flatMap((b) => firewallFor(b).combine(all.filter((c) => c.backend === b)));
    const failed = new Map<Item, Set<string>>();
    for (const { change, parts } of transactions) {
      const t0 = Date.now();
      const r = await io.runner.run(firewallCommand(change, change.payload!)).catch((e: unknown) => ({ exitCode: 1, stderr: (e as Error).message }));
      const names = [...new Set(parts.map((c) => nameOf(whose.get(c)!)))];
      if (r.exitCode === 0 && names.length > 1) log(`restored ${change.what} of ${names.length} profiles in one transaction in ${ms(t0)}: ${names.join(', ')}`);
      for (const c of parts) {
        const g = whose.get(c)!;
        if (r.exitCode === 0) { g.note(`${nameOf(g)}: restored ${c.what} in ${ms(t0)}: ${c.changes.join(', ')}`); continue; }
        g.note(`${nameOf(g)}: FAILED to restore ${c.what}${attempt < RESTORE_ATTEMPTS ? ' (the table changed meanwhile? reading it again)' : ''}: ${r.stderr.trim()}`);
        failed.set(g, (failed.get(g) ?? new Set()).add(c.what));
      }
    }
    if (attempt === RESTORE_ATTEMPTS || failed.size === 0) return;
    // Read again; what the restore left is verified again by the caller.
    const again = [...failed.keys()];
    await readAndVerify(again, io);
    pending = rulesFixes(guarded(again), failed);
  }
}

/** The container's other networks, disconnected: paths around the bridge's rules. */
async function disconnectExtra(g: ReadItem, runner: Runner): Promise<void> {
  const c = g.read.findings.container;
  for (const d of g.read.findings.drifts) {
    if (d.kind !== 'extra-network' || !c) continue;
    for (const net of d.networks) {
      const r = await runner.run({ file: 'docker', args: ['network', 'disconnect', '--force', net, c.id] });
      g.note(r.exitCode === 0 ? `${nameOf(g)}: disconnected ${c.name} from network ${net}` : `${nameOf(g)}: could not disconnect ${c.name} from ${net}: ${r.stderr.trim()}`);
    }
  }
}

/**
 * Verifies every profile from one read of the host, and restores what can be restored, under the
 * host lock once; each item is left with what is still wrong.
 */
async function verifyAndRestore(items: Item[], log: Log, io: GuardIo): Promise<void> {
  await withHostLock(async () => {
    await readAndVerify(items, io);
    const drifted = guarded(items).filter((g) => g.read.findings.drifts.some((x) => x.kind !== 'unproven'));
    if (drifted.length > 1) log(`${drifted.length} profiles drifted, found in one read of the host: ${drifted.map(nameOf).join(', ')}`);
    for (const g of drifted) for (const d of g.read.findings.drifts.filter((x) => x.kind !== 'unproven')) g.note(`${nameOf(g)}: DRIFT ${describeDrift(d)}`);
    // What changed while restoring (a network connected, dockerd moving its own jump) gets a second
    // round instead of being taken as beyond repair.
    for (let round = 0; round < 2; round++) {
      const todo = guarded(items).filter((g) => g.read.findings.drifts.some(fixable));
      if (todo.length === 0) break;
      if (round > 0) for (const g of todo) for (const d of g.read.findings.drifts.filter(fixable)) g.note(`${nameOf(g)}: DRIFT ${describeDrift(d)}`);
      await restoreRules(todo, log, io);
      for (const g of todo) await disconnectExtra(g, io.runner);
      await readAndVerify(todo, io);
      // Rules the restore wrote are already gone: something is fighting hermit. Save them for boot anyway.
      for (const g of guarded(todo)) if (g.read.findings.drifts.some(isRules)) g.note(`${nameOf(g)}: rules still differ right after restoring them (another firewall manager rewriting them?)`);
    }
    // Keep what boot restores in step with what is applied: written only when it changed (as `hermit
    // run` does), so a pass over an unchanged profile leaves rules.json and its time alone.
    for (const g of guarded(items)) {
      const { facts, findings } = g.read;
      if (!findings.drifts.some((d) => d.kind === 'rules' || d.kind === 'fatal')) {
        const name = nameOf(g);
        await recordRules(name, g.loaded.file, facts.firewall.backend, wantedRulesets(g.loaded.profile, facts), await savedRules(name)).catch(() => undefined);
      }
    }
  });
}

/**
 * One verification pass over the profiles: verify them all from one read of the host, restore
 * every drifted profile's rules together, then prove each (a few probes at once), and stop a
 * container whose guarantee does not hold.
 */
export async function guardPass(profiles: LoadedProfile[], by: string, log: Log, io: GuardIo = hostIo): Promise<PassResult[]> {
  const t0 = Date.now();
  const items = profiles.map((loaded): Item => {
    const actions: string[] = [];
    return { loaded, actions, note: (line) => { actions.push(line); log(line); } };
  });
  try {
    await verifyAndRestore(items, log, io);
  } catch (e) {
    for (const g of items) g.failed ??= firstLine(e);
  }
  return inTurn(items, PROBES_AT_ONCE, async (g) => {
    try {
      if (g.failed || !g.read) throw new Error(g.failed ?? 'not read');
      return await settle(g as ReadItem, by, t0, log, io);
    } catch (e) {
      log(`${nameOf(g)}: verification failed: ${g.failed ?? firstLine(e)} (retrying on the next trigger)`);
      return { profile: nameOf(g), ok: false, stopped: false };
    }
  });
}

/** `f` over `xs`, at most `n` at once; results in the order of `xs`. */
async function inTurn<T, R>(xs: T[], n: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(xs.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, xs.length) }, async () => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await f(xs[i]!);
    }
  }));
  return out;
}

/** After the restore: prove the profile's isolation, or stop its container when it does not hold. */
async function settle(g: ReadItem, by: string, t0: number, log: Log, io: GuardIo): Promise<PassResult> {
  const { profile, file } = g.loaded;
  const { facts, findings } = g.read;
  const { actions, note } = g;
  if (findings.absent) return { profile: profile.name, ok: true, stopped: false };
  if (findings.foreign) {
    log(`${profile.name}: container ${profile.container.name} was not started by hermit for this profile; left alone`);
    return { profile: profile.name, ok: false, stopped: false };
  }

  const c = findings.container;
  const remaining = findings.drifts.filter((d) => d.kind !== 'unproven');
  const running = !!c && (c.running || c.status === 'restarting');
  let ok = remaining.length === 0;
  let stopped = false;
  let proven = false;
  let outage = false;
  if (!ok && c && running) {
    stopped = await stopContainer(c.id, c.name, remaining.map(describeDrift).join('; '), note, io.runner);
  } else if (!ok) {
    note(`${profile.name}: cannot restore the guarantee: ${remaining.map(describeDrift).join('; ')}`);
  } else if (c?.running && (actions.length > 0 || findings.drifts.some((d) => d.kind === 'unproven'))) {
    const why = actions.length > 0 ? 'after restoring' : findings.drifts.find((d): d is Extract<Drift, { kind: 'unproven' }> => d.kind === 'unproven')!.reason;
    const tp = Date.now();
    const plan = planProbe(profile, facts);
    const nested = nestedProber(g, plan, io);
    const probeOnce = (pid: number) => io.probe(pid, plan).then((res) => nested(classify(plan, res, { container: c.name, profile: profile.name })));
    // An outage is probed again (bounded backoff) before it counts; a breach is final at once.
    let pid = c.pid;
    const settled = await retryOutage(
      () => probeCurrentProcess(c.id, pid, (p) => { pid = p; return probeOnce(p); }, note, profile.name, io.inspect),
      (probed) => ('report' in probed ? judge(probed.report) : 'failed' in probed ? couldNotRun(probed.failed) : undefined),
      profile.probe.outageRetrySec,
      (j, attempt, waitMs) => log(`${profile.name}: probe (${why}) attempt ${attempt}: ${describeJudgement(j)}; probing again in ${waitMs / 1000} s`),
    );
    const probed = settled.value;
    // A container that stopped during the pass has nothing to prove; its next start triggers a pass.
    if (!('notRunning' in probed)) {
      const j = settled.judgement!;
      const report = 'report' in probed ? probed.report : undefined;
      if (report) await recordProbe(file, c.id, report, c.netns).catch(() => undefined);
      const tries = settled.attempts > 1 ? ` after ${settled.attempts} attempts` : '';
      const fromEngine = report?.rows.filter((r) => r.id.startsWith(NESTED_ROW)).length ?? 0;
      const checks = `${report?.rows.length} checks${fromEngine > 0 ? ` (${fromEngine} of them on the docker engine's nested path)` : ''}`;
      note(`${profile.name}: probe (${why}) ${j.kind === 'proven' ? `ok, ${checks}` : describeJudgement(j)}${tries} in ${ms(tp)}`);
      proven = j.kind === 'proven';
      if (!proven) {
        ok = false;
        outage = j.kind === 'outage';
        const then = consequence(j, profile.probe);
        if (then.stop) stopped = await stopContainer(c.id, c.name, `${describeJudgement(j)}${then.because ? ` (the profile says ${then.because})` : ''}`, note, io.runner);
        else note(`${profile.name}: WARNING: container left running because the profile says ${then.because}`);
      }
    }
  }
  if (ok && actions.length > 0) note(`${profile.name}: guarantee restored${proven ? ' and proven' : ''}, ${ms(t0)} after the pass began`);
  if (ok && c?.running) await followAgent(g, io.runner);
  // Allowlist mode: an always-on proxy's logs stay bounded.
  const proxy = proxyContainerOf(profile);
  if (proxy && ok) await rotateProxyLogs(proxy, join(proxyDir(stateDir(), profile.name), 'log'), io.runner).catch((e: unknown) => log(`${profile.name}: could not rotate the proxy's logs: ${(e as Error).message}`));
  await recordVerified({ profile: profile.name, by, ok, actions }).catch(() => undefined);
  return { profile: profile.name, ok, stopped, ...(outage && !stopped ? { outage } : {}) };
}

/** How long after its start a pass waits for the engine to make its dockerd's namespace. */
const ENGINE_STARTUP_MS = 60_000;

/**
 * `docker:`: the agent's report with the nested path's rows joined (probe/nested.ts says where and
 * what, as for run and probe), so a breach there is a breach of the pass. An engine the agent's
 * restart left in its old namespace is not probed: followAgent restarts it after the agent is
 * proven, and its start triggers a pass that proves it (verify: started after the last probe).
 * A running engine whose namespace is not found throws: the probe could not run, nothing is proven.
 */
function nestedProber(g: ReadItem, plan: ProbePlan, io: GuardIo): (agent: ProbeReport) => Promise<ProbeReport> {
  const { profile } = g.loaded;
  let told = false;
  return async (agent) => {
    if (!profile.docker) return agent;
    if (g.read.facts.engine?.netnsStale) {
      if (!told) g.note(`${profile.name}: the nested path is not probed while docker engine ${profile.docker.container} is in the agent's old network namespace (it is restarted, and proven when it starts)`);
      told = true;
      return agent;
    }
    const lookup = { inspect: io.inspect, findPid: (pid: number) => io.nestedPid(pid), startupMs: ENGINE_STARTUP_MS };
    for (let attempt = 1; ; attempt++) {
      const path = await nestedPath(profile, plan, lookup);
      if (path.kind === 'none') return agent;
      if (path.kind === 'missing') throw new Error(path.why);
      try {
        const res = await io.probe(path.pid, path.plan);
        return withNested(agent, classify(path.plan, res, { container: path.container, profile: profile.name }));
      } catch (e) {
        // The engine restarted meanwhile (its namespace's process is gone): look it up once more.
        if (attempt > 1 || processAlive(path.pid)) throw e;
      }
    }
  };
}

/** `docker:`: an agent that restarted (its restart policy, `docker restart`) left the engine in its
 * old network namespace, where nested containers have no way out: restart the engine, which
 * joins the agent's current one. */
async function followAgent(g: ReadItem, runner: Runner): Promise<void> {
  const engine = g.read.facts.engine?.container;
  if (!engine || !g.read.facts.engine?.netnsStale) return;
  const r = await runner.run({ file: 'docker', args: ['restart', '--time', '5', engine.id] }).catch((e: unknown) => ({ exitCode: 1, stderr: (e as Error).message }));
  g.note(r.exitCode === 0
    ? `${nameOf(g)}: restarted docker engine ${engine.name}: the agent restarted and had left it in its old network namespace`
    : `${nameOf(g)}: could not restart docker engine ${engine.name} after the agent's restart: ${r.stderr.trim()}`);
}

/** What probing the container's current process came to. */
export type Probed = { report: ProbeReport } | { notRunning: true } | { failed: string };

const processAlive = (pid: number) => pid > 0 && existsSync(`/proc/${pid}`);

/**
 * Probes the container's current process. The container may stop or restart between reading the
 * facts and probing (`docker restart`, its restart policy, a daemon restart): then the pid read is
 * gone, and for a moment Docker may still report it. While the process is gone, wait for Docker's
 * view to settle: a new process is probed; a container that is no longer running has nothing to
 * prove (its next start is a Docker event, which triggers a pass). A probe that fails while its
 * process is alive is a failed probe.
 */
export async function probeCurrentProcess(
  id: string, pid: number, probe: (pid: number) => Promise<ProbeReport>, note: Log, name: string,
  inspect: (id: string) => Promise<ExistingContainer | undefined> = inspectContainer,
): Promise<Probed> {
  const settleBy = Date.now() + 10_000;
  for (;;) {
    try {
      return { report: await probe(pid) };
    } catch (e) {
      const why = (e as Error).message;
      if (processAlive(pid)) return { failed: why };
      for (;;) {
        await sleep(250);
        const now = await inspect(id).catch(() => undefined);
        if (!now || (!now.running && now.status !== 'restarting')) {
          note(`${name}: the container stopped during the pass (${now ? now.status : 'removed'}); nothing to probe until it starts again`);
          return { notRunning: true };
        }
        if (now.running && now.pid !== pid && processAlive(now.pid)) {
          note(`${name}: the container restarted during the pass (pid ${pid} → ${now.pid}); probing its new process`);
          pid = now.pid;
          break;
        }
        if (Date.now() > settleBy) return { failed: `${why} (Docker still reports it ${now.status} after 10 s)` };
      }
    }
  }
}

/** The profiles to guard: those named, or every profile hermit has recorded a file for; each in
 * the version the guard may enforce (see guardedVersion). */
export async function guardedProfiles(args: string[], load: (arg: string) => LoadedProfile, log: Log): Promise<LoadedProfile[]> {
  const out: LoadedProfile[] = [];
  const keep = async (loaded: LoadedProfile) => {
    const version = await guardedVersion(loaded, log);
    if (version) out.push(version);
  };
  if (args.length > 0) {
    for (const a of args) await keep(load(a));
    return out;
  }
  for (const name of await recordedProfiles()) {
    const file = (await savedRules(name))?.file ?? (await lastProbe(name))?.file;
    if (!file) continue;
    try {
      const loaded = load(file);
      if (loaded.profile.name === name) await keep(loaded);
    } catch (e) {
      if (!(e instanceof HermitError)) throw e;
      log(`${name}: profile file ${file} cannot be read (${e.message.split('\n')[0]}); not guarded`);
    }
  }
  return out;
}

// What was last said about an unapproved profile, so a pass every interval does not repeat it.
const toldUnapproved = new Map<string, string>();

/**
 * The guard never applies a version of a profile the user did not approve: a profile changed on
 * disk (by the agent, say) is enforced in its approved version, and the change is reported once.
 * Without any approved version there is nothing the guard may enforce.
 */
export async function guardedVersion(loaded: LoadedProfile, log: Log): Promise<LoadedProfile | undefined> {
  const name = loaded.profile.name;
  const { loaded: enforced, check, why } = await enforcedVersion(loaded);
  if (check.state === 'trusted-source') await approve(check, 'root-owned files').catch(() => undefined);
  if (!why) {
    toldUnapproved.delete(name);
    return enforced;
  }
  if (toldUnapproved.get(name) !== check.fingerprint) {
    const widening = check.changes.filter((c) => c.direction !== 'narrows').map((c) => `${c.op}${c.key} ${c.text}`);
    log(printableLine(`${name}: ${why}${widening.length > 0 ? `; changes: ${widening.join('; ')}` : ''}${enforced ? '' : '; not guarded'}`));
  }
  toldUnapproved.set(name, check.fingerprint);
  return enforced;
}

/**
 * At boot, before dockerd: put back every recorded profile's rules with the backend they were
 * applied with. iptables: the chains and jumps (creating DOCKER-USER, which Docker then keeps);
 * nftables: the profile's table. A restart-policy container then never runs unprotected. And its
 * pinned binds, from the recorded approved paths: one that cannot be checked stays empty.
 */
export async function bootRestore(log: Log, runner: Runner = hostRunner): Promise<boolean> {
  let ok = true;
  await withHostLock(async () => {
    for (const name of await recordedProfiles()) {
      const binds = await savedBinds(name);
      if (binds) ok = (await bootBind(name, binds.pins, log, runner)) && ok;
      const rec = await savedRules(name);
      if (!rec) continue;
      ok = (await restoreRecordedRules(name, rec, log, runner)) && ok;
      await recordVerified({ profile: name, by: 'hermit guard --boot', ok, actions: [] }).catch(() => undefined);
    }
  });
  return ok;
}
