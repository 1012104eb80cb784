import { basename } from 'node:path';
import type { ExistingThings, ProvisioningApi } from '../api/provisioning-api.js';
import type { BulkTaskView } from '../api/schemas.js';
import { uploadFile } from '../api/upload.js';
import { parseCdf, parseParams } from '../args/parse-params.js';
import { DecisionNeededError, InputRefusedError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { idempotencyKey, type KeyInputs } from '../idempotency-key.js';
import { preflight, type Preflight } from '../input/preflight.js';
import { rewriteInput } from '../input/rewrite-input.js';
import { formatTally, ProblemTally } from '../output/problem-tally.js';
import { exitCodeOfBulk, followToEnd, summaryLine, writeOutFolder } from './bulk-outcome.js';
import type { CommandContext } from './context.js';
import { reportPreflight } from './preflight-report.js';

export interface BulkOptions {
  template: string;
  param: string[];
  cdf?: string;
  out?: string;
  dryRun?: boolean;
  existing?: ExistingThings;
  yes?: boolean;
}

const HAS_CERTIFICATE = 'THING_HAS_CERTIFICATE';

/**
 * `provision bulk FILE`: local pre-flight, upload, the service's dry run, the operator's go, the
 * real task (one task per file and options, however often the command runs), following, and the
 * credentials folder.
 */
export async function bulkCommand(
  ctx: CommandContext,
  file: string,
  options: BulkOptions,
): Promise<ExitCode> {
  const defaults = parseParams(options.param);
  const cdf = parseCdf(options.cdf);
  const { console } = ctx;

  const checked = await preflight(file, defaults);
  reportPreflight(ctx, checked, defaults);
  if (checked.devices === 0)
    throw new InputRefusedError('BULK_INPUT_EMPTY', `${file} has a header but no device lines`);
  if (checked.problems.total > 0 && options.dryRun !== true && options.yes !== true)
    throw new DecisionNeededError(
      'PREFLIGHT_PROBLEMS',
      `${checked.problems.total} line(s) of ${file} cannot work as they are. Fix them and run again, or run with --yes to provision the other lines (these will fail), or --dry-run to see what the service finds too.`,
    );

  const api = await ctx.api();
  const keyInputs: Omit<KeyInputs, 'purpose'> = {
    templateId: options.template,
    fileSha256: checked.sha256,
    parameters: defaults,
    cdfProvisioningParameters: cdf,
  };
  const inputFile = await upload(ctx, api, checked, defaults);
  const submission = {
    provisioningTemplateId: options.template,
    inputFile,
    ...(cdf !== undefined ? { cdfProvisioningParameters: cdf } : {}),
  };

  // The dry run: what the service would do, line by line, without making anything.
  const dryExisting = options.existing ?? 'refuse';
  const dry = await api.submitBulk(
    { ...submission, dryRun: true, existingThings: dryExisting },
    idempotencyKey({ purpose: 'dry-run', ...keyInputs, existingThings: dryExisting }),
  );
  console.say(
    `Dry run on the service: task ${dry.task.taskId}${dry.created ? '' : ' (the same file and options were checked before)'}`,
  );
  const dryView = await followToEnd(ctx, api, dry.task.taskId, 'dry run', undefined);
  const findings = await reportDryRun(ctx, api, dryView);
  if (options.dryRun === true) {
    console.say(
      'Dry run only: nothing was provisioned. Run the same command without --dry-run to provision.',
    );
    return dryView.status === 'Completed' ? ExitCode.ok : ExitCode.devicesFailed;
  }
  if (dryView.status === 'Failed' || dryView.status === 'Cancelled')
    throw new InputRefusedError(
      'DRY_RUN_FAILED',
      `The dry run ended ${dryView.status}; nothing was provisioned.`,
    );

  const existing = await chooseExisting(ctx, options.existing, findings.count(HAS_CERTIFICATE));
  const problems = dryView.failureCount - (existing !== 'refuse' ? findings.count(HAS_CERTIFICATE) : 0);
  if (problems > 0 && options.yes !== true && !(await confirm(ctx, problems, dryView)))
    throw new DecisionNeededError(
      'DRY_RUN_PROBLEMS',
      `The dry run found ${problems} line(s) that would fail. Fix them and run again, or run with --yes to provision the other lines.`,
    );

  const real = await api.submitBulk(
    { ...submission, existingThings: existing },
    idempotencyKey({ purpose: 'bulk', ...keyInputs, existingThings: existing }),
  );
  console.say(
    real.created
      ? `Provisioning: task ${real.task.taskId}`
      : `This file was already submitted with these options: following task ${real.task.taskId} (no second task is made)`,
  );
  const final = await followToEnd(ctx, api, real.task.taskId, 'provisioning', options.out);
  console.say(summaryLine(final));
  if (options.out !== undefined) await writeOutFolder(ctx, api, final, options.out, file);
  else console.say(`Credentials: ${ctx.resumeCommand(final.taskId, '<folder>')}`);
  if (console.json) console.result(final);
  return exitCodeOfBulk(final);
}

async function upload(
  ctx: CommandContext,
  api: ProvisioningApi,
  checked: Preflight,
  defaults: Record<string, string>,
): Promise<{ bucket: string; key: string }> {
  const rewrite = Object.keys(defaults).length > 0 || checked.hasErrorColumn;
  const prepared = rewrite ? await rewriteInput(checked.path, defaults) : undefined;
  try {
    const started = Date.now();
    const ext = checked.format === 'csv' ? '.csv' : '.ndjson';
    const ticket = await api.createUpload(basename(checked.path).replace(/\.[^.]*$/, '') + ext);
    await uploadFile(ticket, prepared?.path ?? checked.path);
    ctx.console.say(`Uploaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return ticket.inputFile;
  } finally {
    await prepared?.remove();
  }
}

/** The dry run's findings by code, with the first lines of each; the full list stays with the service. */
async function reportDryRun(
  ctx: CommandContext,
  api: ProvisioningApi,
  view: BulkTaskView,
): Promise<ProblemTally> {
  const tally = new ProblemTally();
  if (view.failureCount > 0) {
    for await (const result of api.results(view.taskId, 'FAILED')) {
      // The filter is the API's; a line it lets through that did not fail is not a problem.
      if (result.status !== 'FAILED') continue;
      tally.add(result.error?.code ?? 'FAILED', {
        line: result.line,
        thingName: result.thingName,
        message: result.error?.message ?? 'failed',
      });
    }
  }
  for (const [code, count] of Object.entries(view.problemCounts ?? {}))
    if (tally.count(code) === 0) tally.setCount(code, count);
  const total = view.totalCount ?? '?';
  ctx.console.say(
    `Dry run: ${total} line(s): ${view.successCount} would work, ${view.failureCount} with problems`,
  );
  if (tally.total > 0) {
    ctx.console.say(formatTally(tally));
    ctx.console.say(`  full list: provision status ${view.taskId} --failures`);
  }
  return tally;
}

async function chooseExisting(
  ctx: CommandContext,
  chosen: ExistingThings | undefined,
  withCertificate: number,
): Promise<ExistingThings> {
  if (chosen !== undefined || withCertificate === 0) return chosen ?? 'refuse';
  const question =
    `${withCertificate} line(s) name things that already have a certificate. ` +
    'skip them (s), give them a second certificate (p), fail those lines (r), or stop (anything else)? ';
  if (ctx.console.interactive) {
    const answer = (await ctx.ask(question)).trim().toLowerCase();
    if (answer === 's' || answer === 'skip') return 'skip';
    if (answer === 'p' || answer === 'provision') return 'provision';
    if (answer === 'r' || answer === 'refuse') return 'refuse';
  }
  throw new DecisionNeededError(
    'EXISTING_THINGS_CHOICE_NEEDED',
    `${withCertificate} line(s) name things that already have a certificate. Choose with --existing: ` +
      'skip (leave those things alone), provision (give each a second certificate) or refuse (fail those lines).',
  );
}

async function confirm(ctx: CommandContext, problems: number, view: BulkTaskView): Promise<boolean> {
  if (!ctx.console.interactive) return false;
  const good = (view.totalCount ?? 0) - problems;
  const answer = await ctx.ask(
    `Provision the ${good} line(s) without problems (the ${problems} others will fail)? [y/N] `,
  );
  return /^y(es)?$/i.test(answer.trim());
}
