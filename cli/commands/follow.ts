import { exitCodeOfBulk, followToEnd, summaryLine, writeOutFolder } from './bulk-outcome.js';
import type { CommandContext } from './context.js';
import type { ExitCode } from '../exit-codes.js';

/** `provision follow ID [--out DIR] [--input FILE]`: picks a bulk task up again (after Ctrl-C, or from another terminal). */
export async function followCommand(
  ctx: CommandContext,
  taskId: string,
  options: { out?: string; input?: string },
): Promise<ExitCode> {
  const api = await ctx.api();
  const final = await followToEnd(ctx, api, taskId, 'provisioning', options.out);
  ctx.console.say(summaryLine(final));
  if (options.out !== undefined) await writeOutFolder(ctx, api, final, options.out, options.input);
  if (ctx.console.json) ctx.console.result(final);
  return exitCodeOfBulk(final);
}
