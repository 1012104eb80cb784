import { X509Certificate } from 'node:crypto';
import { CertificateError } from '../../../certificates/index.js';
import type { CertificateConfig } from '../../../config.js';
import type { IotCaCertificate, IotCaCertificates } from '../../ca/ca-certificates.js';
import type { CaKeyPresence } from '../../ca/ca-key-presence.js';
import type { ModeCheck } from '../certificate-mode.js';
import { createDeviceCertificateInput } from './input.js';

const DAY_MS = 86_400_000;

/**
 * `createDeviceCertificate` at submit: the request's inputs, an ACTIVE CA in AWS IoT, its key
 * stored as an SSM SecureString (seen from its metadata: the key itself is never read here), and a
 * lifetime within the CA's. A stored key that is not the CA's is found by the worker, which loads
 * it to sign, and fails the task (CA_KEY_MISMATCH).
 */
export function createDeviceCertificateCheck(deps: {
  cas: IotCaCertificates;
  keys: CaKeyPresence;
  config: Pick<CertificateConfig, 'deviceCertificateDays'>;
}): ModeCheck {
  return async (request) => {
    const input = createDeviceCertificateInput(request, deps.config);
    const ca = await deps.cas.active(input.caId);
    await deps.keys.check(input.caId);
    checkLifetime(ca, input.days);
  };
}

/** The crypto layer refuses a certificate that outlives its CA; say so before a task is recorded. */
function checkLifetime(ca: IotCaCertificate, days: number, now = new Date()): void {
  const caNotAfter = new Date(new X509Certificate(ca.certificatePem).validTo);
  if (now.getTime() + days * DAY_MS > caNotAfter.getTime()) {
    const allowed = Math.max(0, Math.floor((caNotAfter.getTime() - now.getTime()) / DAY_MS));
    throw new CertificateError(
      'CERT_INFO_INVALID',
      `A ${days}-day certificate would outlive CA '${ca.caId}' (valid until ${caNotAfter.toISOString()}); ` +
        `ask for at most ${allowed} days in certInfo.daysExpiry`,
    );
  }
}
