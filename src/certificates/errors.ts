import { invalidInputWithCodes } from '../errors.js';

export type CertificateErrorCode =
  /** Not exactly one PEM certificate (garbage, a key, a CSR, two blocks, text around it, bad DER). */
  | 'CERTIFICATE_PEM_INVALID'
  | 'CERTIFICATE_EXPIRED'
  | 'CERTIFICATE_NOT_YET_VALID'
  /** A signature or key algorithm AWS IoT refuses (MD5/SHA-1 signatures, RSA < 2048, other curves). */
  | 'CERTIFICATE_ALGORITHM_UNSUPPORTED'
  | 'CERTIFICATE_CHAIN_INVALID'
  /** A self-signed certificate whose signature does not verify with its own key: it was altered. */
  | 'CERTIFICATE_SIGNATURE_INVALID'
  | 'CSR_INVALID'
  | 'CSR_SIGNATURE_INVALID'
  | 'PRIVATE_KEY_INVALID'
  | 'PUBLIC_KEY_INVALID'
  | 'CA_KEY_MISMATCH'
  /** The certificate given as a CA is not one (basicConstraints CA:FALSE, or keyUsage without keyCertSign). */
  | 'CA_CERTIFICATE_INVALID'
  | 'CERT_INFO_INVALID';

/** Every certificate problem is the caller's (or the CA's owner's) to fix: retrying cannot help. */
export class CertificateError extends invalidInputWithCodes<CertificateErrorCode>() {}
