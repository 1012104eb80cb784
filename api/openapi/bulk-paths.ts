import { BulkRegistrationRequest } from '../../src/bulk/request.js';
import { BODY_ERRORS, body, errors, parameterRef, reply, schemaRef, type Paths } from './operation.js';

const task = reply('The bulk task', schemaRef('BulkRegistrationTask'));

/** api/routes/bulk.ts */
export const bulkPaths: Paths = {
  '/bulkthings': {
    post: {
      tags: ['Bulk Registrations'],
      operationId: 'bulkProvisionThings',
      summary: 'Provision many devices from one template (inline parameter lines, or an NDJSON file in S3)',
      requestBody: body(BulkRegistrationRequest, "CDF's BulkRegistrationRequest, or an inputFile"),
      responses: {
        '202': reply('Accepted; follow it at Location', schemaRef('BulkRegistrationTask'), {
          Location: 'The bulk task',
        }),
        ...errors(...BODY_ERRORS),
      },
    },
  },
  '/bulkthings/{taskId}': {
    parameters: [parameterRef('bulkTaskId')],
    get: {
      tags: ['Bulk Registrations'],
      operationId: 'getBulkProvisionTask',
      summary: "A bulk task's progress",
      responses: { '200': task, ...errors('400', '404') },
    },
    delete: {
      tags: ['Bulk Registrations'],
      operationId: 'deleteBulkProvisionTask',
      summary: 'Cancel a bulk task (same as POST .../cancel)',
      responses: { '200': task, ...errors('400', '404', '409') },
    },
  },
  '/bulkthings/{taskId}/cancel': {
    parameters: [parameterRef('bulkTaskId')],
    post: {
      tags: ['Bulk Registrations'],
      operationId: 'cancelBulkProvisionTask',
      summary: 'Cancel a bulk task: devices not yet started are not provisioned',
      responses: { '200': task, ...errors('400', '404', '409') },
    },
  },
  '/bulkthings/{taskId}/results': {
    parameters: [parameterRef('bulkTaskId')],
    get: {
      tags: ['Bulk Registrations'],
      operationId: 'getBulkProvisionResults',
      summary:
        "Every device's outcome: a page at a time, or all of it streamed as NDJSON (Accept: application/x-ndjson)",
      parameters: [
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
