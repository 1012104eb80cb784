import { BulkRegistrationRequest, RetryRequest, UploadRequest } from '../../src/bulk/request.js';
import {
  BODY_ERRORS,
  body,
  content,
  errors,
  parameterRef,
  reply,
  schemaRef,
  type Paths,
} from './operation.js';

const task = reply('The bulk task', schemaRef('BulkRegistrationTask'));
const tags = ['Bulk Registrations'];
export const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  description:
    'The same key and request always mean the same task (200 with it); the same key with another request is a 409. For an input file, the same request means the same content (its ETag)',
  schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
};
const query = (name: string, description: string, schema: object = { type: 'string' }) => ({
  name,
  in: 'query',
  description,
  schema,
});

/** api/routes/bulk.ts */
export const bulkPaths: Paths = {
  '/bulkthings': {
    post: {
      tags,
      operationId: 'bulkProvisionThings',
      summary:
        'Provision many devices from one template: inline lines, an input file in S3 (CSV or NDJSON), or a CSV body',
      description:
        'With Content-Type text/csv the body is the CSV file itself and the other fields are query parameters. ' +
        'dryRun: true checks every line and creates nothing. Answers 202 with a new task, or 200 with the task an ' +
        'Idempotency-Key already made.',
      parameters: [
        idempotencyKey,
        query('provisioningTemplateId', 'With a text/csv body: the template'),
        query('dryRun', 'With a text/csv body', { enum: ['true', 'false'] }),
        query('existingThings', 'With a text/csv body', { enum: ['refuse', 'skip', 'provision'] }),
        query('cdfProvisioningParameters', 'With a text/csv body: as JSON'),
      ],
      requestBody: {
        required: true,
        description: "CDF's BulkRegistrationRequest (inline parameters or an inputFile), or a CSV file",
        content: {
          ...content(BulkRegistrationRequest),
          'text/csv': { schema: { type: 'string', description: 'UTF-8 CSV, header row of parameter names' } },
        },
      },
      responses: {
        '200': reply('The task this Idempotency-Key already made', schemaRef('BulkRegistrationTask')),
        '202': reply('Accepted; follow it at Location', schemaRef('BulkRegistrationTask'), {
          Location: 'The bulk task',
        }),
        ...errors(...BODY_ERRORS, '409'),
      },
    },
    get: {
      tags,
      operationId: 'listBulkProvisionTasks',
      summary: 'Bulk tasks, newest first',
      parameters: [
        query('status', 'Only tasks with this status', {
          enum: ['Pending', 'InProgress', 'Completed', 'CompletedWithFailures', 'Failed', 'Cancelled'],
        }),
        query('templateId', 'Only tasks of this template'),
        query('since', 'Created at or after (ISO 8601)', { type: 'string', format: 'date-time' }),
        query('until', 'Created at or before (ISO 8601)', { type: 'string', format: 'date-time' }),
        query('limit', 'At most this many (default 25)', { type: 'integer', minimum: 1, maximum: 100 }),
        query('nextToken', 'From the previous page'),
      ],
      responses: { '200': reply('A page of bulk tasks', schemaRef('BulkTaskList')), ...errors('400') },
    },
  },
  '/bulkthings/uploads': {
    post: {
      tags,
      operationId: 'createBulkUpload',
      summary: 'A pre-signed S3 PUT URL (15 minutes) for an input file too large for a request body',
      requestBody: body(UploadRequest, 'The name of the file; .csv is read as CSV, any other as NDJSON'),
      responses: {
        '201': reply('PUT the file there with exactly these headers', schemaRef('UploadTicket')),
        ...errors(...BODY_ERRORS),
      },
    },
  },
  '/bulkthings/{taskId}': {
    parameters: [parameterRef('bulkTaskId')],
    get: {
      tags,
      operationId: 'getBulkProvisionTask',
      summary: "A bulk task's progress",
      responses: { '200': task, ...errors('400', '404') },
    },
    delete: {
      tags,
      operationId: 'deleteBulkProvisionTask',
      summary: 'Cancel a bulk task (same as POST .../cancel)',
      responses: { '200': task, ...errors('400', '404', '409') },
    },
  },
  '/bulkthings/{taskId}/cancel': {
    parameters: [parameterRef('bulkTaskId')],
    post: {
      tags,
      operationId: 'cancelBulkProvisionTask',
      summary:
        'Cancel a bulk task: no device starts after the answer but those already past their start (at most BULK_CHUNKS_IN_FLIGHT × BULK_LINE_CONCURRENCY)',
      responses: { '200': task, ...errors('400', '404', '409') },
    },
  },
  '/bulkthings/{taskId}/retry': {
    parameters: [parameterRef('bulkTaskId')],
    post: {
      tags,
      operationId: 'retryBulkProvisionTask',
      summary: 'A new task over the FAILED lines of a finished task, with their line numbers',
      parameters: [idempotencyKey],
      requestBody: {
        required: false,
        description: 'Nothing, or an empty object',
        content: content(RetryRequest),
      },
      responses: {
        '200': reply('The retry this Idempotency-Key already made', schemaRef('BulkRegistrationTask')),
        '202': reply('The retry task', schemaRef('BulkRegistrationTask'), { Location: 'The retry task' }),
        ...errors(...BODY_ERRORS, '404', '409'),
      },
    },
  },
  '/bulkthings/{taskId}/privatekeys': {
    parameters: [parameterRef('bulkTaskId')],
    delete: {
      tags,
      operationId: 'purgeBulkPrivateKeys',
      summary: 'Remove every private key the service keeps for the task (results then carry none)',
      responses: { '200': reply('How many were removed', schemaRef('KeysPurged')), ...errors('400', '404') },
    },
  },
  '/bulkthings/{taskId}/results': {
    parameters: [parameterRef('bulkTaskId')],
    get: {
      tags,
      operationId: 'getBulkProvisionResults',
      summary:
        "Every line's outcome: a page at a time, or all of it streamed as NDJSON (Accept: application/x-ndjson)",
      parameters: [
        query('status', 'Only lines with this outcome', { enum: ['FAILED', 'SUCCEEDED', 'SKIPPED'] }),
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        { name: 'nextToken', in: 'query', schema: { type: 'string' } },
      ],
      responses: {
        '200': {
          ...reply('A page of results', schemaRef('BulkResults')),
          content: {
            ...(reply('', schemaRef('BulkResults')).content as Record<string, unknown>),
            'application/x-ndjson': { schema: schemaRef('BulkDeviceResult') },
          },
        },
        ...errors('400', '404'),
      },
    },
  },
};
