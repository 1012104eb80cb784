import { Hono } from 'hono';
import { InvalidInputError } from '../../src/errors.js';
import { clientTagOf } from '../../src/tasks/client-tag.js';
import { CLIENT_HEADER } from '../client-header.js';
import type { ApiServices } from '../compose.js';
import { ProvisionRequest, TaskId } from '../../src/tasks/request.js';
import { submitTask } from '../../src/tasks/submit-task.js';
import { TaskNotFoundError } from '../../src/tasks/errors.js';
import { validator } from '../../src/validation.js';
import { statusOfKind } from '../http-status.js';
import { readBody } from '../read-body.js';
import { provisionResponse, taskView } from '../task-view.js';

const provisionRequest = validator(ProvisionRequest);
const taskIdShape = validator(TaskId);
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** `POST /things` (asynchronous, or synchronous within `Prefer: wait=N`) and task polling. */
export function provisioningRoutes(services: ApiServices): Hono {
  const app = new Hono();

  app.post('/things', async (c) => {
    const request = await readBody(c, provisionRequest);
    const idempotencyKey = c.req.header('idempotency-key');
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new InvalidInputError(
        'IDEMPOTENCY_KEY_INVALID',
        'Idempotency-Key must be 1–255 visible ASCII characters',
      );
    }
    const client = clientTagOf(c.req.header(CLIENT_HEADER), `The ${CLIENT_HEADER} header`);
    const wait = preferWait(c.req.header('prefer'), services.config.maxWaitSeconds);
    const { task } = await submitTask(request, { idempotencyKey, client }, services);
    const location = `/provisioningtasks/${task.taskId}`;

    const finished = wait > 0 ? await services.waiter.wait(task.taskId, wait) : undefined;
    if (finished?.status === 'SUCCEEDED') {
      const body = { taskId: task.taskId, ...(await provisionResponse(finished, services.secrets)) };
      return c.json(body, 201, {
        Location: location,
        'Preference-Applied': `wait=${wait}`,
      });
    }
    if (finished?.status === 'FAILED' && finished.error !== undefined) {
      const { code, message, kind } = finished.error;
      return c.json({ taskId: task.taskId, code, message }, statusOfKind(kind), { Location: location });
    }
    const status = finished?.status ?? task.status;
    return c.json({ taskId: task.taskId, status }, 202, { Location: location });
  });

  app.get('/provisioningtasks/:taskId', async (c) => {
    const taskId = c.req.param('taskId');
    if (taskIdShape.problems(taskId).length > 0) {
      throw new InvalidInputError('TASK_ID_INVALID', `'${taskId.slice(0, 64)}' is not a task id`);
    }
    const task = await services.tasks.get(taskId);
    if (task === undefined) throw new TaskNotFoundError(taskId);
    return c.json(await taskView(task, services.secrets), 200);
  });

  return app;
}

/** RFC 7240 `Prefer: wait=N`, capped at the configured maximum; 0 when absent. */
function preferWait(prefer: string | undefined, max: number): number {
  const match = /(?:^|[,;\s])wait=(\d+)/i.exec(prefer ?? '');
  return match?.[1] === undefined ? 0 : Math.min(Number(match[1]), max);
}
