import type { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { Certificate } from 'pkijs';
import { keySigner, type Signer } from './algorithms.js';
import { keyMatches, readCertificate } from './check-certificate.js';
import { keyIdentifier, spkiOf } from './der.js';
import { CertificateError } from './errors.js';
import { readPrivateKey } from './keys.js';

/** A CA certificate and its private key, parsed and checked once, ready to sign many certificates. */
export interface CaSigner extends Signer {
  readonly certificate: X509Certificate;
  /** The CA's subject exactly as encoded in its certificate (DER): the issuer of what it signs. */
  readonly issuer: Buffer;
  /** The CA's subjectKeyIdentifier (computed when the certificate has none). */
  readonly keyIdentifier: Buffer;
}

const SUBJECT_KEY_IDENTIFIER = '2.5.29.14';

export function loadCaSigner(caCertificatePem: string, caPrivateKeyPem: string): CaSigner {
  const { certificate } = readCertificate(caCertificatePem, 'The CA certificate');
  // OpenSSL's X509_check_ca: basicConstraints CA:TRUE, and keyCertSign if there is a keyUsage.
  if (!certificate.ca) {
    throw new CertificateError(
      'CA_CERTIFICATE_INVALID',
      'The CA certificate is not a CA certificate: its basicConstraints must say CA:TRUE and its keyUsage, if any, ' +
        'must allow keyCertSign; use the certificate of the CA that signs device certificates.',
    );
  }

  const privateKey = readPrivateKey(caPrivateKeyPem, 'The CA private key');
  if (!keyMatches(certificate, privateKey)) {
    throw new CertificateError(
      'CA_KEY_MISMATCH',
      "The CA private key does not belong to the CA certificate's public key; store the key that was used to create that certificate.",
    );
  }
  const parsed = Certificate.fromBER(certificate.raw);
  const ski = parsed.extensions?.find((e) => e.extnID === SUBJECT_KEY_IDENTIFIER)?.parsedValue as unknown;
  return {
    ...keySigner(privateKey, 'The CA private key'),
    certificate,
    issuer: Buffer.from(parsed.subject.valueBeforeDecode),
    keyIdentifier:
      ski instanceof asn1js.OctetString
        ? Buffer.from(ski.valueBlock.valueHexView)
        : keyIdentifier(spkiOf(certificate.publicKey)),
  };
}
