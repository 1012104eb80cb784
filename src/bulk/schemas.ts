import Type from 'typebox';

/**
 * What the bulk endpoints answer: CDF's `BulkRegistrationTask`, and every device's outcome. The
 * answers are typed from these schemas (view.ts), which the OpenAPI document also publishes; the
 * schemas are closed, so an answer with a field they do not name fails the answers-match-the-
 * document test.
 */
const ErrorSummary = Type.Object(
  { code: Type.String(), message: Type.String() },
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
    status: Type.Enum(['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED']),
    thingName: Nullable(Type.String()),
    certificateId: Nullable(Type.String()),
    certificatePem: Type.Optional(Nullable(Type.String())),
    privateKey: Type.Optional(Nullable(Type.String())),
    resourceArns: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description:
          "ARNs by the template's logical names, plus CDF's keys thing, certificate, policyLogicalName",
      }),
    ),
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
