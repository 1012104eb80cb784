import { ExitCode } from '../exit-codes.js';
import { summaryLine } from './bulk-outcome.js';
import type { CommandContext } from './context.js';

/** `provision cancel ID`: no new devices start; the ones under way finish and are counted. */
export async function cancelCommand(ctx: CommandContext, taskId: string): Promise<ExitCode> {
  const api = await ctx.api();
  const view = await api.cancelBulk(taskId);
  if (ctx.console.json) ctx.console.result(view);
  else
    ctx.console.say(
      `${summaryLine(view)}\nDevices already under way finish; see them with: provision status ${taskId}`,
    );
  return ExitCode.ok;
}
