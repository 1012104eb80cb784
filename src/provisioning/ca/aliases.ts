import type { CertificateConfig } from '../../config.js';
import { CaError } from './errors.js';

const PCA_ARN = /^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[0-9a-f-]{1,64}$/;
const IOT_CA_ARN = /^arn:aws[a-z-]*:iot:[a-z0-9-]+:\d{12}:cacert\/([0-9a-f]{64})$/;

/** A CA as a request or template names it: by ARN or by alias. `where` says where, for messages. */
export interface CaReference {
  arn?: string;
  alias?: string;
  where: string;
}

/** The environment variable that defines `alias`: CDF upper-cased the alias. */
export const aliasVariable = (prefix: 'PCA' | 'CA', alias: string) =>
  `${prefix}_${alias.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;

function lookUp(
  reference: CaReference,
  prefix: 'PCA' | 'CA',
  aliases: Record<string, string>,
  what: string,
): string | undefined {
  if (reference.arn !== undefined && reference.alias !== undefined) {
    throw new CaError(
      'CA_ARN_INVALID',
      `${reference.where} names the ${what} both by ARN and by alias; give one of the two`,
    );
  }
  if (reference.alias === undefined) return reference.arn;
  const variable = aliasVariable(prefix, reference.alias);
  const arn = aliases[variable.slice(prefix.length + 1)];
  if (arn === undefined) {
    throw new CaError(
      'CA_ALIAS_UNKNOWN',
      `${reference.where} names the ${what} by alias '${reference.alias}', which is not configured: ` +
        `set environment variable ${variable} to the ${what}'s ARN`,
    );
  }
  return arn;
}

/** The first reference that names a CA wins: the request's before the template's. */
function firstNamed(references: CaReference[]): CaReference | undefined {
  return references.find((r) => r.arn !== undefined || r.alias !== undefined);
}

/** The ACM PCA CA's ARN. */
export function resolvePcaArn(
  references: CaReference[],
  config: Pick<CertificateConfig, 'pcaAliases'>,
): string {
  const reference = firstNamed(references);
  const arn = reference && lookUp(reference, 'PCA', config.pcaAliases, 'ACM PCA certificate authority');
  if (reference === undefined || arn === undefined) {
    throw new CaError(
      'CA_REQUIRED',
      'ACM PCA mode needs the certificate authority: send cdfProvisioningParameters.acmpcaCaArn or ' +
        "acmpcaCaAlias, or set acmpcaCaArn/acmpcaCaAlias in the template's CDF.acmpca block",
    );
  }
  if (!PCA_ARN.test(arn)) {
    throw new CaError(
      'CA_ARN_INVALID',
      `${reference.where}: '${arn}' is not an ACM PCA certificate authority ARN ` +
        '(arn:aws:acm-pca:<region>:<account>:certificate-authority/<id>)',
    );
  }
  return arn;
}

/** The AWS IoT CA's ARN and certificate id (REGISTER_WITH_CA). */
export function resolveIotCa(
  references: CaReference[],
  config: Pick<CertificateConfig, 'iotCaAliases'>,
): { arn: string; caId: string } {
  const reference = firstNamed(references);
  const arn = reference && lookUp(reference, 'CA', config.iotCaAliases, 'AWS IoT CA certificate');
  if (reference === undefined || arn === undefined) {
    throw new CaError(
      'CA_REQUIRED',
      'ACM PCA mode REGISTER_WITH_CA needs the AWS IoT CA: send cdfProvisioningParameters.awsiotCaArn or ' +
        "awsiotCaAlias, or set awsiotCaArn/awsiotCaAlias in the template's CDF.acmpca block",
    );
  }
  const caId = IOT_CA_ARN.exec(arn)?.[1];
  if (caId === undefined) {
    throw new CaError(
      'CA_ARN_INVALID',
      `${reference.where}: '${arn}' is not an AWS IoT CA certificate ARN ` +
        '(arn:aws:iot:<region>:<account>:cacert/<64 hex digits>)',
    );
  }
  return { arn, caId };
}
