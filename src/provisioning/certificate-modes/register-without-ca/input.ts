import { checkCertificatePem } from '../../../certificates/index.js';
import type { ProvisionRequest } from '../../../tasks/request.js';
import { ModeInputError } from '../errors.js';
import { parametersOf } from '../mode-inputs.js';

/**
 * The caller's certificate as AWS IoT would take it: readable, currently valid, with a key and
 * signature algorithm AWS IoT accepts. Re-encoded from its DER, so stray text around the PEM or a
 * bundle's further certificates never reach AWS. This is also the mode's whole submit-time check.
 */
export function callerCertificateOf(request: Pick<ProvisionRequest, 'cdfProvisioningParameters'>): string {
  const { certificatePem } = parametersOf(request);
  if (certificatePem === undefined) {
    throw new ModeInputError(
      'CERTIFICATE_PEM_REQUIRED',
      'registerDeviceCertificateWithoutCA needs cdfProvisioningParameters.certificatePem: the device certificate, PEM encoded',
    );
  }
  return checkCertificatePem(certificatePem).certificate.toString();
}
