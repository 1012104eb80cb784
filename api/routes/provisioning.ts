import { Hono, type Context } from 'hono';
import { InvalidInputError } from '../../src/errors.js';
import { listTasks } from '../../src/tasks/list-tasks.js';
import type { ApiServices } from '../compose.js';
import { ProvisionRequest, TaskId } from '../../src/tasks/request.js';
import { submitTask } from '../../src/tasks/submit-task.js';
import { TaskNotFoundError } from '../../src/tasks/errors.js';
import { validator } from '../../src/validation.js';
import { audited, noteAudit, notAudited } from '../audit.js';
import { idempotencyKeyOf } from '../idempotency-key.js';
import { listQuery } from '../list-query.js';
import { readBody } from '../read-body.js';
import { answerSubmitted, clientOf } from '../task-answer.js';
import { taskSummary, taskView } from '../task-view.js';

const provisionRequest = validator(ProvisionRequest);
const taskIdShape = validator(TaskId);
const TASK_STATUSES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED'];
const SOURCES = ['api', 'queue'];

/**
 * `POST /things` (asynchronous, or synchronous within `Prefer: wait=N`), task polling, the list
 * of single-device tasks, and the purge of a task's private key.
 */
export function provisioningRoutes(services: ApiServices): Hono {
  const app = new Hono();

  app.post('/things', audited(services.audit, 'device.provision'), async (c) => {
    const request = await readBody(c, provisionRequest);
    const idempotencyKey = idempotencyKeyOf(c);
    const client = clientOf(c);
    noteAudit(c, thingOf(request.parameters));
    const { task } = await submitTask(request, { idempotencyKey, client }, services);
    noteAudit(c, { taskId: task.taskId });
    return answerSubmitted(c, task, services);
  });

  app.get('/provisioningtasks', async (c) => {
    const query = listQuery(c, TASK_STATUSES, SOURCES);
    const oldest = new Date(Date.now() - services.config.resultTtlSeconds * 1000);
    const page = await listTasks(services.listing, query, oldest);
    return c.json(
      {
        tasks: page.tasks.map(taskSummary),
        ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}),
      },
      200,
    );
  });

  // Audited only when the answer carries the device's private key.
  app.get('/provisioningtasks/:taskId', audited(services.audit, 'keys.read'), async (c) => {
    const task = await services.tasks.get(taskIdOf(c));
    if (task === undefined) throw new TaskNotFoundError(taskIdOf(c));
    const view = await taskView(task, services);
    if (view.privateKey !== undefined)
      noteAudit(c, {
        taskId: task.taskId,
        ...(view.thingName ? { thingName: view.thingName } : {}),
        keysReturned: 1,
      });
    else notAudited(c);
    return c.json(view, 200);
  });

  app.delete('/provisioningtasks/:taskId/privatekey', audited(services.audit, 'keys.purge'), async (c) => {
    const taskId = taskIdOf(c);
    noteAudit(c, { taskId });
    const purged = await services.tasks.purgePrivateKey(taskId);
    noteAudit(c, { keysPurged: purged ? 1 : 0 });
    return c.body(null, 204);
  });

  return app;
}

function taskIdOf(c: Context): string {
  const taskId = c.req.param('taskId') ?? '';
  if (taskIdShape.problems(taskId).length > 0) {
    throw new InvalidInputError('TASK_ID_INVALID', `'${taskId.slice(0, 64)}' is not a task id`);
  }
  return taskId;
}

function thingOf(parameters: Record<string, string>): { thingName?: string } {
  return parameters.ThingName !== undefined ? { thingName: parameters.ThingName } : {};
}
