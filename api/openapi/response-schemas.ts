import Type from 'typebox';

import { CertificateChainPem } from '../../src/bulk/schemas.js';
import { RotationSummary } from '../../src/tasks/rotation-summary.js';

export {
  BulkDeviceResult,
  BulkRegistrationTask,
  BulkResults,
  BulkTaskList,
  KeysPurged,
  UploadTicket,
} from '../../src/bulk/schemas.js';

/**
 * Schemas of the provisioning answers. The code's answer types are derived from them
 * (api/task-view.ts: `Static<typeof TaskView>`), so the document cannot drift from the code; the
 * schemas are closed, so a field the code adds fails the answers-match-the-document test
 * (test/integration/things-openapi.test.ts).
 */
const TaskStatus = Type.Enum(['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED']);
const ResourceArns = Type.Record(Type.String(), Type.String(), {
  description: "ARNs by the template's logical names, plus CDF's keys thing, certificate, policyLogicalName",
});
const ErrorSummary = Type.Object(
  { code: Type.String(), message: Type.String() },
  { additionalProperties: false },
);

export const ErrorBody = Type.Object(
  {
    message: Type.String({ description: 'What went wrong and what to fix' }),
    code: Type.String({ description: 'Stable UPPER_SNAKE_CASE error code' }),
  },
  { additionalProperties: false },
);

export const TaskAccepted = Type.Object(
  { taskId: Type.String(), status: TaskStatus },
  { additionalProperties: false },
);

export const ProvisionResponse = Type.Object(
  {
    certificatePem: Type.Optional(Type.String()),
    certificateChainPem: Type.Optional(CertificateChainPem),
    publicKey: Type.Optional(Type.String()),
    privateKey: Type.Optional(Type.String({ description: 'Only when the service made the key pair' })),
    resourceArns: ResourceArns,
    rotation: Type.Optional(RotationSummary),
  },
  { additionalProperties: false },
);

export const ProvisionedNow = Type.Object(
  { taskId: Type.String(), ...ProvisionResponse.properties },
  { additionalProperties: false, description: "CDF's ProvisionResponse, with the task id" },
);

export const TaskFailedNow = Type.Object(
  {
    taskId: Type.String(),
    code: Type.String(),
    message: Type.String(),
  },
  { additionalProperties: false },
);

const taskFields = {
  taskId: Type.String(),
  status: TaskStatus,
  provisioningTemplateId: Type.String(),
  source: Type.Enum(['api', 'queue'], {
    description: 'api: POST /things; queue: a request an upstream system sent to the requests queue',
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  thingName: Type.Optional(Type.String({ description: "The thing's name, or the request's ThingName" })),
  error: Type.Optional(ErrorSummary),
};

/** A single-device task as `GET /provisioningtasks` lists it. */
export const TaskSummary = Type.Object(taskFields, { additionalProperties: false });

export const TaskList = Type.Object(
  { tasks: Type.Array(TaskSummary), nextToken: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

export const TaskView = Type.Object(
  {
    ...taskFields,
    certificatePem: Type.Optional(Type.String()),
    certificateChainPem: Type.Optional(CertificateChainPem),
    publicKey: Type.Optional(Type.String()),
    privateKey: Type.Optional(Type.String()),
    resourceArns: Type.Optional(ResourceArns),
    rotation: Type.Optional(RotationSummary),
  },
  { additionalProperties: false },
);
