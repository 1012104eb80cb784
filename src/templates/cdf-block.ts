import Type, { type Static } from 'typebox';
import { InvalidInputError } from '../errors.js';
import { validator } from '../validation.js';
import { IOT } from './iot-constraints.js';

/**
 * The `CDF` block of a template: CDF's extensions to AWS provisioning templates, kept so CDF
 * templates work unchanged. Unknown keys are refused: a misspelt mode would otherwise silently
 * provision a device without the certificate its owner asked for.
 */
const PolicyRef = Type.Object(
  {
    name: Type.String({ pattern: IOT.policyName.pattern.source }),
    document: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Object({})])),
  },
  { additionalProperties: false },
);

export const CdfBlock = Type.Object(
  {
    createDeviceCertificate: Type.Optional(Type.Boolean()),
    createDeviceAWSCertificate: Type.Optional(Type.Boolean()),
    registerDeviceCertificateWithoutCA: Type.Optional(Type.Boolean()),
    acmpca: Type.Optional(
      Type.Object(
        {
          mode: Type.Union([Type.Literal('REGISTER_WITH_CA'), Type.Literal('REGISTER_WITHOUT_CA')]),
          acmpcaCaArn: Type.Optional(Type.String()),
          acmpcaCaAlias: Type.Optional(Type.String()),
          awsiotCaArn: Type.Optional(Type.String()),
          awsiotCaAlias: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    keyAlgorithm: Type.Optional(Type.Union([Type.Literal('RSA-2048'), Type.Literal('EC-P256')])),
    attachAdditionalPolicies: Type.Optional(
      Type.Union([
        Type.Array(PolicyRef),
        Type.Object({ policies: Type.Array(PolicyRef) }, { additionalProperties: false }),
      ]),
    ),
    clientIdMustMatchThingName: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CdfBlock = Static<typeof CdfBlock>;

const check = validator(CdfBlock);

export function parseCdfBlock(raw: unknown): CdfBlock {
  if (raw === undefined) return {};
  const problems = check.problems(raw);
  if (problems.length > 0) {
    throw new InvalidInputError(
      'TEMPLATE_CDF_INVALID',
      `The template's CDF block is invalid: ${problems.join('; ')}`,
    );
  }
  return raw as CdfBlock;
}

/**
 * CDF's certificate pre-steps and the template parameters each supplies (its values overwrite the
 * caller's of the same name), so a caller need not send them. CDF ran exactly one pre-step,
 * chosen in this order.
 */
export const CERTIFICATE_MODE_INJECTS = {
  createDeviceCertificate: ['CertificatePem', 'CaCertificatePem', 'CertificateId', 'CertificateArn'],
  createDeviceAWSCertificate: ['CertificateId', 'CertificateArn'],
  registerDeviceCertificateWithoutCA: ['CertificateId', 'CertificateArn', 'CertificatePem'],
  acmpca: ['CertificateId', 'CertificateArn', 'CertificatePem'],
} as const;

export type CertificateModeName = keyof typeof CERTIFICATE_MODE_INJECTS;
export const CERTIFICATE_MODE_NAMES = Object.keys(CERTIFICATE_MODE_INJECTS) as CertificateModeName[];

/** The parameters a mode hands the template: exactly the ones it is declared to inject. */
export type InjectedParameters<N extends CertificateModeName> = Record<
  (typeof CERTIFICATE_MODE_INJECTS)[N][number],
  string
>;

export function selectCertificateMode(cdf: CdfBlock): CertificateModeName | undefined {
  if (cdf.createDeviceCertificate === true) return 'createDeviceCertificate';
  if (cdf.createDeviceAWSCertificate === true) return 'createDeviceAWSCertificate';
  if (cdf.registerDeviceCertificateWithoutCA === true) return 'registerDeviceCertificateWithoutCA';
  if (cdf.acmpca !== undefined) return 'acmpca';
  return undefined;
}
