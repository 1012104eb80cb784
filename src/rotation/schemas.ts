import Type, { type Static } from 'typebox';
import { InputFile } from '../bulk/request.js';
import { CdfProvisioningParameters } from '../tasks/request.js';
import { CERTIFICATE_ID, ROTATION_MODES } from '../tasks/rotation.js';

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
        pattern: CERTIFICATE_ID.source,
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

/** The largest inline list of things; a longer one goes in a file (inputFile). */
export const MAX_FLEET_THING_NAMES = 10_000;

/**
 * The body of `POST /certificates/rotations`: exactly one way of saying which things (a thing
 * group, a list of thing names, a file of them, or every certificate expiring within N days), and
 * how each is rotated (as a single rotation's body, without certificateId).
 */
export const FleetRotationRequest = Type.Object(
  {
    thingGroupName: Type.Optional(
      Type.String({ pattern: '^[a-zA-Z0-9:_-]{1,128}$', description: 'Every thing in this thing group' }),
    ),
    recursive: Type.Optional(
      Type.Boolean({
        description: 'With thingGroupName: the things of its child groups too (default false)',
      }),
    ),
    thingNames: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
        minItems: 1,
        maxItems: MAX_FLEET_THING_NAMES,
        description: 'These things; for more, an inputFile',
      }),
    ),
    inputFile: Type.Optional(
      InputFile(
        'A file in S3 (POST /bulkthings/uploads hands out the URL to put it): CSV with a ThingName column ' +
          '(and optionally CertificateId) when the key ends in .csv, else NDJSON of such objects',
      ),
    ),
    expiringWithinDays: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 36_500,
        description:
          'The things of every certificate in the inventory that expires within N days (expired ones too), each replacing that certificate',
      }),
    ),
    mode: RotationRequest.properties.mode,
    cdfProvisioningParameters: Type.Optional(RotationCertificateParameters),
    retireOldCertificate: Type.Optional(RetireOldCertificate),
  },
  { additionalProperties: false },
);
export type FleetRotationRequest = Static<typeof FleetRotationRequest>;
