import { issuerChain } from '../../certificates/index.js';
import type { CertificateRecord } from '../../tasks/model.js';
import type { CertificateChains } from '../ca/certificate-chains.js';

/**
 * The certificate with the id of its CA chain: the certificates of `bundlePem` that chain it up,
 * stored once (certificate-chains.ts). Unchanged when the bundle is unknown or issued none of it,
 * so a mode whose chain AWS IoT holds (or the caller never gave) records none.
 */
export async function withChain(
  chains: Pick<CertificateChains, 'store'>,
  certificate: CertificateRecord,
  bundlePem: string | undefined,
): Promise<CertificateRecord> {
  const chain = bundlePem === undefined ? undefined : issuerChain(certificate.certificatePem, bundlePem);
  return chain === undefined ? certificate : { ...certificate, chainId: await chains.store(chain) };
}
