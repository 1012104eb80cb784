import { invalidInputWithCodes } from '../../errors.js';

export type CaErrorCode =
  /** createDeviceCertificate without `cdfProvisioningParameters.caId`. */
  | 'CA_ID_REQUIRED'
  /** No CA certificate with that id is registered in AWS IoT. */
  | 'CA_NOT_FOUND'
  /** The CA is registered but not ACTIVE, so AWS IoT would refuse what it signs. */
  | 'CA_NOT_ACTIVE'
  /** The CA's private key is not in SSM under the configured name. */
  | 'CA_KEY_NOT_FOUND'
  /** The SSM parameter holding the CA key is not a SecureString. */
  | 'CA_KEY_NOT_SECURE'
  /** An alias that no `PCA_<ALIAS>` / `CA_<ALIAS>` variable defines. */
  | 'CA_ALIAS_UNKNOWN'
  /** An ARN given in the request or template that is not an ARN of the right kind. */
  | 'CA_ARN_INVALID'
  /** ACM PCA mode without a PCA CA, or REGISTER_WITH_CA without an AWS IoT CA. */
  | 'CA_REQUIRED'
  | 'PCA_NOT_FOUND'
  | 'PCA_NOT_ACTIVE'
  /** The PCA CA's key algorithm has no signing algorithm AWS IoT accepts. */
  | 'PCA_KEY_ALGORITHM_UNSUPPORTED';

/**
 * Problems with the CA a request names, or with how that CA is set up. All are answered 400 at
 * submit (a task is never recorded for them) and end a task FAILED if they appear later, e.g. when
 * a CA is deactivated between submit and work: retrying cannot help.
 */
export class CaError extends invalidInputWithCodes<CaErrorCode>() {}

/** The CA's key is not in SSM under the configured name (the message names the parameter to create). */
export const caKeyNotFound = (caId: string, parameterName: string, options?: ErrorOptions) =>
  new CaError(
    'CA_KEY_NOT_FOUND',
    `The private key of CA '${caId}' is not in SSM: store it (PEM) as SecureString parameter '${parameterName}'`,
    options,
  );

/** The CA's key is stored in clear text. */
export const caKeyNotSecure = (caId: string, parameterName: string, type: string | undefined) =>
  new CaError(
    'CA_KEY_NOT_SECURE',
    `SSM parameter '${parameterName}' holds the key of CA '${caId}' in clear text (${type ?? 'no type'}); ` +
      'store it again as a SecureString',
  );
