import Type, { type Static } from 'typebox';
import { CertInfo } from '../certificates/cert-info.js';
import { PARAMETER_NAME } from '../templates/parameters.js';

/**
 * The CDF `ProvisionRequest`, the body of `POST /things` and of messages that upstream systems
 * publish straight to the requests queue. Limits keep one request well inside DynamoDB's item
 * and SQS's message size.
 */
const Pem = (what: string) =>
  Type.String({ minLength: 1, maxLength: 16_384, description: `${what}, PEM encoded` });

const Name = Type.String({ minLength: 1, maxLength: 2048 });

export const CdfProvisioningParameters = Type.Object(
  {
    caId: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$', description: 'AWS IoT CA certificate id' })),
    certInfo: Type.Optional(CertInfo),
    keyAlgorithm: Type.Optional(Type.Union([Type.Literal('RSA-2048'), Type.Literal('EC-P256')])),
    certificatePem: Type.Optional(Pem('Device certificate')),
    certificateStatus: Type.Optional(Type.Union([Type.Literal('ACTIVE'), Type.Literal('INACTIVE')])),
    csr: Type.Optional(Pem('Certificate signing request')),
    // CDF's schema spelled these `amcpca*` and its examples `acmpca*`: both are accepted.
    acmpcaCaArn: Type.Optional(Name),
    acmpcaCaAlias: Type.Optional(Name),
    amcpcaCaArn: Type.Optional(Name),
    amcpcaCaAlias: Type.Optional(Name),
    awsiotCaArn: Type.Optional(Name),
    awsiotCaAlias: Type.Optional(Name),
  },
  { additionalProperties: false },
);
export type CdfProvisioningParameters = Static<typeof CdfProvisioningParameters>;

export const TemplateId = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$',
  description: 'Name of a provisioning template stored in the templates bucket',
});

export const ProvisionRequest = Type.Object(
  {
    provisioningTemplateId: TemplateId,
    parameters: Type.Record(Type.String({ pattern: PARAMETER_NAME }), Type.String({ maxLength: 16_384 }), {
      maxProperties: 100,
      // Without it a name the pattern refuses is not checked at all, its value included.
      additionalProperties: false,
      default: {},
      description:
        'Template parameter values by name; a name is 1-128 of A-Z a-z 0-9 : _ . - and not one every ' +
        'JavaScript object already has (__proto__, constructor, toString, ...)',
    }),
    cdfProvisioningParameters: Type.Optional(CdfProvisioningParameters),
  },
  { additionalProperties: false },
);
export type ProvisionRequest = Static<typeof ProvisionRequest>;

export const TaskId = Type.String({
  // `bulk:` ids name the devices of bulk tasks (see task-key.ts): clients cannot choose them.
  pattern: '^(?!bulk:)[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$',
  description: 'Task id: letters, digits and _ . : -, at most 128 characters, not starting with bulk:',
});
