import Type from 'typebox';
import { ROTATION_MODES } from '../tasks/rotation.js';
import { RotationSummary } from '../tasks/rotation-summary.js';

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

/** Also a single device's (api/openapi/response-schemas.ts). */
export const CertificateChainPem = Type.String({
  description:
    'The CA chain that issued the certificate, PEM, issuing CA first, up to the root as far as the service ' +
    "knows it: with createDeviceCertificate (the account's own CA) and acmpca (ACM PCA's chain); absent where " +
    "AWS IoT signed the certificate (the CA is Amazon's) or the caller brought it",
});

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

/** A fleet rotation's settings, on its bulk task (POST /certificates/rotations). */
const FleetRotationView = Type.Object(
  {
    selection: Type.Enum(['things', 'thingGroup', 'expiring'], {
      description: 'Which things: a list (inline or a file), a thing group, or certificates expiring soon',
    }),
    thingGroupName: Type.Optional(Type.String()),
    recursive: Type.Optional(Type.Boolean()),
    expiringWithinDays: Type.Optional(Type.Integer({ minimum: 0 })),
    mode: Type.Optional(Type.Enum([...ROTATION_MODES])),
    retireOldCertificate: Type.Union([
      Type.Literal('now'),
      Type.Literal('never'),
      Type.Object({ afterSeconds: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
    ]),
  },
  {
    additionalProperties: false,
    description:
      "A fleet rotation: every line rotates its thing's certificate; provisioningTemplateId is ':rotation'",
  },
);

export const BulkRegistrationTask = Type.Object(
  {
    taskId: Type.String(),
    status: Type.Enum(['Pending', 'InProgress', 'Completed', 'CompletedWithFailures', 'Failed', 'Cancelled']),
    percentageProgress: Type.Integer({ minimum: 0, maximum: 100 }),
    successCount: Type.Integer({ minimum: 0, description: 'A dry run: lines that would work' }),
    failureCount: Type.Integer({ minimum: 0, description: 'A dry run: lines with a problem' }),
    skippedCount: Type.Integer({
      minimum: 0,
      description: "Lines not provisioned because their thing has a certificate (existingThings 'skip')",
    }),
    totalCount: Nullable(Type.Integer({ minimum: 0, description: 'null until the input has been read' })),
    creationDate: Type.String({ format: 'date-time' }),
    lastModifiedDate: Type.String({ format: 'date-time' }),
    provisioningTemplateId: Type.String(),
    source: Type.Enum(['parameters', 'csv', 'inputFile', 'retry', 'selection'], {
      description:
        "Where the lines came from: inline parameters, a CSV body, an input file, a retry, or a fleet rotation's " +
        'selection (a thing group, or the certificates expiring soon)',
    }),
    dryRun: Type.Boolean(),
    existingThings: Type.Enum(['refuse', 'skip', 'provision']),
    retryOf: Type.Optional(Type.String({ description: 'The task whose failed lines this one retries' })),
    rotation: Type.Optional(FleetRotationView),
    problemCounts: Type.Optional(
      Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
        description: "A dry run's problem lines by code",
      }),
    ),
    error: Type.Optional(ErrorSummary),
  },
  { additionalProperties: false },
);

export const BulkDeviceResult = Type.Object(
  {
    line: Type.Integer({ minimum: 1 }),
    status: Type.Enum(['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED']),
    thingName: Nullable(Type.String()),
    certificateId: Nullable(Type.String()),
    certificatePem: Type.Optional(Nullable(Type.String())),
    certificateChainPem: Type.Optional(CertificateChainPem),
    privateKey: Type.Optional(Nullable(Type.String())),
    resourceArns: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description:
          "ARNs by the template's logical names, plus CDF's keys thing, certificate, policyLogicalName",
      }),
    ),
    rotation: Type.Optional(RotationSummary),
    error: Type.Optional(ErrorSummary),
    warning: Type.Optional(ErrorSummary),
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

export const BulkTaskList = Type.Object(
  { tasks: Type.Array(BulkRegistrationTask), nextToken: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

export const UploadTicket = Type.Object(
  {
    uploadUrl: Type.String({ description: 'A pre-signed S3 PUT URL' }),
    method: Type.Literal('PUT'),
    headers: Type.Record(Type.String(), Type.String(), {
      description: 'Send exactly these headers with the PUT',
    }),
    inputFile: Type.Object(
      { bucket: Type.String(), key: Type.String() },
      { additionalProperties: false, description: "Then submit POST /bulkthings with this as 'inputFile'" },
    ),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export const KeysPurged = Type.Object(
  {
    purged: Type.Integer({ minimum: 0 }),
    complete: Type.Boolean({
      description: 'false: the time ran out before every key was removed; call again',
    }),
  },
  { additionalProperties: false },
);
