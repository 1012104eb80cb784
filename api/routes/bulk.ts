import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { BulkTaskFinishedError, BulkTaskNotFoundError } from '../../src/bulk/errors.js';
import type { BulkTask } from '../../src/bulk/model.js';
import { BulkRegistrationRequest } from '../../src/bulk/request.js';
import { submitBulkTask } from '../../src/bulk/submit-bulk.js';
import { bulkTaskView, deviceResult } from '../../src/bulk/view.js';
import { InvalidInputError } from '../../src/errors.js';
import { clientTagOf } from '../../src/tasks/client-tag.js';
import { validator } from '../../src/validation.js';
import { CLIENT_HEADER } from '../client-header.js';
import type { ApiServices } from '../compose.js';
import { readBody } from '../read-body.js';

const bulkRequest = validator(BulkRegistrationRequest);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NDJSON = 'application/x-ndjson';
const PAGE_SIZE = 100;

/** Bulk registration: submit, follow, cancel, and read every device's outcome. */
export function bulkRoutes(services: ApiServices): Hono {
  const app = new Hono();
  const load = async (
    taskId: string,
    read: (id: string) => Promise<BulkTask | undefined> = (id) => services.bulk.get(id),
  ): Promise<BulkTask> => {
    if (!UUID.test(taskId)) {
      throw new InvalidInputError('TASK_ID_INVALID', `'${taskId.slice(0, 64)}' is not a bulk task id`);
    }
    const task = await read(taskId);
    if (task === undefined) throw new BulkTaskNotFoundError(taskId);
    return task;
  };

  app.post('/bulkthings', async (c) => {
    const task = await submitBulkTask(await readBody(c, bulkRequest), services, {
      client: clientTagOf(c.req.header(CLIENT_HEADER), `The ${CLIENT_HEADER} header`),
    });
    c.header('Location', `/bulkthings/${task.taskId}`);
    return c.json(bulkTaskView(task), 202);
  });

  app.get('/bulkthings/:taskId', async (c) => {
    // Live counters: finished chunks plus the few being worked on.
    const task = await load(c.req.param('taskId'), (id) => services.bulk.progress(id));
    return c.json(bulkTaskView(task), 200);
  });

  // A task cancelled with no chunk at work has ended: its completion event is published here.
  // Otherwise the last of its active chunks publishes it when it stops.
  const cancel = async (taskId: string) => {
    await load(taskId);
    const cancelled = await services.bulk.cancel(taskId);
    if (cancelled === undefined) {
      const now = await load(taskId);
      // Ended already; if its event is still due (its publisher died), it goes out now.
      await services.bulkEvents.publishIfEnded(now);
      throw new BulkTaskFinishedError(taskId, now.status);
    }
    await services.bulkEvents.publishIfEnded(cancelled);
    return bulkTaskView(cancelled);
  };
  app.post('/bulkthings/:taskId/cancel', async (c) => c.json(await cancel(c.req.param('taskId')), 200));
  app.delete('/bulkthings/:taskId', async (c) => c.json(await cancel(c.req.param('taskId')), 200));

  app.get('/bulkthings/:taskId/results', async (c) => {
    const task = await load(c.req.param('taskId'));
    if ((c.req.header('accept') ?? '').includes(NDJSON)) {
      c.header('Content-Type', `${NDJSON}; charset=utf-8`);
      // Page by page from the table to the socket: memory stays flat for any number of devices.
      return stream(c, async (out) => {
        let nextToken: string | undefined;
        do {
          const page = await services.bulk.results(task.taskId, { limit: PAGE_SIZE, nextToken });
          for (const device of page.devices)
            await out.write(`${JSON.stringify(await deviceResult(device, services.secrets))}\n`);
          nextToken = page.nextToken;
        } while (nextToken !== undefined);
      });
    }
    const limit = Math.min(Number(c.req.query('limit') ?? PAGE_SIZE) || PAGE_SIZE, 1000);
    const page = await services.bulk.results(task.taskId, { limit, nextToken: c.req.query('nextToken') });
    return c.json({
      taskId: task.taskId,
      results: await Promise.all(page.devices.map((d) => deviceResult(d, services.secrets))),
      ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}),
    });
  });

  return app;
}
