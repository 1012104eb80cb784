import { generateKeyPairSync } from 'node:crypto';
import { partitionOf } from '../../aws/partition.js';
import { checkCertificatePem } from '../../certificates/index.js';
import type { ProvisionRequest } from '../../tasks/request.js';
import { CERTIFICATE_MODE_INJECTS, type CertificateModeName } from '../../templates/cdf-block.js';
import { createSelfSignedCa } from '../ca/self-signed-ca.js';
import { callerCertificateOf } from './register-without-ca/input.js';

/** An account id has 12 digits: a stand-in of the same shape gives names and ARNs their real length. */
export const STAND_IN_ACCOUNT_ID = '000000000000';

const DAY_MS = 86_400_000;

interface StandInCertificate {
  pem: string;
  certificateId: string;
  madeAt: number;
}

let standIn: StandInCertificate | undefined;

/**
 * A real, current, self-signed certificate (EC P-256, its key thrown away), made once a day: what
 * a template's certificate properties are checked with before the mode has made the device's.
 * Valid for two days, so it is always current while it is used.
 */
function standInCertificate(now = Date.now()): StandInCertificate {
  if (standIn === undefined || now - standIn.madeAt > DAY_MS) {
    const { privateKey } = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const pem = createSelfSignedCa(
      privateKey,
      { country: 'US', commonName: 'stand-in' },
      { days: 2, now: new Date(now) },
    );
    standIn = { pem, certificateId: checkCertificatePem(pem).certificateId, madeAt: now };
  }
  return standIn;
}

/**
 * What a certificate mode will inject into the template, before it has run (a request is checked
 * without making anything): the caller's own certificate where the request holds it
 * (registerDeviceCertificateWithoutCA), otherwise a stand-in certificate, with its id and an ARN
 * of the real shape. Every value passes the checks the mode's real ones pass, so the template's
 * use of them is checked as the worker will check it.
 */
export function standInParameters(
  mode: CertificateModeName,
  request: Pick<ProvisionRequest, 'cdfProvisioningParameters'>,
  region: string,
): Record<string, string> {
  const { pem, certificateId } =
    mode === 'registerDeviceCertificateWithoutCA'
      ? withId(callerCertificateOf(request))
      : standInCertificate();
  const values: Record<(typeof CERTIFICATE_MODE_INJECTS)[CertificateModeName][number], string> = {
    CertificateId: certificateId,
    CertificateArn: `arn:${partitionOf(region)}:iot:${region}:${STAND_IN_ACCOUNT_ID}:cert/${certificateId}`,
    CertificatePem: pem,
    CaCertificatePem: pem,
  };
  return Object.fromEntries(CERTIFICATE_MODE_INJECTS[mode].map((name) => [name, values[name]]));
}

function withId(pem: string): Pick<StandInCertificate, 'pem' | 'certificateId'> {
  return { pem, certificateId: checkCertificatePem(pem).certificateId };
}
