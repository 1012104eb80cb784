import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { CertificationRequest } from 'pkijs';
import { acceptedKey, acceptedSignature, keySigner, type KeyDescription } from './algorithms.js';
import type { CertInfo, DistinguishedName } from './cert-info.js';
import { TAG, contextTag, sequence, signed, spkiOf, tlv, toPem } from './der.js';
import { CertificateError } from './errors.js';
import { readPrivateKey } from './keys.js';
import { readPem } from './pem.js';
import { checkNameText, readName, subjectName } from './subject.js';

export interface ParsedCsr {
  publicKey: KeyObject;
  publicKeyPem: string;
  key: KeyDescription;
  /** The subject attributes that `certInfo` can express. */
  subject: DistinguishedName;
  signatureAlgorithm: string;
}

function invalidCsr(reason: string, cause?: unknown): CertificateError {
  return new CertificateError(
    'CSR_INVALID',
    `The CSR ${reason}; send one PEM PKCS#10 request (-----BEGIN CERTIFICATE REQUEST----- to -----END CERTIFICATE REQUEST-----) and nothing else.`,
    { cause },
  );
}

/**
 * Parses a PKCS#10 CSR strictly (`readPem`: one block, nothing around it, complete DER), refuses
 * keys and algorithms AWS IoT refuses, verifies its self-signature, and refuses a subject with
 * control or bidirectional-formatting characters (CERT_INFO_INVALID), since its subject can become
 * the certificate's as it is.
 */
export function parseCsr(pem: string): ParsedCsr {
  const read = readPem(pem, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
  if ('problem' in read) throw invalidCsr(read.problem);
  const { der } = read;
  let csr: CertificationRequest;
  let publicKey: KeyObject;
  try {
    csr = CertificationRequest.fromBER(der);
    const spki = Buffer.from(csr.subjectPublicKeyInfo.toSchema().toBER());
    publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch (e: unknown) {
    throw invalidCsr('cannot be parsed', e);
  }
  const key = acceptedKey(publicKey, 'The CSR');
  const algorithm = acceptedSignature(csr.signatureAlgorithm.algorithmId, 'The CSR');
  if (algorithm.hash === undefined) {
    throw new CertificateError(
      'CERTIFICATE_ALGORITHM_UNSUPPORTED',
      `The CSR is signed with ${algorithm.name}, which this service cannot verify; sign it with sha256WithRSAEncryption or ecdsa-with-SHA256.`,
    );
  }
  const signature = csr.signatureValue.valueBlock.valueHexView;
  if (algorithm.family !== key.family || !verifies(algorithm.hash, csr.tbsView, publicKey, signature)) {
    throw new CertificateError(
      'CSR_SIGNATURE_INVALID',
      "The CSR's signature does not verify with its own public key: it was altered or signed with another key; create it again.",
    );
  }
  checkNameText(csr.subject, "The CSR's subject");
  return {
    publicKey,
    publicKeyPem: toPem('PUBLIC KEY', spkiOf(publicKey)),
    key,
    subject: readName(csr.subject),
    signatureAlgorithm: algorithm.name,
  };
}

function verifies(hash: string, data: Uint8Array, key: KeyObject, signature: Uint8Array): boolean {
  try {
    return verify(hash, data, key, signature);
  } catch {
    return false; // a signature that is not even well-formed, e.g. ECDSA bytes that are not DER
  }
}

/** A CSR for a key the service made (ACM PCA mode without a caller's CSR). */
export function createCsr(privateKeyPem: string, subject: CertInfo): string {
  const privateKey = readPrivateKey(privateKeyPem);
  const info = sequence(
    tlv(TAG.INTEGER, Buffer.of(0)),
    subjectName(subject),
    spkiOf(createPublicKey(privateKey)),
    contextTag(0, true), // no attributes, but PKCS#10 requires the (empty) set
  );
  return toPem('CERTIFICATE REQUEST', signed(info, keySigner(privateKey, 'The private key')));
}
