import { CommanderError } from 'commander';
import { createInterface } from 'node:readline/promises';
import packageJson from '../package.json' with { type: 'json' };
import { connect, type ConnectOptions } from './api/connect.js';
import type { ProvisioningApi } from './api/provisioning-api.js';
import { buildProgram } from './args/program.js';
import { bulkCommand, type BulkOptions } from './commands/bulk.js';
import { cancelCommand } from './commands/cancel.js';
import { checkCommand } from './commands/check.js';
import type { CommandContext } from './commands/context.js';
import { deviceCommand } from './commands/device.js';
import { followCommand } from './commands/follow.js';
import { purgeKeysCommand } from './commands/purge-keys.js';
import { retryCommand } from './commands/retry.js';
import { rotateCommand } from './commands/rotate.js';
import { rotateFleetCommand, rotationChoice } from './commands/rotate-fleet.js';
import { statusCommand } from './commands/status.js';
import { tasksCommand } from './commands/tasks.js';
import { ServiceError } from '../src/errors.js';
import { InterruptedError, UsageError, exitCodeOf } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { Console } from './output/console.js';

/**
 * `provision`: the composition root. Parses the command line, builds the console, the API client
 * (on first use) and Ctrl-C handling, runs one command and exits with its code.
 */
const version = packageJson.version;
const controller = new AbortController();
let graceful = 0;
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  if (graceful > 0 && interrupts === 1) {
    controller.abort(new InterruptedError('Interrupted'));
    return;
  }
  // A progress bar hides the cursor: give it back before leaving.
  if (process.stdout.isTTY) process.stdout.write('\u001b[?25h');
  process.stderr.write('\nInterrupted.\n');
  process.exit(ExitCode.interrupted);
});

let globals: ConnectOptions & { json?: boolean } = {};
let consoleOut = new Console(process.stdout, process.stderr, false);
let api: Promise<ProvisioningApi> | undefined;

const ctx: CommandContext = {
  get console() {
    return consoleOut;
  },
  api: () => (api ??= connect(globals, process.env, version)),
  signal: controller.signal,
  async interruptible<T>(work: () => Promise<T>): Promise<T> {
    graceful += 1;
    try {
      return await work();
    } finally {
      graceful -= 1;
    }
  },
  resumeCommand: (taskId, out) => resumeCommand(taskId, out),
  async ask(question) {
    const rl = createInterface({
      input: process.stdin,
      output: consoleOut.json ? process.stderr : process.stdout,
    });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
};

function resumeCommand(taskId: string, out: string | undefined): string {
  const words = ['provision', 'follow', taskId];
  if (globals.api !== undefined) words.push('--api', globals.api);
  if (globals.auth !== undefined) words.push('--auth', globals.auth);
  if (globals.region !== undefined) words.push('--region', globals.region);
  if (globals.token !== undefined) words.push('--token', '"$PROVISION_TOKEN"');
  if (out !== undefined) words.push('--out', out);
  return words.map((w) => (/^[\w@%+=:,./"$<>-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`)).join(' ');
}

let outcome: Promise<ExitCode> | undefined;
const program = buildProgram(
  version,
  {
    bulk: (file, options) => bulkCommand(ctx, file, options as unknown as BulkOptions),
    check: (file, options) => checkCommand(ctx, file, options as { param: string[] }),
    follow: (taskId, options) => followCommand(ctx, taskId, options),
    status: (taskId, options) => statusCommand(ctx, taskId, options),
    tasks: (options) => tasksCommand(ctx, options),
    cancel: (taskId) => cancelCommand(ctx, taskId),
    retry: (taskId, options) => retryCommand(ctx, taskId, options),
    device: (options) =>
      deviceCommand(
        ctx,
        options as unknown as { template: string; param: string[]; cdf?: string; out?: string },
      ),
    rotate: async (thingName, options) => {
      const choice = rotationChoice(thingName, options);
      return 'thingName' in choice
        ? rotateCommand(ctx, choice.thingName, options)
        : rotateFleetCommand(ctx, choice, options);
    },
    purgeKeys: (taskId) => purgeKeysCommand(ctx, taskId),
  },
  (code) => {
    outcome = code;
  },
);
program.hook('preAction', () => {
  globals = program.opts<ConnectOptions & { json?: boolean }>();
  consoleOut = new Console(process.stdout, process.stderr, globals.json === true);
});

let code: ExitCode;
try {
  await program.parseAsync(process.argv);
  code = outcome === undefined ? ExitCode.ok : await outcome;
} catch (e: unknown) {
  if (e instanceof CommanderError) {
    code = e.exitCode === 0 ? ExitCode.ok : ExitCode.refused;
  } else {
    code = exitCodeOf(e);
    process.stderr.write(`${describe(e)}\n`);
    if (process.env.PROVISION_DEBUG !== undefined && e instanceof Error)
      process.stderr.write(`${e.stack ?? ''}\n`);
  }
}
// Not a natural exit: fetch keeps idle connections open for a few seconds. Writes to pipes and
// files are synchronous on Linux, so nothing printed is lost.
process.exit(code);

function describe(e: unknown): string {
  if (e instanceof InterruptedError) return e.message;
  if (e instanceof UsageError) return `provision: ${e.message}`;
  if (e instanceof ServiceError) return `provision: ${e.message} (${e.code})`;
  return `provision: ${e instanceof Error ? e.message : String(e)}`;
}
