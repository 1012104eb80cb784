import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import {
  acceptedKey,
  acceptedSignature,
  type KeyDescription,
  type SignatureAlgorithm,
} from './algorithms.js';
import { dottedOid, fieldsOf } from './der.js';
import { CertificateError } from './errors.js';
import { readPrivateKey } from './keys.js';

export interface ReadCertificate {
  certificate: X509Certificate;
  signatureAlgorithm: SignatureAlgorithm;
  key: KeyDescription;
}

export interface CheckedCertificate extends ReadCertificate {
  /** AWS IoT's certificate id: the lowercase hex SHA-256 of the DER. */
  certificateId: string;
  /** `AB:CD:...`, as OpenSSL prints it. */
  fingerprint256: string;
  notBefore: Date;
  notAfter: Date;
}

/**
 * Parses the first certificate of `pem` and refuses algorithms AWS IoT would refuse.
 * `what` names the certificate in messages, e.g. "The CA certificate".
 */
export function readCertificate(pem: string, what = 'The certificate'): ReadCertificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (e: unknown) {
    throw new CertificateError(
      'CERTIFICATE_PEM_INVALID',
      `${what} is not a PEM X.509 certificate; send the text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.`,
      { cause: e },
    );
  }
  return {
    certificate,
    signatureAlgorithm: acceptedSignature(signatureOid(certificate.raw), what),
    key: acceptedKey(certificate.publicKey, what),
  };
}

/** Node 20's X509Certificate does not expose the signature algorithm: read it from the DER. */
function signatureOid(der: Uint8Array): string {
  const [, algorithm] = fieldsOf(der);
  return dottedOid(algorithm && fieldsOf(algorithm)[0]);
}

export function checkValidity(
  certificate: X509Certificate,
  now: Date,
  what = 'The certificate',
): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (now < notBefore) {
    throw new CertificateError(
      'CERTIFICATE_NOT_YET_VALID',
      `${what} is not valid before ${notBefore.toISOString()}; check the issuer's clock or use it from then on.`,
    );
  }
  if (now > notAfter) {
    throw new CertificateError(
      'CERTIFICATE_EXPIRED',
      `${what} expired at ${notAfter.toISOString()}; send a current one.`,
    );
  }
  return { notBefore, notAfter };
}

/** For certificates callers upload: parses, refuses what AWS IoT refuses, checks it is valid `now`. */
export function checkCertificatePem(pem: string, now = new Date()): CheckedCertificate {
  const read = readCertificate(pem);
  const { certificate } = read;
  return {
    ...read,
    ...checkValidity(certificate, now),
    certificateId: createHash('sha256').update(certificate.raw).digest('hex'),
    fingerprint256: certificate.fingerprint256,
  };
}

/** Throws CERTIFICATE_CHAIN_INVALID unless `caCertificatePem` issued and signed `certificatePem`. */
export function verifyIssuedBy(certificatePem: string, caCertificatePem: string): void {
  const { certificate } = readCertificate(certificatePem);
  const ca = readCertificate(caCertificatePem, 'The CA certificate').certificate;
  if (!certificate.checkIssued(ca)) {
    throw new CertificateError(
      'CERTIFICATE_CHAIN_INVALID',
      "The certificate's issuer does not match the CA certificate's subject and key identifier; send the CA certificate that issued it.",
    );
  }
  if (!certificate.verify(ca.publicKey)) {
    throw new CertificateError(
      'CERTIFICATE_CHAIN_INVALID',
      "The certificate's signature does not verify with the CA certificate's public key; send the CA certificate that signed it.",
    );
  }
}

export function privateKeyMatchesCertificate(privateKeyPem: string, certificatePem: string): boolean {
  return keyMatches(readCertificate(certificatePem).certificate, readPrivateKey(privateKeyPem));
}

export function keyMatches(certificate: X509Certificate, privateKey: KeyObject): boolean {
  try {
    return certificate.checkPrivateKey(privateKey);
  } catch {
    return false; // OpenSSL refuses to compare keys of different types
  }
}
