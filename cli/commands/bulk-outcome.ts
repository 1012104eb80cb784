import type { ProvisioningApi } from '../api/provisioning-api.js';
import type { BulkTaskView, DeviceResult } from '../api/schemas.js';
import { InterruptedError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { followBulkTask } from '../follow/follow-task.js';
import { CredentialFolder, type FolderSummary } from '../output/credential-folder.js';
import type { DeviceOutcome } from '../output/device-outcome.js';
import type { CommandContext } from './context.js';

/** 0 every device succeeded (or was skipped as asked), 1 otherwise. */
export function exitCodeOfBulk(view: BulkTaskView): ExitCode {
  return view.status === 'Completed' ? ExitCode.ok : ExitCode.devicesFailed;
}

/** Follows a task to its end; Ctrl-C stops following and says how to resume. */
export async function followToEnd(
  ctx: CommandContext,
  api: ProvisioningApi,
  taskId: string,
  label: string,
  out: string | undefined,
): Promise<BulkTaskView> {
  try {
    return await ctx.interruptible(() =>
      followBulkTask(api, taskId, {
        reporter: ctx.console.progress(label),
        signal: ctx.signal,
        onRetry: (e) => {
          ctx.console.warn(`(still following: ${e.message})`);
        },
      }),
    );
  } catch (e: unknown) {
    if (e instanceof InterruptedError)
      throw new InterruptedError(
        `Stopped following; task ${taskId} goes on without you. Resume with:\n  ${ctx.resumeCommand(taskId, out)}`,
      );
    throw e;
  }
}

export function summaryLine(view: BulkTaskView): string {
  const total = view.totalCount ?? '?';
  const skipped =
    view.skippedCount !== undefined && view.skippedCount > 0 ? `, ${view.skippedCount} skipped` : '';
  const error = view.error !== undefined ? ` (${view.error.code}: ${view.error.message})` : '';
  return `Task ${view.taskId}: ${view.status}${error}: ${total} devices, ${view.successCount} succeeded, ${view.failureCount} failed${skipped}`;
}

/** The first task of the batch a task belongs to (a retry's original, through any retries of retries). */
export async function batchOf(api: ProvisioningApi, task: BulkTaskView): Promise<string> {
  let current = task;
  for (let hops = 0; current.retryOf !== undefined && hops < 100; hops++)
    current = await api.bulkTask(current.retryOf);
  return current.taskId;
}

function outcomeOf(taskId: string, r: DeviceResult): DeviceOutcome | undefined {
  if (r.status !== 'SUCCEEDED' && r.status !== 'FAILED' && r.status !== 'SKIPPED') return undefined;
  return { taskId, ...r, status: r.status };
}

async function* outcomes(api: ProvisioningApi, taskId: string): AsyncGenerator<DeviceOutcome> {
  for await (const result of api.results(taskId)) {
    const outcome = outcomeOf(taskId, result);
    if (outcome !== undefined) yield outcome;
  }
}

/**
 * Writes a finished task's devices into the output folder (claimed for the task's batch) and
 * says what is where. Interrupted, it can simply run again: every file is written atomically and
 * results.ndjson is rebuilt.
 */
export async function writeOutFolder(
  ctx: CommandContext,
  api: ProvisioningApi,
  view: BulkTaskView,
  out: string,
  inputPath: string | undefined,
): Promise<FolderSummary> {
  const folder = await CredentialFolder.open(out);
  try {
    await folder.claim(await batchOf(api, view), inputPath);
    let summary: FolderSummary;
    try {
      summary = await ctx.interruptible(() => folder.writeBatch(outcomes(api, view.taskId), ctx.signal));
    } catch (e: unknown) {
      if (e instanceof InterruptedError)
        throw new InterruptedError(
          `Stopped writing ${folder.dir}; what is there is complete per device. Finish with:\n  ${ctx.resumeCommand(view.taskId, out)}`,
        );
      throw e;
    }
    ctx.console.say(
      `Wrote ${summary.dir}: ${summary.succeeded} device folder(s), results.ndjson (${summary.devices} lines)` +
        (summary.failuresFile !== undefined
          ? `, ${summary.failuresFile} (${summary.failed} failed lines: fix them and feed the file back to provision bulk)`
          : ''),
    );
    if (summary.failuresWithoutInput)
      ctx.console.say(
        `${summary.failed} line(s) failed; their errors are in results.ndjson. For a failures file to feed back, add --input <the file you submitted>.`,
      );
    return summary;
  } finally {
    await folder.close();
  }
}
