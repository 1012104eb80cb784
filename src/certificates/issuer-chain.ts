import type { X509Certificate } from 'node:crypto';
import { invalidPem, isSelfSigned, parseDer, readCertificate, verifies } from './check-certificate.js';
import { readPemBundle } from './pem.js';

/**
 * The certificates of `bundlePem` that chain `certificatePem` up, issuing CA first, each one the
 * issuer (by name and key identifiers) and the signer of the one before it, up to a self-signed
 * root or as far as the bundle goes. A certificate of the bundle that is not on that path is left
 * out, so the answer never claims more than it proves. Undefined when no certificate of the
 * bundle issued `certificatePem`.
 */
export function issuerChain(certificatePem: string, bundlePem: string): string | undefined {
  const { certificate } = readCertificate(certificatePem);
  const bundle = readPemBundle(bundlePem, 'CERTIFICATE');
  if ('problem' in bundle) throw invalidPem('The CA chain', bundle.problem);
  const candidates = bundle.ders.map((der) => parseDer(der, 'A certificate of the CA chain'));
  const path: X509Certificate[] = [];
  let current = certificate;
  while (!isSelfSigned(current)) {
    const issuer = candidates.find(
      (c) => !path.includes(c) && current.checkIssued(c) && verifies(current, c),
    );
    if (issuer === undefined) break;
    path.push(issuer);
    current = issuer;
  }
  return path.length === 0 ? undefined : path.map((c) => c.toString()).join('');
}
