import {
  CertificateError,
  parseCsr,
  validateCertInfo,
  type CertInfo,
  type DeviceKeyAlgorithm,
  type ParsedCsr,
} from '../../certificates/index.js';
import type { CdfProvisioningParameters, ProvisionRequest } from '../../tasks/request.js';
import type { CdfBlock } from '../../templates/cdf-block.js';
import { ModeInputError } from './errors.js';

/** What the request's `cdfProvisioningParameters` say, read the same way at submit and in the worker. */
export const parametersOf = (
  request: Pick<ProvisionRequest, 'cdfProvisioningParameters'>,
): CdfProvisioningParameters => request.cdfProvisioningParameters ?? {};

/** The request's choice, then the template's, then CDF's RSA-2048. */
export function keyAlgorithmOf(request: ProvisionRequest, cdf: CdfBlock): DeviceKeyAlgorithm {
  return parametersOf(request).keyAlgorithm ?? cdf.keyAlgorithm ?? 'RSA-2048';
}

/** One setting CDF spelled two ways (`acmpcaCaArn` / `amcpcaCaArn`): either, or both if they agree. */
export function eitherSpelling(
  parameters: CdfProvisioningParameters,
  spellings: [keyof CdfProvisioningParameters, keyof CdfProvisioningParameters],
): string | undefined {
  const [a, b] = spellings.map((s) => parameters[s]) as [unknown, unknown];
  if (a !== undefined && b !== undefined && a !== b) {
    throw new ModeInputError(
      'CDF_PARAMETERS_CONFLICT',
      `cdfProvisioningParameters gives ${spellings[0]} and ${spellings[1]} with different values; send one of them`,
    );
  }
  const value = a ?? b;
  return typeof value === 'string' ? value : undefined;
}

/** The device's CSR, parsed and checked, when the request carries one. */
export function csrOf(parameters: CdfProvisioningParameters): ParsedCsr | undefined {
  return parameters.csr === undefined ? undefined : parseCsr(parameters.csr);
}

/**
 * The certificate's subject: `certInfo`, or else the CSR's own subject. Without either there is
 * nothing to put in the certificate.
 */
export function subjectOf(parameters: CdfProvisioningParameters, csr: ParsedCsr | undefined): CertInfo {
  if (parameters.certInfo !== undefined) return validateCertInfo(parameters.certInfo);
  if (csr === undefined) {
    throw new ModeInputError(
      'CERT_INFO_REQUIRED',
      'cdfProvisioningParameters.certInfo is required (at least {"country": "US"}) for the device ' +
        "certificate's subject, unless a csr is sent",
    );
  }
  if (csr.subject.country === undefined) {
    throw new CertificateError(
      'CERT_INFO_INVALID',
      "The CSR's subject has no country (C); send cdfProvisioningParameters.certInfo with at least a country",
    );
  }
  return validateCertInfo({ ...csr.subject, country: csr.subject.country });
}

/** `certInfo.daysExpiry`, or the configured default. */
export const daysOf = (parameters: CdfProvisioningParameters, defaultDays: number): number =>
  parameters.certInfo?.daysExpiry ?? defaultDays;
