import Type from 'typebox';
import { CERTIFICATE_MODES } from './model.js';

/**
 * What the certificate endpoints answer and accept; also the OpenAPI document's schemas, so the
 * document cannot drift from the code. Closed, so a field the code adds fails the
 * answers-match-the-document test.
 */
export const CERTIFICATE_ID_PATTERN = '^[0-9a-fA-F]{64}$';
export const CertificateId = Type.String({
  pattern: CERTIFICATE_ID_PATTERN,
  description: "AWS IoT's certificate id (64 hexadecimal digits)",
});

const DateTime = Type.String({ format: 'date-time' });

export const InventoryCertificate = Type.Object(
  {
    certificateId: Type.String(),
    certificateArn: Type.String(),
    thingName: Type.Optional(Type.String()),
    notBefore: DateTime,
    notAfter: DateTime,
    issuer: Type.String({ description: "The issuer's distinguished name" }),
    keyAlgorithm: Type.Optional(Type.String({ description: 'RSA-2048, EC-P256, …' })),
    mode: Type.Enum(CERTIFICATE_MODES, { description: 'How the certificate was made (README)' }),
    caId: Type.Optional(Type.String({ description: 'The AWS IoT CA certificate behind it' })),
    pcaArn: Type.Optional(Type.String({ description: 'The ACM Private CA that issued it' })),
    deviceKey: Type.Optional(
      Type.Boolean({ description: 'True when the device holds a key the service never saw' }),
    ),
    status: Type.String({
      description: "AWS IoT's status as last seen, or RETIRED / DELETED (by this service)",
    }),
    source: Type.Enum(['task', 'backfill', 'retirement']),
    taskId: Type.Optional(Type.String()),
    backfillJobId: Type.Optional(Type.String()),
    recordedAt: DateTime,
    updatedAt: DateTime,
    retiredAt: Type.Optional(DateTime),
    deletedAt: Type.Optional(DateTime),
  },
  { additionalProperties: false },
);

export const CertificateList = Type.Object(
  {
    certificates: Type.Array(InventoryCertificate),
    nextToken: Type.Optional(
      Type.String({ description: 'Pass it back with the same query for the next page' }),
    ),
  },
  { additionalProperties: false },
);

export const RetireRequest = Type.Object(
  {
    force: Type.Optional(
      Type.Boolean({
        description: "Retire it even if it is the thing's last ACTIVE certificate (the device loses access)",
      }),
    ),
    at: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Retire it at this time instead of now (scheduled; a time past is due at once)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const Retirement = Type.Object(
  {
    certificateId: Type.String(),
    thingName: Type.String(),
    status: Type.Enum(['SCHEDULED', 'RETIRED', 'DELETED', 'BLOCKED']),
    retireAt: Type.Optional(Type.String({ format: 'date-time', description: 'When it is to be retired' })),
    retiredAt: Type.Optional(DateTime),
    deleteAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the retired certificate is to be deleted' }),
    ),
    reason: Type.Optional(
      Type.String({ description: 'Why a scheduled retirement did not happen, or what became of it' }),
    ),
  },
  { additionalProperties: false },
);

export const CertificateDetail = Type.Object(
  { ...InventoryCertificate.properties, retirement: Type.Optional(Retirement) },
  { additionalProperties: false },
);

export const BackfillJob = Type.Object(
  {
    jobId: Type.String(),
    status: Type.Enum(['PENDING', 'RUNNING', 'COMPLETED', 'FAILED']),
    createdAt: DateTime,
    updatedAt: DateTime,
    startedAt: Type.Optional(DateTime),
    finishedAt: Type.Optional(DateTime),
    pages: Type.Integer({ description: 'Pages of ListCertificates read so far' }),
    examined: Type.Integer({ description: 'Certificates looked at' }),
    recorded: Type.Integer({ description: 'Certificates this job added to the inventory' }),
    known: Type.Integer({ description: 'Certificates the inventory had already' }),
    vanished: Type.Integer({ description: 'Certificates deleted between the listing and the reading' }),
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  },
  { additionalProperties: false },
);
