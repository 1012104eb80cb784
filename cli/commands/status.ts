import type { ProvisioningApi } from '../api/provisioning-api.js';
import type { BulkTaskView, TaskView } from '../api/schemas.js';
import { ApiError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { exitCodeOfBulk, summaryLine } from './bulk-outcome.js';
import type { CommandContext } from './context.js';
import { withoutKey } from './single-outcome.js';
import { isBulkTaskId } from './task-kind.js';
import { writeSingleTask } from './write-single.js';

export type AnyTask = { kind: 'bulk'; view: BulkTaskView } | { kind: 'single'; view: TaskView };

/** A bulk task if the id is one, else a single-device task. */
export async function findTask(api: ProvisioningApi, taskId: string): Promise<AnyTask> {
  if (isBulkTaskId(taskId)) {
    try {
      return { kind: 'bulk', view: await api.bulkTask(taskId) };
    } catch (e: unknown) {
      if (!(e instanceof ApiError && e.code === 'BULK_TASK_NOT_FOUND')) throw e;
    }
  }
  return { kind: 'single', view: await api.task(taskId) };
}

/**
 * `provision status ID [--failures] [--out DIR]`: a bulk or single-device task's state; `--failures`
 * lists every failed line of a bulk task; `--out` saves a finished single device's credentials.
 * Exit 0 when the task succeeded (or still runs), 1 when devices failed.
 */
export async function statusCommand(
  ctx: CommandContext,
  taskId: string,
  options: { failures?: boolean; out?: string },
): Promise<ExitCode> {
  const api = await ctx.api();
  const task = await findTask(api, taskId);
  const { console } = ctx;
  if (task.kind === 'bulk') {
    const { view } = task;
    if (console.json && options.failures !== true) console.result(view);
    console.say(summaryLine(view));
    if (view.dryRun === true) console.say('  (a dry run: nothing was provisioned)');
    if (options.failures === true) await listFailures(ctx, api, view);
    return view.status === 'Pending' || view.status === 'InProgress' ? ExitCode.ok : exitCodeOfBulk(view);
  }
  const { view } = task;
  if (console.json) console.result(withoutKey(view));
  const thing = view.thingName ?? view.resourceArns?.thing ?? '';
  const error = view.error !== undefined ? `: ${view.error.code}: ${view.error.message}` : '';
  console.say(`Task ${view.taskId}: ${view.status}${error}${thing !== '' ? ` (${thing})` : ''}`);
  if (options.out !== undefined) await writeSingleTask(ctx, view, options.out);
  return view.status === 'FAILED' ? ExitCode.devicesFailed : ExitCode.ok;
}

async function listFailures(ctx: CommandContext, api: ProvisioningApi, view: BulkTaskView): Promise<void> {
  for await (const result of api.results(view.taskId, 'FAILED')) {
    if (result.status !== 'FAILED') continue;
    if (ctx.console.json) {
      process.stdout.write(`${JSON.stringify(withoutKey(result))}\n`);
      continue;
    }
    const name = result.thingName !== null ? ` (${result.thingName})` : '';
    ctx.console.say(
      `  line ${result.line}${name}: ${result.error?.code ?? 'FAILED'}: ${result.error?.message ?? ''}`,
    );
  }
}
