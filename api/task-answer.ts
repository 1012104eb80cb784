import type { Context } from 'hono';
import { clientTagOf } from '../src/tasks/client-tag.js';
import type { Task } from '../src/tasks/model.js';
import { noteAudit } from './audit.js';
import { CLIENT_HEADER } from './client-header.js';
import type { ApiServices } from './compose.js';
import { statusOfKind } from './http-status.js';
import { provisionResponse } from './task-view.js';

/** The submitting system's tag (`x-client`), checked; it is carried into the task's events. */
export function clientOf(c: Context): string | undefined {
  return clientTagOf(c.req.header(CLIENT_HEADER), `The ${CLIENT_HEADER} header`);
}

/** RFC 7240 `Prefer: wait=N`, capped at the configured maximum; 0 when absent. */
function preferWait(c: Context, max: number): number {
  const match = /(?:^|[,;\s])wait=(\d+)/i.exec(c.req.header('prefer') ?? '');
  return match?.[1] === undefined ? 0 : Math.min(Number(match[1]), max);
}

/**
 * The answer to a submitted device task (`POST /things`, a rotation): 202 with the task, or within
 * `Prefer: wait` 201 with its result (the keys it hands out noted for the audit trail) or the
 * failure's status.
 */
export async function answerSubmitted(c: Context, task: Task, services: ApiServices): Promise<Response> {
  const wait = preferWait(c, services.config.maxWaitSeconds);
  const location = `/provisioningtasks/${task.taskId}`;
  const finished = wait > 0 ? await services.waiter.wait(task.taskId, wait) : undefined;
  if (finished?.status === 'SUCCEEDED') {
    const body = { taskId: task.taskId, ...(await provisionResponse(finished, services)) };
    noteAudit(c, { keysReturned: body.privateKey === undefined ? 0 : 1 });
    return c.json(body, 201, { Location: location, 'Preference-Applied': `wait=${wait}` });
  }
  if (finished?.status === 'FAILED' && finished.error !== undefined) {
    const { code, message, kind } = finished.error;
    noteAudit(c, { outcome: 'failed', code });
    return c.json({ taskId: task.taskId, code, message }, statusOfKind(kind), { Location: location });
  }
  const status = finished?.status ?? task.status;
  return c.json({ taskId: task.taskId, status }, 202, { Location: location });
}
