import { ProvisionRequest } from '../../src/tasks/request.js';
import { BODY_ERRORS, body, errors, parameterRef, reply, schemaRef, type Paths } from './operation.js';

const query = (name: string, description: string, schema: object = { type: 'string' }) => ({
  name,
  in: 'query',
  description,
  schema,
});

/** api/routes/provisioning.ts */
export const provisioningPaths: Paths = {
  '/things': {
    post: {
      tags: ['Things'],
      operationId: 'provisionThing',
      summary: 'Provision a thing from a template (asynchronous; synchronous within Prefer: wait=N)',
      description:
        'Answers 202 with the task at once, or with Prefer: wait=N, 201 when the device is done within N s. ' +
        'A device AWS IoT would refuse (a value the template, expanded with the parameters, gives AWS IoT ' +
        'and AWS IoT does not take) is a 400 that names the parameter, and nothing is recorded. ' +
        "If the task fails within the wait, the answer has the failure's status and the body " +
        '{taskId, code, message} (schema TaskFailedNow).',
      parameters: [
        {
          name: 'Prefer',
          in: 'header',
          description:
            'RFC 7240 `wait=N` (N at most MAX_WAIT_SECONDS): answer 201 if the device is done within N s',
          schema: { type: 'string' },
        },
        {
          name: 'Idempotency-Key',
          in: 'header',
          description: 'The same key always means the same task: a retry never makes a second device',
          schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
        },
      ],
      requestBody: body(ProvisionRequest, "CDF's ProvisionRequest"),
      responses: {
        '201': reply('Provisioned within the Prefer: wait time', schemaRef('ProvisionedNow'), {
          Location: 'The task',
        }),
        '202': reply('Accepted; poll the task at Location', schemaRef('TaskAccepted'), {
          Location: 'The task',
        }),
        ...errors(...BODY_ERRORS, '409'),
      },
    },
  },
  '/provisioningtasks': {
    get: {
      tags: ['Things'],
      operationId: 'listProvisioningTasks',
      summary: 'Single-device tasks (not the devices of bulk tasks), newest first',
      parameters: [
        query('status', 'Only tasks with this status', {
          enum: ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED'],
        }),
        query('templateId', 'Only tasks of this template'),
        query('source', 'api: POST /things; queue: upstream requests', { enum: ['api', 'queue'] }),
        query('since', 'Created at or after (ISO 8601)', { type: 'string', format: 'date-time' }),
        query('until', 'Created at or before (ISO 8601)', { type: 'string', format: 'date-time' }),
        query('limit', 'At most this many (default 25)', { type: 'integer', minimum: 1, maximum: 100 }),
        query('nextToken', 'From the previous page'),
      ],
      responses: { '200': reply('A page of tasks', schemaRef('TaskList')), ...errors('400') },
    },
  },
  '/provisioningtasks/{taskId}': {
    get: {
      tags: ['Things'],
      operationId: 'getProvisioningTask',
      summary: "A provisioning task's status, and on success CDF's ProvisionResponse fields",
      parameters: [parameterRef('taskId')],
      responses: { '200': reply('The task', schemaRef('TaskView')), ...errors('400', '404') },
    },
  },
  '/provisioningtasks/{taskId}/privatekey': {
    delete: {
      tags: ['Things'],
      operationId: 'purgeProvisioningTaskPrivateKey',
      summary: 'Remove the private key the service keeps for the task (its answers then carry none)',
      parameters: [parameterRef('taskId')],
      responses: { '204': reply('Removed, or there was none'), ...errors('400', '404') },
    },
  },
};
