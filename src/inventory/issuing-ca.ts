import { CertificateError, verifyIssuedBy } from '../certificates/index.js';

export interface CaCandidate {
  caId: string;
  certificatePem: string;
}

/**
 * The AWS IoT CA among `cas` that issued the certificate: its subject is the certificate's issuer
 * and its key verifies the certificate's signature (the check AWS IoT makes at registration).
 */
export function issuingCa(certificatePem: string, cas: readonly CaCandidate[]): string | undefined {
  for (const ca of cas) {
    try {
      verifyIssuedBy(certificatePem, ca.certificatePem);
      return ca.caId;
    } catch (e: unknown) {
      if (!(e instanceof CertificateError)) throw e;
    }
  }
  return undefined;
}
