import { ExitCode } from '../exit-codes.js';
import type { CommandContext } from './context.js';
import { isBulkTaskId } from './task-kind.js';

/** `provision purge-keys ID`: deletes the private keys the service still holds for a task. */
export async function purgeKeysCommand(ctx: CommandContext, taskId: string): Promise<ExitCode> {
  const api = await ctx.api();
  if (isBulkTaskId(taskId)) {
    const purged = await api.purgeBulkKeys(taskId);
    if (ctx.console.json) ctx.console.result({ taskId, purged });
    else
      ctx.console.say(`Purged ${purged} private key(s) of task ${taskId}; its results no longer carry keys.`);
  } else {
    await api.purgeTaskKey(taskId);
    if (ctx.console.json) ctx.console.result({ taskId, purged: 1 });
    else ctx.console.say(`Purged the private key of task ${taskId}.`);
  }
  return ExitCode.ok;
}
