import { Hono } from 'hono';
import Type from 'typebox';
import { CertificateStatusPartial, Thing } from '../src/things/schemas.js';
import { ProvisioningTemplate, TemplateList, TemplateSaved } from '../src/template-admin/schemas.js';
import { TaskId, TemplateId } from '../src/tasks/request.js';
import {
  BackfillJob,
  CertificateDetail,
  CertificateId,
  CertificateList,
  InventoryCertificate,
  Retirement,
} from '../src/inventory/schemas.js';
import { IOT } from '../src/templates/iot-constraints.js';
import { bulkPaths } from './openapi/bulk-paths.js';
import { certificatePaths } from './openapi/certificate-paths.js';
import { healthPaths } from './openapi/health-paths.js';
import { ERROR_STATUSES, content, type Paths } from './openapi/operation.js';
import { provisioningPaths } from './openapi/provisioning-paths.js';
import { rotationPaths } from './openapi/rotation-paths.js';
import * as responses from './openapi/response-schemas.js';
import { templatePaths } from './openapi/template-paths.js';
import { thingPaths } from './openapi/thing-paths.js';

/**
 * The OpenAPI 3.1 document of this API, built from the same typebox schemas the code validates
 * and answers with (typebox schemas are JSON Schema, which OpenAPI 3.1 uses as is). A test
 * compares its paths with the routes the Hono app really has.
 */
const openApiPath: Paths = {
  '/openapi.json': {
    get: {
      tags: ['API'],
      operationId: 'getOpenApi',
      summary: 'This document',
      responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: {} } } } },
    },
  },
};

const pathParameter = (name: string, description: string, schema: object) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'IoT provisioning service',
      version: '1.0.0',
      description:
        "AWS Connected Device Framework (CDF) Provisioning's API, asynchronous, plus thing and template " +
        'management. Media types: application/vnd.aws-cdf-v1.0+json and application/json. Every error is ' +
        '{message, code}.',
    },
    tags: [
      { name: 'Things' },
      { name: 'Templates' },
      { name: 'Bulk Registrations' },
      { name: 'Certificates' },
      { name: 'API' },
    ],
    paths: mergePaths(
      provisioningPaths,
      thingPaths,
      rotationPaths,
      templatePaths,
      bulkPaths,
      certificatePaths,
      healthPaths,
      openApiPath,
    ),
    components: {
      schemas: {
        Error: responses.ErrorBody,
        TaskAccepted: responses.TaskAccepted,
        ProvisionedNow: responses.ProvisionedNow,
        TaskFailedNow: responses.TaskFailedNow,
        TaskView: responses.TaskView,
        TaskList: responses.TaskList,
        Thing,
        CertificateStatusPartial,
        ProvisioningTemplate,
        TemplateList,
        TemplateSaved,
        BulkRegistrationTask: responses.BulkRegistrationTask,
        BulkDeviceResult: responses.BulkDeviceResult,
        BulkResults: responses.BulkResults,
        BulkTaskList: responses.BulkTaskList,
        UploadTicket: responses.UploadTicket,
        KeysPurged: responses.KeysPurged,
        InventoryCertificate,
        CertificateList,
        CertificateDetail,
        Retirement,
        BackfillJob,
      },
      parameters: {
        thingName: pathParameter('thingName', 'Name of the thing', {
          type: 'string',
          pattern: IOT.thingName.pattern.source,
        }),
        taskId: pathParameter('taskId', 'Id of the provisioning task', TaskId),
        bulkTaskId: pathParameter('taskId', 'Id of the bulk task', Type.String({ format: 'uuid' })),
        templateId: pathParameter('templateId', 'Id of the template', TemplateId),
        certificateId: pathParameter('certificateId', "AWS IoT's id of the certificate", CertificateId),
      },
      responses: Object.fromEntries(
        Object.entries(ERROR_STATUSES).map(([status, description]) => [
          `Error${status}`,
          { description, content: content({ $ref: '#/components/schemas/Error' }) },
        ]),
      ),
    },
  };
}

/** Joins the path tables; the same operation documented twice is a mistake. */
function mergePaths(...tables: Paths[]): Paths {
  const merged: Paths = {};
  for (const table of tables) {
    for (const [path, item] of Object.entries(table)) {
      const existing = merged[path] ?? {};
      for (const method of Object.keys(item)) {
        if (method !== 'parameters' && method in existing)
          throw new Error(`${method} ${path} is documented twice`);
      }
      merged[path] = { ...existing, ...item };
    }
  }
  return merged;
}

/** `GET /openapi.json`. */
export function openApiRoutes(): Hono {
  const app = new Hono();
  const document = JSON.stringify(openApiDocument());
  app.get('/openapi.json', (c) => c.body(document, 200, { 'Content-Type': 'application/json' }));
  return app;
}
