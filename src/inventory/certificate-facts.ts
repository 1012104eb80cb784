import { X509Certificate } from 'node:crypto';
import { InventoryError } from './errors.js';
import type { CertificateFacts } from './model.js';

const CURVES: Record<string, string> = {
  prime256v1: 'EC-P256',
  secp384r1: 'EC-P384',
  secp521r1: 'EC-P521',
};

/**
 * Validity, issuer and key algorithm from the certificate itself, never from AWS IoT's
 * description of it (the emulator makes those dates up; the PEM is what a device presents).
 */
export function certificateFacts(certificatePem: string): CertificateFacts {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch (e: unknown) {
    throw new InventoryError(
      'CERTIFICATE_UNREADABLE',
      'The certificate could not be read as an X.509 certificate',
      { cause: e },
    );
  }
  const keyAlgorithm = keyAlgorithmOf(certificate);
  return {
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter: new Date(certificate.validTo).toISOString(),
    issuer: certificate.issuer.split('\n').join(', '),
    ...(keyAlgorithm !== undefined ? { keyAlgorithm } : {}),
  };
}

function keyAlgorithmOf(certificate: X509Certificate): string | undefined {
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa' && details?.modulusLength !== undefined) {
    return `RSA-${details.modulusLength}`;
  }
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve !== undefined) return CURVES[details.namedCurve];
  if (key.asymmetricKeyType === 'ed25519') return 'Ed25519';
  return undefined;
}
