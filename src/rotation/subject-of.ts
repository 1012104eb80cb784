import { X509Certificate } from 'node:crypto';
import { Certificate } from 'pkijs';
import type { CertInfo } from '../certificates/index.js';
import { readName } from '../certificates/subject.js';

/**
 * The subject of the certificate being replaced, as `certInfo`, so a new certificate from the
 * same CA names the device as the old one did. Undefined when it has no country, which certInfo
 * requires: the caller must then send certInfo.
 */
export function certInfoOf(certificatePem: string): CertInfo | undefined {
  const name = readName(Certificate.fromBER(new X509Certificate(certificatePem).raw).subject);
  if (name.country === undefined) return undefined;
  return { ...name, country: name.country };
}
