import Type, { type Static } from 'typebox';
import type { bulkTaskView, deviceResult } from '../../src/bulk/view.js';
import type { ProvisionResponse as ProvisionResponseCode, TaskView as TaskViewCode } from '../task-view.js';

/**
 * Schemas for answers the code builds without a typebox schema of its own (api/task-view.ts,
 * src/bulk/view.ts). Each is checked against the code's type at compile time (the `Conforms`
 * aliases below), so a field the code changes or drops breaks the build until it is documented
 * here; the schemas are closed, so a field the code adds fails the answers-match-the-document
 * test (test/integration/things-openapi.test.ts).
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
    publicKey: Type.Optional(Type.String()),
    privateKey: Type.Optional(Type.String({ description: 'Only when the service made the key pair' })),
    resourceArns: ResourceArns,
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

export const TaskView = Type.Object(
  {
    taskId: Type.String(),
    status: TaskStatus,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    error: Type.Optional(ErrorSummary),
    certificatePem: Type.Optional(Type.String()),
    publicKey: Type.Optional(Type.String()),
    privateKey: Type.Optional(Type.String()),
    resourceArns: Type.Optional(ResourceArns),
  },
  { additionalProperties: false },
);

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const BulkRegistrationTask = Type.Object(
  {
    taskId: Type.String(),
    status: Type.Enum(['Pending', 'InProgress', 'Completed', 'CompletedWithFailures', 'Failed', 'Cancelled']),
    percentageProgress: Type.Integer({ minimum: 0, maximum: 100 }),
    successCount: Type.Integer({ minimum: 0 }),
    failureCount: Type.Integer({ minimum: 0 }),
    totalCount: Nullable(Type.Integer({ minimum: 0, description: 'null until the input has been read' })),
    creationDate: Type.String({ format: 'date-time' }),
    lastModifiedDate: Type.String({ format: 'date-time' }),
    error: Type.Optional(ErrorSummary),
  },
  { additionalProperties: false },
);

export const BulkDeviceResult = Type.Object(
  {
    line: Type.Integer({ minimum: 1 }),
    status: TaskStatus,
    thingName: Nullable(Type.String()),
    certificateId: Nullable(Type.String()),
    certificatePem: Type.Optional(Nullable(Type.String())),
    privateKey: Type.Optional(Nullable(Type.String())),
    resourceArns: Type.Optional(ResourceArns),
    error: Type.Optional(ErrorSummary),
  },
  { additionalProperties: false },
);

export const BulkResults = Type.Object(
  {
    taskId: Type.String(),
    results: Type.Array(BulkDeviceResult),
    nextToken: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** Compiles only when the code's type fits the documented schema. */
type Conforms<Code extends Schema, Schema> = Code;
export type Checked =
  | Conforms<TaskViewCode, Static<typeof TaskView>>
  | Conforms<ProvisionResponseCode, Static<typeof ProvisionResponse>>
  | Conforms<ReturnType<typeof bulkTaskView>, Static<typeof BulkRegistrationTask>>
  | Conforms<Awaited<ReturnType<typeof deviceResult>>, Static<typeof BulkDeviceResult>>;
