import Type, { type Static } from 'typebox';
import { CdfProvisioningParameters } from '../tasks/request.js';
import { RETIREMENT_STATUSES, ROTATION_MODES } from '../tasks/rotation.js';

/** A grace period of at most ten years, in days or seconds (seconds for tests and short trials). */
const MAX_GRACE_DAYS = 3650;

export const RetireOldCertificate = Type.Union(
  [
    Type.Literal('now'),
    Type.Literal('never'),
    Type.Object(
      { afterDays: Type.Integer({ minimum: 0, maximum: MAX_GRACE_DAYS }) },
      { additionalProperties: false },
    ),
    Type.Object(
      { afterSeconds: Type.Integer({ minimum: 0, maximum: MAX_GRACE_DAYS * 86_400 }) },
      { additionalProperties: false },
    ),
  ],
  {
    description:
      'When the replaced certificate is retired (detached, INACTIVE): "now", after a grace period ' +
      '({"afterDays": N} or {"afterSeconds": N}, counted from when the new certificate is in place), ' +
      'or "never" automatically. Default {"afterDays": 7}',
  },
);
export type RetireOldCertificate = Static<typeof RetireOldCertificate>;

/** `retireOldCertificate` when the request says nothing: a week for devices to pick up the new one. */
export const DEFAULT_RETIRE: RetireOldCertificate = { afterDays: 7 };

/** A new certificate's status is always ACTIVE: a rotation never leaves a device with none. */
const RotationCertificateParameters = Type.Omit(CdfProvisioningParameters, ['certificateStatus'], {
  additionalProperties: false,
});

/** The body of `POST /things/{thingName}/certificates/rotations`. */
export const RotationRequest = Type.Object(
  {
    certificateId: Type.Optional(
      Type.String({
        pattern: '^[0-9a-f]{64}$',
        description:
          "The certificate to replace; default: the thing's only ACTIVE certificate (409 if it has several)",
      }),
    ),
    mode: Type.Optional(
      Type.Enum([...ROTATION_MODES], {
        description:
          'How the new certificate is made: own-ca (createDeviceCertificate), acm-pca, aws ' +
          '(createDeviceAWSCertificate), aws-csr (AWS IoT signs the CSR), registered ' +
          "(registerDeviceCertificateWithoutCA). Default: the replaced certificate's, from the inventory",
      }),
    ),
    cdfProvisioningParameters: Type.Optional(RotationCertificateParameters),
    retireOldCertificate: Type.Optional(RetireOldCertificate),
  },
  { additionalProperties: false },
);
export type RotationRequest = Static<typeof RotationRequest>;

/** `rotation` in a finished rotation's task (src/tasks/rotation.ts's RotationOutcome). */
export const RotationSummary = Type.Object(
  {
    replacedCertificateId: Type.String(),
    retirement: Type.Object(
      {
        status: Type.Enum([...RETIREMENT_STATUSES], {
          description:
            'KEPT: retireOldCertificate "never"; BLOCKED: a retirement rule refused it (code, reason)',
        }),
        retireAt: Type.Optional(Type.String({ format: 'date-time' })),
        retiredAt: Type.Optional(Type.String({ format: 'date-time' })),
        deleteAt: Type.Optional(Type.String({ format: 'date-time' })),
        code: Type.Optional(Type.String()),
        reason: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'A rotation: the certificate it replaced and its retirement' },
);
