import { Hono, type Context } from 'hono';
import { pageSize } from '../page-size.js';
import type { Static } from 'typebox';
import { stream } from 'hono/streaming';
import { randomUUID } from 'node:crypto';
import { BulkInputError, BulkTaskFinishedError, BulkTaskNotFoundError } from '../../src/bulk/errors.js';
import { listBulkTasks } from '../../src/bulk/list-bulk.js';
import { BULK_STATUSES, type BulkTask } from '../../src/bulk/model.js';
import {
  BulkRegistrationRequest,
  CsvSubmissionQuery,
  RetryRequest,
  UploadRequest,
} from '../../src/bulk/request.js';
import { retrySubmission, submitBulkTask, type BulkSubmission } from '../../src/bulk/submit-bulk.js';
import { bulkTaskView, deviceResult, keysIn } from '../../src/bulk/view.js';
import { InvalidInputError } from '../../src/errors.js';
import { clientTagOf } from '../../src/tasks/client-tag.js';
import { CdfProvisioningParameters } from '../../src/tasks/request.js';
import { validator } from '../../src/validation.js';
import { audited, auditedElsewhere, auditNow, noteAudit, notAudited } from '../audit.js';
import { CLIENT_HEADER } from '../client-header.js';
import type { ApiServices } from '../compose.js';
import { unsupportedMediaType } from '../errors.js';
import { idempotencyKeyOf } from '../idempotency-key.js';
import { listQuery } from '../list-query.js';
import { readBody } from '../read-body.js';

const bulkRequest = validator(BulkRegistrationRequest);
const csvQuery = validator(CsvSubmissionQuery);
const cdfParameters = validator(CdfProvisioningParameters);
const uploadRequest = validator(UploadRequest);
const retryRequest = validator(RetryRequest);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NDJSON = 'application/x-ndjson';
const PAGE_SIZE = 100;
const UPLOAD_SECONDS = 15 * 60;
/** A key purge stops before API Gateway's 29 s and says so; calling again finishes it. */
const PURGE_SECONDS = 20;
const PURGE_CONCURRENCY = 16;
const RESULT_FILTERS = ['FAILED', 'SUCCEEDED', 'SKIPPED'] as const;

