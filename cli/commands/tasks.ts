import { parseLimit } from '../args/parse-params.js';
import { ExitCode } from '../exit-codes.js';
import type { CommandContext } from './context.js';

export interface TasksOptions {
  status?: string;
  template?: string;
  since?: string;
  until?: string;
  limit?: string;
  nextToken?: string;
  single?: boolean;
}

/** `provision tasks`: bulk tasks (or with `--single` single-device tasks), newest first. */
export async function tasksCommand(ctx: CommandContext, options: TasksOptions): Promise<ExitCode> {
  const api = await ctx.api();
  const query = {
    status: options.status,
    templateId: options.template,
    since: options.since,
    until: options.until,
    limit: parseLimit(options.limit, 100),
    nextToken: options.nextToken,
  };
  const { console } = ctx;
  if (options.single === true) {
    const page = await api.listTasks(query);
    if (console.json) console.result(page);
    else {
      for (const t of page.tasks)
        console.say(
          `${t.createdAt ?? ''}  ${t.status.padEnd(9)}  ${t.taskId}  ${t.provisioningTemplateId ?? ''}  ${t.thingName ?? ''}`,
        );
      if (page.tasks.length === 0) console.say('No tasks.');
      if (page.nextToken !== undefined) console.say(`More: --next-token ${page.nextToken}`);
    }
    return ExitCode.ok;
  }
  const page = await api.listBulkTasks(query);
  if (console.json) console.result(page);
  else {
    for (const t of page.tasks) {
      const counts = `${t.successCount}/${t.totalCount ?? '?'} ok, ${t.failureCount} failed`;
      const dry = t.dryRun === true ? ' (dry run)' : '';
      console.say(
        `${t.creationDate ?? ''}  ${t.status.padEnd(21)}  ${t.taskId}  ${t.provisioningTemplateId ?? ''}  ${counts}${dry}`,
      );
    }
    if (page.tasks.length === 0) console.say('No bulk tasks.');
    if (page.nextToken !== undefined) console.say(`More: --next-token ${page.nextToken}`);
  }
  return ExitCode.ok;
}
