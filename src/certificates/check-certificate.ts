import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { Certificate } from 'pkijs';
import {
  acceptedKey,
  acceptedSignature,
  type KeyDescription,
  type SignatureAlgorithm,
} from './algorithms.js';
import { dottedOid, fieldsOf } from './der.js';
import { CertificateError } from './errors.js';
import { readPrivateKey } from './keys.js';
import { readPem, readPemBundle } from './pem.js';

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

export function invalidPem(what: string, problem: string, cause?: unknown): CertificateError {
  return new CertificateError(
    'CERTIFICATE_PEM_INVALID',
    `${what} ${problem}; send one PEM X.509 certificate, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----, and nothing else.`,
    { cause },
  );
}

export function parseDer(der: Buffer, what: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (e: unknown) {
    throw invalidPem(what, 'is not an X.509 certificate', e);
  }
}

/**
 * Parses a PEM certificate strictly (`readPem`: one block, nothing around it, complete DER) and
 * refuses algorithms AWS IoT would refuse. `what` names the certificate in messages, e.g.
 * "The CA certificate".
 */
export function readCertificate(pem: string, what = 'The certificate'): ReadCertificate {
  const read = readPem(pem, ['CERTIFICATE']);
  if ('problem' in read) throw invalidPem(what, read.problem);
  return describe(parseDer(read.der, what), what);
}

function describe(certificate: X509Certificate, what: string): ReadCertificate {
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

/**
 * For certificates callers upload: read strictly, refused for what AWS IoT refuses, valid `now`,
 * and, when it is self-signed, its signature verified (CERTIFICATE_SIGNATURE_INVALID).
 *
 * What is and is not checked: a self-signed certificate carries the key that signed it, so a
 * tampered one (any byte of what it signs, or of the signature) is caught here. A certificate
 * signed by another CA can only be verified with that CA's certificate, which
 * registerDeviceCertificateWithoutCA does not have (nor does AWS IoT when it registers without a
 * CA): for those, only the encoding, the algorithms and the validity period are checked, and a
 * changed byte goes unnoticed until a TLS peer that trusts the CA refuses the certificate.
 */
export function checkCertificatePem(pem: string, now = new Date()): CheckedCertificate {
  const read = readCertificate(pem);
  const { certificate } = read;
  const validity = checkValidity(certificate, now);
  if (isSelfSigned(certificate) && !verifies(certificate, certificate)) {
    throw new CertificateError(
      'CERTIFICATE_SIGNATURE_INVALID',
      'The certificate is self-signed (its issuer is its subject), but its signature does not verify with its own public key: it was altered after signing; send the certificate as it was issued.',
    );
  }
  return {
    ...read,
    ...validity,
    certificateId: createHash('sha256').update(certificate.raw).digest('hex'),
    fingerprint256: certificate.fingerprint256,
  };
}

const SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
const AUTHORITY_KEY_IDENTIFIER = '2.5.29.35';

/**
 * Issuer and subject are the same name and nothing says another key signed it: an authority key
 * identifier that differs from the certificate's own subject key identifier (a CA's certificate
 * for its next key, signed by its old one) is the one exception RFC 5280 knows.
 */
export function isSelfSigned(certificate: X509Certificate): boolean {
  const parsed = Certificate.fromBER(certificate.raw);
  const issuer = Buffer.from(parsed.issuer.valueBeforeDecode);
  if (!issuer.equals(Buffer.from(parsed.subject.valueBeforeDecode))) return false;
  const extension = (id: string) => parsed.extensions?.find((e) => e.extnID === id)?.parsedValue as unknown;
  const ski = extension(SUBJECT_KEY_IDENTIFIER);
  const aki = (extension(AUTHORITY_KEY_IDENTIFIER) as { keyIdentifier?: unknown } | undefined)?.keyIdentifier;
  if (ski instanceof asn1js.OctetString && aki instanceof asn1js.OctetString) {
    return Buffer.from(ski.valueBlock.valueHexView).equals(Buffer.from(aki.valueBlock.valueHexView));
  }
  return true;
}

export function verifies(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return certificate.verify(issuer.publicKey);
  } catch {
    return false; // e.g. a signature that is not even well-formed for the key's algorithm
  }
}

/**
 * Throws CERTIFICATE_CHAIN_INVALID unless the CA certificate issued and signed `certificatePem`.
 * `caCertificatePem` may be a chain (as ACM PCA answers): the certificate that names the issuer
 * is the one that must have signed it.
 */
export function verifyIssuedBy(certificatePem: string, caCertificatePem: string): void {
  const { certificate } = readCertificate(certificatePem);
  const bundle = readPemBundle(caCertificatePem, 'CERTIFICATE');
  if ('problem' in bundle) throw invalidPem('The CA certificate', bundle.problem);
  const cas = bundle.ders.map((der) => parseDer(der, 'The CA certificate'));
  const ca = cas.find((candidate) => certificate.checkIssued(candidate));
  if (ca === undefined) {
    throw new CertificateError(
      'CERTIFICATE_CHAIN_INVALID',
      "The certificate's issuer does not match the CA certificate's subject and key identifier; send the CA certificate that issued it.",
    );
  }
  describe(ca, 'The CA certificate');
  if (!verifies(certificate, ca)) {
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
