import { Hono } from 'hono';
import { InvalidInputError } from '../../src/errors.js';
import type { ApiServices } from '../compose.js';
import { ProvisionRequest, TaskId } from '../../src/tasks/request.js';
import { submitTask } from '../../src/tasks/submit-task.js';
import { TaskNotFoundError } from '../../src/tasks/errors.js';
import { validator } from '../../src/validation.js';
import { readBody } from '../read-body.js';
import { answerSubmitted, clientOf, idempotencyKeyOf } from '../task-answer.js';
import { taskView } from '../task-view.js';

const provisionRequest = validator(ProvisionRequest);
const taskIdShape = validator(TaskId);

/** `POST /things` (asynchronous, or synchronous within `Prefer: wait=N`) and task polling. */
export function provisioningRoutes(services: ApiServices): Hono {
  const app = new Hono();

  app.post('/things', async (c) => {
    const request = await readBody(c, provisionRequest);
    const idempotencyKey = idempotencyKeyOf(c);
    const client = clientOf(c);
    const { task } = await submitTask(request, { idempotencyKey, client }, services);
    return answerSubmitted(c, task, services);
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
