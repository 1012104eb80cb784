import { invalidInputWithCodes } from '../../errors.js';

export type ModeInputErrorCode =
  /** A mode that makes a certificate without a CSR needs `certInfo` for its subject. */
  | 'CERT_INFO_REQUIRED'
  /** registerDeviceCertificateWithoutCA without `certificatePem`. */
  | 'CERTIFICATE_PEM_REQUIRED'
  /** The same setting given twice (both spellings, or request and template) with different values. */
  | 'CDF_PARAMETERS_CONFLICT'
  /** The ACM PCA certificate was not issued by the AWS IoT CA the request names. */
  | 'CA_MISMATCH';

/** A request's `cdfProvisioningParameters` do not fit the template's certificate mode. */
export class ModeInputError extends invalidInputWithCodes<ModeInputErrorCode>() {}
