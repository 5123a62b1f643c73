// The run flow: profile → facts → plan → apply → probe → report.
import { isIP } from 'node:net';
import { type Applied, type CreatedAhead, applySteps, createAhead, dockerCall, planCommands, removeCreated, wantsCreated } from '../apply/apply.js';
import { localEngineSocket } from '../apply/engine.js';
import { describe as describeCommand, execOk } from '../apply/exec.js';
import { type FirewallReads, besideOf, container, gatherFacts } from '../host/read.js';
import { readUserns } from '../host/userns.js';
import { refuseWithoutUserns } from '../plan/userns.js';
import { HermitError } from '../errors.js';
import { BUILD_ENV, refreshImage } from '../plan/image.js';
import { type EngineCreate, dockerRun } from '../plan/container.js';
import type { ExistingContainer } from '../plan/host-facts.js';
import { type Plan, makePlan } from '../plan/plan.js';
import { proxyContainerOf } from '../plan/egress.js';
import type { ProbeReport } from '../probe/types.js';
import { type EarlyWorker, startEarlyWorker } from '../probe/early-worker.js';
import { approvedFiles } from '../profile/approval.js';
import { dockerArgBinds } from '../docker/args.js';
import { withEnvFile } from '../profile/env-file.js';
import { existingRealpath } from '../profile/load.js';
import type { LoadedProfile } from '../profile/types.js';
import { insideBinds } from '../profile/writers.js';
import { formatRuleset } from '../report/plan.js';
import { wantedRulesets } from '../guard/verify.js';
import { withHostLock } from '../state/lock.js';
import { lastProbe, nftablesMayHold, recordBinds, recordProbe, recordRules, savedBinds, savedRules, stateDir } from '../state/store.js';
import { bindFacts } from '../apply/binds.js';
import { pinnedMounts } from '../plan/binds.js';
import { checkApproval, ensureApproved } from './ask-approval.js';
import { approvedBuildInputs, checkBuildInputs } from './build-approval.js';
import { type BuildInputs, contextTar } from '../profile/build-inputs.js';
import { checkPassThrough, loadChecked, locatingProfileErrors, requireRoot, splitPassThrough, useColor } from './common.js';
import { enforce, proveIsolation, proveNested, proveNoHeldKeys, renderProof } from './prove.js';
import { preloadProgress, runSteps } from './progress.js';
import { mark } from '../timing.js';

export interface RunOptions {
  dryRun: boolean;
  replace: boolean;
  json: boolean;
  rest: (string | number)[];
  /** hermit update: rebuild the image (behind the profile's rules, with --pull unless pull is off),
   * or pull it first (docker pull), then recreate the container if its image changed. */
  update?: { pull: boolean };
}

