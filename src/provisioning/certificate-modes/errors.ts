import { InvalidInputError } from '../../errors.js';

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
export class ModeInputError extends InvalidInputError {
  declare readonly code: ModeInputErrorCode;

  // eslint-disable-next-line @typescript-eslint/no-useless-constructor -- it narrows `code` to the list above
  constructor(code: ModeInputErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
