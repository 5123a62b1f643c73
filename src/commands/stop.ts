// hermit stop <profile>: stop the profile's container (and its docker engine, first); network, rules and volumes stay.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface StopArgs { profile: string; time: number; json: boolean }

export const stopCommand: CommandModule<object, StopArgs> = {
  command: 'stop <profile>',
  describe: "Stop the profile's container (its network and firewall rules stay; hermit run starts it again)",
  builder: (y: Argv) =>
    y
      .positional('profile', { type: 'string', demandOption: true, describe: 'Profile name or path' })
      .option('time', { alias: 't', type: 'number', default: 10, describe: 'Seconds to wait for the container to exit before killing it' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON on stdout' }) as Argv<StopArgs>,
  handler: async (argv: ArgumentsCamelCase<StopArgs>) => {
    const [{ lifecycleTarget, targetContainer, targetEngine, printJson }, { execOk }, { stopCommand: stop }] = await Promise.all([
      import('./lifecycle.js'), import('../apply/exec.js'), import('../apply/teardown.js'),
    ]);
    const target = await lifecycleTarget(argv.profile);
    const [c, engine] = await Promise.all([targetContainer(target), targetEngine(target)]);
    // The engine first: it lives in the agent's network namespace (hermit run starts it again after the agent).
    if (engine?.running) await execOk(stop(engine.id, argv.time));
    if (c?.running) await execOk(stop(c.id, argv.time));
    const was = c ? c.status : 'missing';
    const name = c?.name ?? target.profile?.container.name ?? `(no container labelled ${target.name})`;
    if (argv.json) {
      printJson({ profile: target.name, container: name, ...(c ? { id: c.id } : {}), was, stopped: !!c?.running, ...(engine ? { engine: engine.name, engineStopped: engine.running } : {}) });
      return;
    }
    process.stdout.write(c?.running
      ? `Stopped ${c.name} (profile '${target.name}'); its network and rules stay. Start it again with: hermit run ${argv.profile}\n`
      : `Nothing to stop: container ${name} of profile '${target.name}' is ${c ? c.status : 'not there'}.\n`);
  },
};
