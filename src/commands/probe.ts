// hermit probe <profile>: prove the isolation of the profile's running container again.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface ProbeArgs { profile?: string; json: boolean }

export const probeCommand: CommandModule<object, ProbeArgs> = {
  command: 'probe [profile]',
  describe: "Probe the running container's isolation again and print expected vs observed",
  builder: (y: Argv) =>
    y
      .positional('profile', { type: 'string', describe: "Profile name or path; default: the project's hermit.yaml" })
      .option('json', { type: 'boolean', default: false, describe: 'Print the probe table as JSON on stdout' }) as Argv<ProbeArgs>,
  handler: async (argv: ArgumentsCamelCase<ProbeArgs>) => {
    const [{ loadChecked, requireRoot, useColor }, { gatherFacts }, { planProbe }, { enforce, proveIsolation, proveNested, proveNoHeldKeys, renderProof }, { remember }, { HermitError }, { ensureApproved }] =
      await Promise.all([import('./common.js'), import('../host/read.js'), import('../plan/targets.js'), import('./prove.js'), import('./run-flow.js'), import('../errors.js'), import('./ask-approval.js')]);
    const loaded = loadChecked(argv.profile);
    const { profile, file } = loaded;
    requireRoot('probe', "it enters the container's network namespace");
    // An unapproved profile would set what the probe expects (and whether a failure stops the container).
    await ensureApproved(loaded, 'probe');
    const facts = await gatherFacts(profile.container.name);
    const c = facts.container;
    if (!c || !c.running) {
      throw new HermitError('usage', `container ${profile.container.name} of profile '${profile.name}' is not running`, `Start it with: hermit run ${argv.profile ?? ''}`.trimEnd());
    }
    const plan = planProbe(profile, facts);
    const agent = await proveIsolation(plan, c.pid, { container: c.name, profile: profile.name }, profile.probe, { quiet: argv.json });
    const proof = await proveNoHeldKeys(await proveNested(agent, plan, profile, { quiet: argv.json }), c.pid, profile);
    if (proof.report) {
      await remember(file, c.id, proof.report, c.netns);
      process.stdout.write(argv.json ? `${JSON.stringify(proof.report, null, 2)}\n` : `${renderProof(proof.report, useColor())}\n`);
    }
    await enforce(proof, profile.probe, c.id, c.name);
  },
};
