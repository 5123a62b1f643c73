// hermit doctor [profile]: diagnose the Docker networking failures agents hit; changes nothing.
// Heavy modules load inside the handler so `hermit --help` and `hermit --version` stay fast.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface DoctorArgs { profile?: string; json: boolean; verbose: boolean; evidence?: string; compare?: string[]; days: number }

export const doctorCommand: CommandModule<object, DoctorArgs> = {
  command: 'doctor [profile]',
  describe: 'Diagnose host, network, DNS, MTU, proxy and firewall problems of agent containers; changes nothing',
  builder: (y: Argv) =>
    y
      .positional('profile', { type: 'string', describe: "Profile whose network, rules and targets to check (optional)" })
      .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON on stdout' })
      .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'Show the evidence of every check, not only of failures and warnings' })
      .option('evidence', { type: 'string', requiresArg: true, describe: 'Also write every gathered output (secrets in proxy URLs masked) to this file' })
      .option('compare', { type: 'string', array: true, describe: 'Print only the differences between two --json reports (a working and a broken host)' })
      .option('days', { type: 'number', default: 7, describe: 'How far back "recent changes" look' })
      .example('$0 doctor claude-agent', 'Check the host, the profile\'s network and its targets')
      .example('$0 doctor claude-agent --json > broken.json', 'Save the report, e.g. to compare with a host that works')
      .example('$0 doctor --compare good.json broken.json', 'What differs, check by check') as Argv<DoctorArgs>,
  handler: async (argv: ArgumentsCamelCase<DoctorArgs>) => {
    const [{ doctor, compare }, { HermitError }] = await Promise.all([import('../doctor/doctor.js'), import('../errors.js')]);
    if (argv.compare) {
      const [a, b] = argv.compare;
      if (argv.compare.length !== 2 || !a || !b || argv.profile) throw new HermitError('usage', '--compare takes exactly two report files and no profile', 'hermit doctor --compare good.json broken.json');
      compare(a, b);
      return;
    }
    if (!(argv.days > 0)) throw new HermitError('usage', '--days must be a positive number');
    await doctor(argv.profile, { json: argv.json, verbose: argv.verbose, days: argv.days, ...(argv.evidence ? { evidence: argv.evidence } : {}) });
  },
};
