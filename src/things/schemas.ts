import Type, { type Static } from 'typebox';

/**
 * What the thing endpoints answer and accept: CDF's `Thing` and `PatchCertificateRequest`, with
 * the full certificate status enum and real group attributes. These schemas are also the
 * OpenAPI document's (api/openapi.ts), so the document cannot drift from the code.
 */
export const CERTIFICATE_STATUSES = [
  'ACTIVE',
  'INACTIVE',
  'REVOKED',
  'PENDING_TRANSFER',
  'REGISTER_INACTIVE',
  'PENDING_ACTIVATION',
] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

const Attributes = Type.Record(Type.String(), Type.String(), {
  description: 'Attribute names to values, as AWS IoT stores them',
});

export const ThingCertificate = Type.Object(
  {
    certificateId: Type.String(),
    arn: Type.String(),
    certificateStatus: Type.Enum(CERTIFICATE_STATUSES, {
      description: "AWS IoT's status, unchanged (CDF folded it to ACTIVE/INACTIVE)",
    }),
    certificatePem: Type.String(),
  },
  { additionalProperties: false },
);

export const ThingPolicy = Type.Object(
  {
    policyName: Type.String(),
    arn: Type.String(),
    policyDocument: Type.String({ description: 'The default version of the policy document, as JSON text' }),
  },
  { additionalProperties: false },
);

export const ThingGroup = Type.Object(
  {
    groupName: Type.String(),
    arn: Type.String(),
    attributes: Attributes,
  },
  { additionalProperties: false },
);

export const Thing = Type.Object(
  {
    thingName: Type.String(),
    arn: Type.String(),
    thingType: Type.Optional(Type.String({ description: 'Absent when the thing has no type' })),
    attributes: Attributes,
    certificates: Type.Array(ThingCertificate, { description: 'Every certificate attached to the thing' }),
    policies: Type.Array(ThingPolicy, {
      description: "Every policy attached to the thing's principals, once each",
    }),
    groups: Type.Array(ThingGroup, { description: 'Every thing group the thing belongs to' }),
  },
  { additionalProperties: false },
);
export type Thing = Static<typeof Thing>;

/** What PATCH may set. `IN_ACTIVE` is how CDF's schema spelt INACTIVE; CDF clients still send it. */
export const PatchCertificateRequest = Type.Object(
  {
    certificateStatus: Type.Enum(['ACTIVE', 'INACTIVE', 'REVOKED', 'IN_ACTIVE'], {
      description: 'The status to give every certificate of the thing; IN_ACTIVE means INACTIVE',
    }),
  },
  { additionalProperties: false },
);
export type PatchCertificateRequest = Static<typeof PatchCertificateRequest>;

/** The body of a partial PATCH failure: which certificates now have the new status. */
export const CertificateStatusPartial = Type.Object(
  {
    code: Type.Literal('CERTIFICATE_STATUS_PARTIAL'),
    message: Type.String(),
    changed: Type.Array(Type.String(), { description: 'Certificate ids that now have the new status' }),
    notChanged: Type.Array(Type.String(), { description: 'Certificate ids that keep their old status' }),
  },
  { additionalProperties: false },
);