/**
 * Bulk registration: submit (JSON, or a CSV body), upload a large input, list, follow, cancel,
 * retry the failed lines, read every line's outcome, and purge the private keys kept for it.
 */
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
  const oldest = () => new Date(Date.now() - services.config.resultTtlSeconds * 1000);

  app.post('/bulkthings', audited(services.audit, 'bulk.submit'), async (c) => {
    const idempotencyKey = idempotencyKeyOf(c);
    const client = clientTagOf(c.req.header(CLIENT_HEADER), `The ${CLIENT_HEADER} header`);
    const submission = isCsv(c) ? await csvSubmission(c) : jsonSubmission(await readBody(c, bulkRequest));
    const { task, created } = await submitBulkTask(submission, { idempotencyKey, client }, services);
    noteAudit(c, { bulkTaskId: task.taskId, dryRun: task.dryRun === true });
    c.header('Location', `/bulkthings/${task.taskId}`);
    return c.json(bulkTaskView(task), created ? 202 : 200);
  });

  app.post('/bulkthings/uploads', async (c) => {
    const { fileName } = await readBody(c, uploadRequest);
    const csv = /\.csv$/i.test(fileName);
    const inputFile = {
      bucket: services.config.templates.bucket,
      key: `bulk-inputs/uploads/${randomUUID()}.${csv ? 'csv' : 'ndjson'}`,
    };
    const contentType = csv ? 'text/csv' : NDJSON;
    const upload = await services.objectWriter.uploadUrl(inputFile, contentType, UPLOAD_SECONDS);
    return c.json(
      {
        uploadUrl: upload.url,
        method: 'PUT' as const,
        headers: upload.headers,
        inputFile,
        expiresAt: upload.expiresAt.toISOString(),
      },
      201,
    );
  });

  app.get('/bulkthings', async (c) => {
    const page = await listBulkTasks(services.listing, listQuery(c, BULK_STATUSES), oldest());
    return c.json(
      {
        tasks: page.tasks.map(bulkTaskView),
        ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}),
      },
      200,
    );
  });

  app.get('/bulkthings/:taskId', async (c) => {
    // Live counters: finished chunks plus the few being worked on.
    const task = await load(c.req.param('taskId'), (id) => services.bulk.progress(id));
    return c.json(bulkTaskView(task), 200);
  });

  // A task cancelled with no chunk at work has ended: its completion event is published here.
  // Otherwise the last of its active chunks publishes it when it stops.
  const cancel = async (c: Context) => {
    const taskId = c.req.param('taskId') ?? '';
    noteAudit(c, { bulkTaskId: taskId });
    await load(taskId);
    const cancelled = await services.bulk.cancel(taskId);
    if (cancelled === undefined) {
      const now = await load(taskId);
      // Ended already; if its event is still due (its publisher died), it goes out now.
      await services.bulkEvents.publishIfEnded(now);
      throw new BulkTaskFinishedError(taskId, now.status);
    }
    await services.bulkEvents.publishIfEnded(cancelled);
    // With the devices counted so far (its chunks at work are still adding theirs up).
    return c.json(bulkTaskView((await services.bulk.progress(taskId)) ?? cancelled), 200);
  };
  app.post('/bulkthings/:taskId/cancel', audited(services.audit, 'bulk.cancel'), cancel);
  app.delete('/bulkthings/:taskId', audited(services.audit, 'bulk.cancel'), cancel);

  app.post('/bulkthings/:taskId/retry', audited(services.audit, 'bulk.retry'), async (c) => {
    const idempotencyKey = idempotencyKeyOf(c);
    if (hasBody(c)) await readBody(c, retryRequest);
    const original = await load(c.req.param('taskId'), (id) => services.bulk.progress(id));
    noteAudit(c, { bulkTaskId: original.taskId });
    const client = clientTagOf(c.req.header(CLIENT_HEADER), `The ${CLIENT_HEADER} header`);
    const submission = retrySubmission(original);
    const { task, created } = await submitBulkTask(submission, { idempotencyKey, client }, services);
    noteAudit(c, { bulkTaskId: task.taskId });
    c.header('Location', `/bulkthings/${task.taskId}`);
    return c.json(bulkTaskView(task), created ? 202 : 200);
  });

  app.get('/bulkthings/:taskId/results', audited(services.audit, 'keys.read'), async (c) => {
    const status = resultFilter(c.req.query('status'));
    const task = await load(c.req.param('taskId'));
    if ((c.req.header('accept') ?? '').includes(NDJSON)) {
      c.header('Content-Type', `${NDJSON}; charset=utf-8`);
      auditedElsewhere(c);
      // Page by page from the table to the socket: memory stays flat for any number of devices.
      return stream(c, async (out) => {
        let keys = 0;
        try {
          let nextToken: string | undefined;
          do {
            const page = await services.bulk.results(task.taskId, { limit: PAGE_SIZE, nextToken, status });
            for (const line of page.lines) {
              const result = await deviceResult(line, services);
              await out.write(`${JSON.stringify(result)}\n`);
              if (typeof result.privateKey === 'string') keys += 1;
            }
            nextToken = page.nextToken;
          } while (nextToken !== undefined);
        } finally {
          if (keys > 0)
            auditNow(c, services.audit, 'keys.read', { bulkTaskId: task.taskId, keysReturned: keys });
        }
      });
    }
    const limit = pageSize(c.req.query('limit'), {
      name: 'limit',
      fallback: PAGE_SIZE,
      max: 1000,
    });
    const page = await services.bulk.results(task.taskId, {
      limit,
      nextToken: c.req.query('nextToken'),
      status,
    });
    const results = await Promise.all(page.lines.map((line) => deviceResult(line, services)));
    const keys = keysIn(results);
    if (keys > 0) noteAudit(c, { bulkTaskId: task.taskId, keysReturned: keys });
    else notAudited(c);
    return c.json({
      taskId: task.taskId,
      results,
      ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}),
    });
  });

  app.delete('/bulkthings/:taskId/privatekeys', audited(services.audit, 'keys.purge'), async (c) => {
    const task = await load(c.req.param('taskId'));
    noteAudit(c, { bulkTaskId: task.taskId });
    const { purged, complete } = await services.bulk.purgeKeys(task.taskId, {
      deadline: Date.now() + PURGE_SECONDS * 1000,
      concurrency: PURGE_CONCURRENCY,
    });
    noteAudit(c, { keysPurged: purged });
    return c.json({ purged, complete }, 200);
  });

  return app;
}

