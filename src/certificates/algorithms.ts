import { sign, type KeyObject } from 'node:crypto';
import { algorithmIdentifier } from './der.js';
import { CertificateError } from './errors.js';

export type Hash = 'sha256' | 'sha384' | 'sha512';

export interface SignatureAlgorithm {
  readonly oid: string;
  readonly name: string;
  /** The family of key that makes this signature. */
  readonly family: 'RSA' | 'EC' | 'DSA';
  /** Absent for RSASSA-PSS, whose hash is in its parameters. */
  readonly hash?: Hash;
}

/** An algorithm we sign with: always a plain hash, never PSS. */
export type SigningAlgorithm = Required<SignatureAlgorithm>;

const signing = (oid: string, name: string, family: 'RSA' | 'EC', hash: Hash): SigningAlgorithm => ({
  oid,
  name,
  family,
  hash,
});
const RSA_SHA256 = signing('1.2.840.113549.1.1.11', 'sha256WithRSAEncryption', 'RSA', 'sha256');
const ECDSA_SHA256 = signing('1.2.840.10045.4.3.2', 'ecdsa-with-SHA256', 'EC', 'sha256');
const ECDSA_SHA384 = signing('1.2.840.10045.4.3.3', 'ecdsa-with-SHA384', 'EC', 'sha384');
const ECDSA_SHA512 = signing('1.2.840.10045.4.3.4', 'ecdsa-with-SHA512', 'EC', 'sha512');

/**
 * The certificate signing algorithms AWS IoT documents as supported ("X.509 client certificates",
 * AWS IoT developer guide). Anything else, MD5 and SHA-1 included, is refused at registration.
 */
const ACCEPTED_SIGNATURES: readonly SignatureAlgorithm[] = [
  RSA_SHA256,
  signing('1.2.840.113549.1.1.12', 'sha384WithRSAEncryption', 'RSA', 'sha384'),
  signing('1.2.840.113549.1.1.13', 'sha512WithRSAEncryption', 'RSA', 'sha512'),
  { oid: '1.2.840.113549.1.1.10', name: 'RSASSA-PSS', family: 'RSA' },
  ECDSA_SHA256,
  ECDSA_SHA384,
  ECDSA_SHA512,
  { oid: '2.16.840.1.101.3.4.3.2', name: 'dsa-with-SHA256', family: 'DSA', hash: 'sha256' },
];

/** Refused algorithms still seen in the wild, named so the error message is useful. */
const REFUSED_SIGNATURE_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
};

/** The CreateCertificateFromCsr limits, which AWS IoT's key-quality audit applies to all certificates. */
const MIN_RSA_BITS = 2048;
/** Each curve signs with the hash of matching strength. */
const CURVES: Readonly<Record<string, { name: string; signing: SigningAlgorithm }>> = {
  prime256v1: { name: 'P256', signing: ECDSA_SHA256 },
  secp384r1: { name: 'P384', signing: ECDSA_SHA384 },
  secp521r1: { name: 'P521', signing: ECDSA_SHA512 },
};

/** `what` names the object in the message, e.g. "The certificate", "The CSR". */
export function acceptedSignature(oid: string, what: string): SignatureAlgorithm {
  const accepted = ACCEPTED_SIGNATURES.find((a) => a.oid === oid);
  if (accepted) return accepted;
  const name = REFUSED_SIGNATURE_NAMES[oid] ?? `the algorithm ${oid}`;
  throw new CertificateError(
    'CERTIFICATE_ALGORITHM_UNSUPPORTED',
    `${what} is signed with ${name}, which AWS IoT does not accept; sign it with SHA-256 or stronger ` +
      '(sha256WithRSAEncryption or ecdsa-with-SHA256).',
  );
}

export interface KeyDescription {
  readonly family: 'RSA' | 'EC';
  /** `RSA-2048`, `EC-P256`, ...: the spelling of the request's `keyAlgorithm`. */
  readonly name: string;
  /** How this key signs: sha256WithRSAEncryption for RSA, ECDSA with the curve's hash for EC. */
  readonly signing: SigningAlgorithm;
}

/** Throws CERTIFICATE_ALGORITHM_UNSUPPORTED for keys AWS IoT refuses: RSA < 2048 bits, curves other than P-256/384/521, DSA, EdDSA. */
export function acceptedKey(key: KeyObject, what: string): KeyDescription {
  const { modulusLength, namedCurve } = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' && modulusLength !== undefined && modulusLength >= MIN_RSA_BITS) {
    return { family: 'RSA', name: `RSA-${modulusLength}`, signing: RSA_SHA256 };
  }
  const curve = key.asymmetricKeyType === 'ec' && namedCurve !== undefined ? CURVES[namedCurve] : undefined;
  if (curve) return { family: 'EC', name: `EC-${curve.name}`, signing: curve.signing };
  const actual =
    key.asymmetricKeyType === 'rsa'
      ? `an RSA-${modulusLength ?? '?'} key`
      : `a ${key.asymmetricKeyType ?? 'unknown'} key${namedCurve ? ` on ${namedCurve}` : ''}`;
  throw new CertificateError(
    'CERTIFICATE_ALGORITHM_UNSUPPORTED',
    `${what} has ${actual}, which AWS IoT does not accept; use an RSA key of at least ${MIN_RSA_BITS} bits ` +
      'or an EC key on P-256, P-384 or P-521.',
  );
}

/** Signs with a private key; the CA signer and CSR creation share it. */
export interface Signer {
  readonly algorithm: SigningAlgorithm;
  /** The DER AlgorithmIdentifier of `algorithm`, encoded once. */
  readonly algorithmIdentifier: Buffer;
  sign(data: Uint8Array): Buffer;
}

/** The key stays inside the closure, out of reach of loggers and serializers. */
export function keySigner(privateKey: KeyObject, what: string): Signer {
  const algorithm = acceptedKey(privateKey, what).signing;
  return {
    algorithm,
    algorithmIdentifier: algorithmIdentifier(algorithm),
    sign: (data) => sign(algorithm.hash, data, privateKey),
  };
}
