import Type, { type Static } from 'typebox';

/**
 * What the CLI reads from the API (ISSUE9-CONTRACT.md), checked before use. Only the fields the
 * CLI relies on are required; anything else the API adds passes through untouched.
 */
const ErrorBody = Type.Object({ code: Type.String(), message: Type.String() });

export const BulkStatus = Type.Union([
  Type.Literal('Pending'),
  Type.Literal('InProgress'),
  Type.Literal('Completed'),
  Type.Literal('CompletedWithFailures'),
  Type.Literal('Failed'),
  Type.Literal('Cancelled'),
]);
export type BulkStatus = Static<typeof BulkStatus>;
export const BULK_FINISHED: readonly BulkStatus[] = [
  'Completed',
  'CompletedWithFailures',
  'Failed',
  'Cancelled',
];

export const BulkTaskView = Type.Object({
  taskId: Type.String({ minLength: 1 }),
  status: BulkStatus,
  successCount: Type.Integer({ minimum: 0 }),
  failureCount: Type.Integer({ minimum: 0 }),
  skippedCount: Type.Optional(Type.Integer({ minimum: 0 })),
  totalCount: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  percentageProgress: Type.Optional(Type.Number()),
  creationDate: Type.Optional(Type.String()),
  lastModifiedDate: Type.Optional(Type.String()),
  dryRun: Type.Optional(Type.Boolean()),
  existingThings: Type.Optional(Type.String()),
  retryOf: Type.Optional(Type.String()),
  provisioningTemplateId: Type.Optional(Type.String()),
  source: Type.Optional(Type.String()),
  problemCounts: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 0 }))),
  error: Type.Optional(ErrorBody),
});
export type BulkTaskView = Static<typeof BulkTaskView>;

export const DeviceStatus = Type.Union([
  Type.Literal('SUCCEEDED'),
  Type.Literal('FAILED'),
  Type.Literal('SKIPPED'),
]);

/** One line of `GET /bulkthings/{id}/results` (paged or NDJSON). */
export const DeviceResult = Type.Object({
  line: Type.Integer({ minimum: 1 }),
  status: Type.Union([DeviceStatus, Type.Literal('PENDING'), Type.Literal('RUNNING')]),
  thingName: Type.Union([Type.String(), Type.Null()]),
  certificateId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  certificatePem: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  certificateChainPem: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  privateKey: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  resourceArns: Type.Optional(Type.Record(Type.String(), Type.String())),
  error: Type.Optional(ErrorBody),
  warning: Type.Optional(ErrorBody),
});
export type DeviceResult = Static<typeof DeviceResult>;

export const BulkTaskList = Type.Object({
  tasks: Type.Array(BulkTaskView),
  nextToken: Type.Optional(Type.String()),
});
export type BulkTaskList = Static<typeof BulkTaskList>;

export const TaskStatus = Type.Union([
  Type.Literal('PENDING'),
  Type.Literal('RUNNING'),
  Type.Literal('SUCCEEDED'),
  Type.Literal('FAILED'),
]);

/** `GET /provisioningtasks/{id}`: a single device's task, with CDF's ProvisionResponse when done. */
export const TaskView = Type.Object({
  taskId: Type.String({ minLength: 1 }),
  status: TaskStatus,
  createdAt: Type.Optional(Type.String()),
  updatedAt: Type.Optional(Type.String()),
  provisioningTemplateId: Type.Optional(Type.String()),
  thingName: Type.Optional(Type.String()),
  certificatePem: Type.Optional(Type.String()),
  certificateChainPem: Type.Optional(Type.String()),
  privateKey: Type.Optional(Type.String()),
  resourceArns: Type.Optional(Type.Record(Type.String(), Type.String())),
  error: Type.Optional(ErrorBody),
  /** A certificate rotation's: the certificate it replaced and that one's retirement. */
  rotation: Type.Optional(
    Type.Object({
      replacedCertificateId: Type.String(),
      retirement: Type.Object({
        status: Type.String(),
        retireAt: Type.Optional(Type.String()),
        code: Type.Optional(Type.String()),
        reason: Type.Optional(Type.String()),
      }),
    }),
  ),
});
export type TaskView = Static<typeof TaskView>;

export const TaskList = Type.Object({
  tasks: Type.Array(TaskView),
  nextToken: Type.Optional(Type.String()),
});
export type TaskList = Static<typeof TaskList>;

/** `POST /things` answers 201 (done), 202 (still running) or the task's error. */
export const ProvisionAnswer = Type.Object({
  taskId: Type.String({ minLength: 1 }),
  status: Type.Optional(TaskStatus),
  certificatePem: Type.Optional(Type.String()),
  privateKey: Type.Optional(Type.String()),
  resourceArns: Type.Optional(Type.Record(Type.String(), Type.String())),
});

export const UploadTicket = Type.Object({
  uploadUrl: Type.String({ minLength: 1 }),
  method: Type.Literal('PUT'),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  inputFile: Type.Object({ bucket: Type.String(), key: Type.String() }),
  expiresAt: Type.Optional(Type.String()),
});
export type UploadTicket = Static<typeof UploadTicket>;

export const PurgeAnswer = Type.Object({ purged: Type.Integer({ minimum: 0 }) });

export const ApiErrorBody = ErrorBody;