function jsonSubmission(request: BulkRegistrationRequest): BulkSubmission {
  const { parameters, inputFile, ...rest } = request;
  if (parameters !== undefined && inputFile === undefined)
    return { ...rest, lines: { source: 'parameters', parameters } };
  if (inputFile !== undefined && parameters === undefined)
    return { ...rest, lines: { source: 'inputFile', inputFile } };
  throw new BulkInputError(
    'BULK_INPUT_INVALID',
    "Give either 'parameters' (a list of parameter maps) or 'inputFile', not both",
  );
}

/** A `text/csv` body: the file itself, the other fields as query parameters. */
async function csvSubmission(c: Context): Promise<BulkSubmission> {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(c.req.header('content-type') ?? '')?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset))
    throw unsupportedMediaType(c.req.header('content-type'), 'a CSV body must be UTF-8 (charset=utf-8)');
  const raw = c.req.query();
  const problems = csvQuery.problems(raw);
  if (problems.length > 0)
    throw new InvalidInputError(
      'REQUEST_INVALID',
      `The query parameters are invalid: ${problems.join('; ')}`,
    );
  const { provisioningTemplateId, dryRun, existingThings, cdfProvisioningParameters } = raw as Static<
    typeof CsvSubmissionQuery
  >;
  const body = new Uint8Array(await c.req.arrayBuffer());
  if (body.length === 0)
    throw new BulkInputError('BULK_INPUT_EMPTY', 'The CSV body is empty: send a header row and lines');
  return {
    provisioningTemplateId,
    ...(dryRun === 'true' ? { dryRun: true } : {}),
    ...(existingThings !== undefined ? { existingThings } : {}),
    ...(cdfProvisioningParameters !== undefined
      ? { cdfProvisioningParameters: parseCdf(cdfProvisioningParameters) }
      : {}),
    lines: { source: 'csv', body },
  };
}

function parseCdf(text: string): NonNullable<BulkSubmission['cdfProvisioningParameters']> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const problems = value === undefined ? ['it is not JSON'] : cdfParameters.problems(value);
  if (problems.length > 0)
    throw new InvalidInputError(
      'REQUEST_INVALID',
      `The query parameter cdfProvisioningParameters is invalid: ${problems.join('; ')}`,
    );
  return value as NonNullable<BulkSubmission['cdfProvisioningParameters']>;
}

function resultFilter(value: string | undefined): (typeof RESULT_FILTERS)[number] | undefined {
  if (value === undefined) return undefined;
  const found = RESULT_FILTERS.find((s) => s === value);
  if (found === undefined)
    throw new InvalidInputError(
      'RESULTS_QUERY_INVALID',
      `status must be one of ${RESULT_FILTERS.join(', ')}, not '${value.slice(0, 40)}'`,
    );
  return found;
}

function isCsv(c: Context): boolean {
  return /^\s*text\/csv\s*(;|$)/i.test(c.req.header('content-type') ?? '');
}

function hasBody(c: Context): boolean {
  const length = c.req.header('content-length');
  return length !== undefined ? length.trim() !== '0' : c.req.header('transfer-encoding') !== undefined;
}
