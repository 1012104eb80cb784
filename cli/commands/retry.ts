import type { ExitCode } from '../exit-codes.js';
import { idempotencyKey } from '../idempotency-key.js';
import { exitCodeOfBulk, followToEnd, summaryLine, writeOutFolder } from './bulk-outcome.js';
import type { CommandContext } from './context.js';

/**
 * `provision retry ID [--out DIR]`: a new task over the failed lines of a finished task, with the
 * original line numbers. The same retry twice is the same retry task.
 */
export async function retryCommand(
  ctx: CommandContext,
  taskId: string,
  options: { out?: string; input?: string },
): Promise<ExitCode> {
  const api = await ctx.api();
  const { created, task } = await api.retryBulk(
    taskId,
    idempotencyKey({ purpose: 'retry', retryOf: taskId }),
  );
  ctx.console.say(
    created
      ? `Retrying the failed lines of ${taskId}: task ${task.taskId}`
      : `Already retried: following task ${task.taskId}`,
  );
  const final = await followToEnd(ctx, api, task.taskId, 'retry', options.out);
  ctx.console.say(summaryLine(final));
  if (options.out !== undefined) await writeOutFolder(ctx, api, final, options.out, options.input);
  if (ctx.console.json) ctx.console.result(final);
  return exitCodeOfBulk(final);
}