/** @param profileArg a name or path; none means the project's hermit.yaml. */
export async function run(profileArg: string | undefined, opts: RunOptions): Promise<void> {
  const command = opts.update ? 'update' : 'run';
  mark('start of run');
  const onDisk = loadChecked(profileArg);
  const extras = splitPassThrough(opts.rest);
  checkPassThrough(extras.dockerArgs);
  requireRoot(command, 'it reads and changes the firewall and enters the container\'s network namespace to probe it');
  // Read once, here: the env file's entries approved below are the ones the container gets.
  const loaded = withEnvFile(onDisk);
  const profile = loaded.profile;
  mark('profile loaded');
  refuseExposingInputs(loaded, extras.dockerArgs);
  // Before asking or changing anything: the engine cannot start without user namespaces.
  if (profile.docker) refuseWithoutUserns(await readUserns());
  // Only a version the user approved (or one only root could write) is applied; a dry run changes nothing.
  if (!opts.dryRun) await ensureApproved(loaded, command);

  const rebuild = opts.update && profile.build ? { rebuild: { pull: opts.update.pull } } : {};
  const planOpts = { extras, environment: process.env, replace: opts.replace, followImage: !!opts.update, ...rebuild };
  const pins = pinnedMounts(profile, stateDir());
  const look = async (existing?: Promise<ExistingContainer | undefined>, reads?: FirewallReads) => {
    const facts = await gatherFacts(profile.container.name, profile.image, besideOf(profile), existing, reads);
    facts.binds = bindFacts(pins, profile.name);
    mark('host facts gathered');
    return { facts, plan: locatingProfileErrors(loaded, () => makePlan(profile, facts, planOpts)) };
  };
  const refresh = opts.update ? refreshImage(profile, opts.update.pull) : undefined;
  const refreshCmd = refresh && dockerCall(refresh);

  if (opts.dryRun) {
    const { facts, plan } = await look();
    const cmds = [...(refreshCmd ? [refreshCmd] : []), ...planCommands(plan)];
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ profile: profile.name, commands: cmds.map((c) => ({ file: c.file, args: c.args, ...(c.input ? { input: c.input } : {}), env: c.env ? Object.keys(c.env) : undefined })), ...(plan.proxy ? { proxyConfig: plan.proxy.config } : {}), probe: plan.probe }, null, 2)}\n`);
      return;
    }
    const out: string[] = [`# hermit ${command} ${profile.name} --dry-run (${loaded.file}); nothing was changed`];
    const approval = await checkApproval(loaded);
    if (approval.state === 'unapproved') out.push(`# this version of the profile is NOT approved: hermit ${command} would ask first (see: sudo hermit trust ${loaded.file} --show)`);
    if (plan.image.kind === 'build' && (await checkBuildInputs(loaded)).state === 'unapproved') out.push(`# the build inputs (the Dockerfile and the context) are NOT approved: hermit ${command} would ask first (see: sudo hermit trust ${loaded.file} --show)`);
    if (refreshCmd) out.push('# the container is recreated after this if the image changes (not known before it runs)');
    if (plan.image.kind === 'pull') out.push(`# ${plan.image.reason}`);
    if (cmds.length === 0) out.push('# nothing to change: network, rules and container already match the profile');
    for (const c of cmds) {
      // Build settings are shown with their values; anything else may be a secret: names only.
      const shown = Object.entries(c.env ?? {}).filter(([k]) => k in BUILD_ENV);
      const names = Object.keys(c.env ?? {}).filter((k) => !(k in BUILD_ENV));
      out.push(shown.map(([k, v]) => `${k}=${v} `).join('') + describeCommand(c) + (names.length > 0 ? `   # with ${names.join(', ')} set in its environment` : ''));
      if (c.input) out.push(c.input.trimEnd());
      if (c.args[0] === 'build' && c.args.at(-1) === '-') out.push(`# its stdin: a tar hermit makes of ${profile.build?.context} (what .dockerignore lets through), once the Dockerfile and the context are approved`);
    }
    if (plan.proxy) out.push('', `# ${plan.proxy.config.file}, the proxy's configuration${plan.proxy.config.changed ? ' (written before the proxy starts or reloads)' : ' (unchanged)'}:`, plan.proxy.config.text.trimEnd());
    // The proxy's other files by name; one holding keys is never shown.
    for (const f of plan.proxy?.files ?? []) out.push(`# ${f.path}${f.changed ? ' (written)' : ' (unchanged)'}${f.secret ? ': holds the keys, never shown' : ''}`);
    out.push('', '# the complete rulesets:', formatRuleset(profile, facts));
    process.stdout.write(`${out.join('\n')}\n`);
    return;
  }

  const applied: Applied = { containerId: '', pid: 0, changes: [] };
  // The probe worker, started in the container's namespace while Docker starts it (if it can be).
  let early: EarlyWorker | undefined;
  let before: string | undefined;
  if (refreshCmd) {
    // A host or profile hermit refuses is refused before the (long) pull.
    before = (await look()).facts.imageId;
    await runSteps([{ title: `Image: pull ${profile.image}`, run: () => execOk(refreshCmd).then(() => undefined) }], { quiet: opts.json });
  }
  // The agent's image is built only from approved inputs, read once (the build gets those very
  // bytes): on update before anything changes; on run when the plan finds the image missing.
  let inputs: BuildInputs | undefined = opts.update && profile.build ? await approvedBuildInputs(loaded, command) : undefined;
  // Concurrent runs (and the guard) plan from an iptables-save dump: one at a time, host-wide,
  // from a dump read under the lock, so no payload deletes or duplicates another's lines.
  preloadProgress(); // loads while the facts are read
  // Not ahead of a sidecar's needs: Docker would make the engine's socket volume, unlabelled.
  const createRequest = opts.update || proxyContainerOf(profile) || profile.docker ? undefined : engineCreateOf(() => dockerRun(profile, extras, process.env).create);
  const applyLocked = () => withHostLock(async (): Promise<Plan | undefined> => {
    // The profile's records, read under the lock (nothing else writes them meanwhile): whether
    // nftables may hold rules of the profile to remove (not after a run with iptables: one
    // process less), and whether they need writing again.
    const records = Promise.all([savedRules(profile.name), savedBinds(profile.name)]);
    const netnsDir = lastProbe(profile.name).then((r) => r?.netnsDir, () => undefined);
    const reads = { nftTables: records.then(([rules]) => nftablesMayHold(rules)) };
    const { facts, plan, created } = await lookAndCreate((existing) => look(existing, reads), profile.container.name, createRequest);
    // Asked (or refused) outside the lock, then planned again.
    if (plan.image.kind === 'build' && !inputs) {
      if (created) await removeCreated(created);
      return undefined;
    }
    if (refreshCmd && facts.imageId !== before) applied.changes.push(`image ${profile.image} updated${before ? ` (${short(before)} → ${short(facts.imageId)})` : ''}`);
    // hermit update: the container follows the image the build made, known only once it is built.
    const afterBuild = opts.update ? async () => {
      const now = await look();
      if (now.facts.imageId !== facts.imageId) applied.changes.push(`image ${profile.image} updated${facts.imageId ? ` (${short(facts.imageId)} → ${short(now.facts.imageId)})` : ''}`);
      return now.plan;
    } : undefined;
    const buildContext = plan.image.kind === 'build' && inputs ? contextTar(inputs) : undefined;
    const worker = (dir: string | undefined) => () => { warmForVerdict(); early = startEarlyWorker(dir, plan.probe); };
    const { steps, rollback } = applySteps(plan, applied, { ahead: created, whileStarting: worker(await netnsDir), ...(buildContext ? { buildContext } : {}), ...(afterBuild ? { afterBuild } : {}) });
    try {
      await runSteps(steps, { quiet: opts.json });
      mark('applied');
    } catch (err) {
      early?.dispose();
      const failed = await rollback();
      if (err instanceof HermitError && failed.length === 0) {
        throw new HermitError('apply', `${err.message}\n  (everything this run had changed was rolled back)`, err.hint);
      }
      if (failed.length > 0) {
        throw new HermitError('apply', `${(err as Error).message}\n  rollback was incomplete:\n    ${failed.join('\n    ')}`,
          'Inspect with: iptables-save -t filter | grep HERMIT; nft list tables | grep hermit; docker network ls; docker ps -a');
      }
      throw err;
    }
    // What `hermit guard --boot` puts back before dockerd starts this container after a reboot.
    // Written only when they change (an unchanged run rewrote both, ~1 ms).
    const [rulesBefore, bindsBefore] = await records;
    await Promise.all([recordRules(profile.name, loaded.file, facts.firewall.backend, wantedRulesets(profile, facts), rulesBefore), recordBinds(profile.name, pins, bindsBefore)]).catch((e: unknown) => {
      process.stderr.write(`hermit: warning: could not save the rules and binds for boot: ${(e as Error).message}\n`);
    });
    return plan;
  });
  let plan = await applyLocked();
  if (!plan) {
    inputs = await approvedBuildInputs(loaded, command);
    plan = await applyLocked();
    if (!plan) throw new Error('run: the plan still builds without build inputs');
  }

  const agentProof = await proveIsolation(plan.probe, applied.pid, { container: profile.container.name, profile: profile.name }, profile.probe, { quiet: opts.json, ...(early ? { early } : {}) })
    .finally(() => early?.dispose());
  const proof = await proveNoHeldKeys(await proveNested(agentProof, plan.probe, profile, { quiet: opts.json }), applied.pid, profile);
  mark('probed');
  const report = proof.report;
  if (!report) return enforce(proof, profile.probe, applied.containerId, profile.container.name);
  await remember(loaded.file, applied.containerId, report, applied.netns);
  const unchanged = applied.changes.length === 0;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ profile: profile.name, container: applied.containerId, changed: !unchanged, changes: applied.changes, verdict: proof.judgement.kind, probe: report }, null, 2)}\n`);
  } else {
    const head = unchanged
      ? `Nothing changed: network, firewall rules and container already match profile '${profile.name}'.`
      : `Applied profile '${profile.name}':\n${applied.changes.map((c) => `  - ${c}`).join('\n')}`;
    process.stdout.write(`${head}\n\n${renderProof(report, useColor())}\n`);
  }
  mark('reported');
  await enforce(proof, profile.probe, applied.containerId, profile.container.name);
}

/** A bind after `--` would let the container rewrite the profile or its env file, which the next
 * run would then apply (their writers are judged without these one-off options). */
function refuseExposingInputs(loaded: LoadedProfile, dockerArgs: readonly string[]): void {
  const exposed = insideBinds(approvedFiles(loaded), dockerArgBinds(dockerArgs), existingRealpath);
  if (exposed.length > 0) {
    throw new HermitError('usage', `refused docker arguments after --:\n  ${exposed.join('\n  ')}`, 'Mount it read-only (:ro), or a folder that does not hold the profile or its env file');
  }
}

/** The container's Engine API create request, when the Engine API would create it (else undefined;
 * a profile error here is reported by the plan, with its place in the file). */
function engineCreateOf(request: () => EngineCreate | undefined): EngineCreate | undefined {
  if (!localEngineSocket || process.env.HERMIT_DOCKER_CLI) return undefined;
  try {
    return request();
  } catch {
    return undefined;
  }
}

/**
 * look(), while Docker creates the container (createAhead, when there is a request): kept when the
 * plan wants that very container, removed when it does not or when the look fails.
 */
async function lookAndCreate<L extends { plan: Plan }>(look: (existing: Promise<ExistingContainer | undefined>) => Promise<L>, name: string, request?: EngineCreate): Promise<L & { created?: CreatedAhead }> {
  const existing = container(name);
  const early = request && localEngineSocket ? createAhead(localEngineSocket, request, existing) : Promise.resolve(undefined);
  let looked: L;
  try {
    looked = await look(existing);
  } catch (err) {
    const created = await early;
    if (created) {
      await removeCreated(created).catch((e: unknown) => {
        process.stderr.write(`hermit: warning: could not remove container ${created.id.slice(0, 12)}, created but never started: ${(e as Error).message}\n`);
      });
    }
    throw err;
  }
  const created = await early;
  if (!created) return looked;
  if (wantsCreated(looked.plan, created)) return { ...looked, created };
  await removeCreated(created);
  return looked;
}

/**
 * Node compiles its IPv6 address pattern on the first isIP() (~3 ms): the probe's classification
 * makes that first call right after the probe, unless it is made here while Docker starts the container.
 */
const warmForVerdict = () => { isIP('::1'); };

const short = (id: string | undefined) => (id ?? 'none').replace(/^sha256:/, '').slice(0, 12);

/** Keeps the probe's result for `hermit status`; failing to write it must not fail the command. */
export async function remember(file: string, containerId: string, report: ProbeReport, netns?: string): Promise<void> {
  await recordProbe(file, containerId, report, netns).catch((e: unknown) => {
    process.stderr.write(`hermit: warning: could not record the probe result: ${(e as Error).message}\n`);
  });
}
