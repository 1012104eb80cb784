import { Command, Option } from 'commander';
import type { ExitCode } from '../exit-codes.js';

/** What each command does when run: the composition root supplies these. */
export interface Handlers {
  bulk(file: string, options: Record<string, unknown>): Promise<ExitCode>;
  check(file: string, options: Record<string, unknown>): Promise<ExitCode>;
  follow(taskId: string, options: Record<string, unknown>): Promise<ExitCode>;
  status(taskId: string, options: Record<string, unknown>): Promise<ExitCode>;
  tasks(options: Record<string, unknown>): Promise<ExitCode>;
  cancel(taskId: string): Promise<ExitCode>;
  retry(taskId: string, options: Record<string, unknown>): Promise<ExitCode>;
  device(options: Record<string, unknown>): Promise<ExitCode>;
  rotate(thingName: string | undefined, options: Record<string, unknown>): Promise<ExitCode>;
  purgeKeys(taskId: string): Promise<ExitCode>;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * The command line: commands, options and help texts. Parsing only; `run` receives the exit code
 * the chosen handler returns.
 */
export function buildProgram(
  version: string,
  handlers: Handlers,
  run: (code: Promise<ExitCode>) => void,
): Command {
  const program = new Command('provision')
    .description(
      'Enrol devices with the IoT provisioning service: a CSV or NDJSON file per batch, or one device.',
    )
    .version(version)
    .option('--api <url>', 'API URL (default: PROVISION_API, else http://127.0.0.1:$PORT, PORT 3000)')
    .addOption(
      new Option('--auth <mode>', 'authorisation: none, iam (SigV4, default AWS credentials) or jwt').choices(
        ['none', 'iam', 'jwt'],
      ),
    )
    .option('--token <jwt>', 'JWT bearer token for a stack with a JWT authorizer (or PROVISION_TOKEN)')
    .option(
      '--region <region>',
      'AWS region of the API for --auth iam (default: AWS_REGION, or the execute-api host)',
    )
    .option('--json', 'machine-readable output (JSON on stdout, text on stderr)')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    // Before the subcommands are made, so they inherit it: usage errors become exit status 2, not 1.
    .exitOverride();

  const inputOption = () =>
    new Option(
      '--input <file>',
      'the file the task was made from, for failures.csv (remembered in --out by bulk)',
    );
  const outOption = () =>
    new Option('--out <dir>', 'write credentials: one folder per device, results.ndjson, failures file');

  program
    .command('bulk')
    .description('check a CSV/NDJSON file, dry-run it on the service, provision it and follow it')
    .argument(
      '<file>',
      'CSV (header row of template parameters; , or ;) or NDJSON (one JSON object per line)',
    )
    .requiredOption('--template <id>', 'provisioning template id')
    .option(
      '--param <name=value>',
      'parameter for every line without its own value (repeatable)',
      collect,
      [],
    )
    .option('--cdf <json|@file>', 'CDF provisioning parameters for every device (e.g. \'{"caId":"…"}\')')
    .addOption(outOption())
    .option('--dry-run', 'check only: pre-flight and the service dry run, nothing is provisioned')
    .addOption(
      new Option(
        '--existing <choice>',
        'lines whose thing already has a certificate: refuse, skip or provision',
      ).choices(['refuse', 'skip', 'provision']),
    )
    .option('--yes', 'go on although some lines have problems (those lines fail)')
    .action((file: string, options: Record<string, unknown>) => {
      run(handlers.bulk(file, options));
    });

  program
    .command('check')
    .description('the local pre-flight of a CSV/NDJSON file only: nothing is sent anywhere')
    .argument('<file>')
    .option(
      '--param <name=value>',
      'parameter for every line without its own value (repeatable)',
      collect,
      [],
    )
    .action((file: string, options: Record<string, unknown>) => {
      run(handlers.check(file, options));
    });

  program
    .command('follow')
    .description('follow a bulk task to its end (again), and write its credentials')
    .argument('<taskId>')
    .addOption(outOption())
    .addOption(inputOption())
    .action((taskId: string, options: Record<string, unknown>) => {
      run(handlers.follow(taskId, options));
    });

  program
    .command('status')
    .description('show a bulk or single-device task')
    .argument('<taskId>')
    .option('--failures', 'list every failed line of a bulk task')
    .addOption(outOption())
    .action((taskId: string, options: Record<string, unknown>) => {
      run(handlers.status(taskId, options));
    });

  program
    .command('tasks')
    .description('list bulk tasks, newest first (--single: single-device tasks)')
    .option('--status <status>', 'only tasks in this status')
    .option('--template <id>', 'only tasks of this template')
    .option('--since <iso>', 'created at or after')
    .option('--until <iso>', 'created before')
    .option('--limit <n>', 'at most this many (1–100, default 25)')
    .option('--next-token <token>', 'the next page, as printed by the previous page')
    .option('--single', 'single-device tasks instead of bulk tasks')
    .action((options: Record<string, unknown>) => {
      run(handlers.tasks(options));
    });

  program
    .command('cancel')
    .description('cancel a bulk task: no new devices start')
    .argument('<taskId>')
    .action((taskId: string) => {
      run(handlers.cancel(taskId));
    });

  program
    .command('retry')
    .description('a new task over the failed lines of a finished bulk task; follows it')
    .argument('<taskId>')
    .addOption(outOption())
    .addOption(inputOption())
    .action((taskId: string, options: Record<string, unknown>) => {
      run(handlers.retry(taskId, options));
    });

  program
    .command('device')
    .description('provision one device and wait for it')
    .requiredOption('--template <id>', 'provisioning template id')
    .option('--param <name=value>', 'template parameter (repeatable)', collect, [])
    .option('--cdf <json|@file>', 'CDF provisioning parameters')
    .addOption(outOption())
    .action((options: Record<string, unknown>) => {
      run(handlers.device(options));
    });

  program
    .command('rotate')
    .description(
      "give a thing (or a fleet: --group, --things, --expiring-within) a new certificate with the current one's " +
        'policies, retire the old one, and wait',
    )
    .argument('[thingName]', 'the one thing to rotate; or choose a fleet with one of the options below')
    .option('--group <thingGroup>', 'rotate every thing of this thing group (a bulk task, followed)')
    .option('--recursive', "with --group: its child groups' things too")
    .option(
      '--things <file>',
      'rotate the things of a CSV (ThingName column, optionally CertificateId) or NDJSON file',
    )
    .option(
      '--expiring-within <days>',
      'rotate every certificate the service knows that expires within N days',
    )
    .addOption(
      new Option(
        '--mode <mode>',
        "how the new certificate is made (default: the current certificate's, if the service made it)",
      ).choices(['own-ca', 'acm-pca', 'aws', 'aws-csr', 'registered']),
    )
    .option(
      '--cdf <json|@file>',
      'the mode\'s CDF provisioning parameters (e.g. \'{"caId":"…"}\', a csr, a certificatePem)',
    )
    .option('--certificate <id>', "the certificate to replace (default: the thing's only ACTIVE one)")
    .option(
      '--retire <when>',
      'retire the old certificate now, never, or after a grace period such as 7d or 90s (default 7d)',
    )
    .addOption(outOption())
    .action((thingName: string | undefined, options: Record<string, unknown>) => {
      run(handlers.rotate(thingName, options));
    });

  program
    .command('purge-keys')
    .description("delete the private keys the service still holds for a task's devices")
    .argument('<taskId>')
    .action((taskId: string) => {
      run(handlers.purgeKeys(taskId));
    });

  return program;
}
