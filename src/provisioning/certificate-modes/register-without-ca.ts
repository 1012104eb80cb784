import { checkCertificatePem } from '../../certificates/index.js';
import type { ProvisionRequest } from '../../tasks/request.js';
import type { ProvisioningContext } from '../context.js';
import type { CertificateMode } from './certificate-mode.js';
import { ModeInputError } from './errors.js';
import { parametersOf } from './mode-inputs.js';
import { registerCertificate } from './register-certificate.js';

/**
 * The caller's certificate as AWS IoT would take it: readable, currently valid, with a key and
 * signature algorithm AWS IoT accepts. Re-encoded from its DER, so stray text around the PEM or a
 * bundle's further certificates never reach AWS.
 */
function certificateOf(request: ProvisionRequest): string {
  const { certificatePem } = parametersOf(request);
  if (certificatePem === undefined) {
    throw new ModeInputError(
      'CERTIFICATE_PEM_REQUIRED',
      'registerDeviceCertificateWithoutCA needs cdfProvisioningParameters.certificatePem: the device certificate, PEM encoded',
    );
  }
  return checkCertificatePem(certificatePem).certificate.toString();
}

/** `registerDeviceCertificateWithoutCA`: registers the caller's certificate with no CA behind it. */
export const registerWithoutCaMode: CertificateMode = {
  injects: ['CertificateId', 'CertificateArn', 'CertificatePem'],

  validate(request: ProvisionRequest): void {
    certificateOf(request);
  },

  async run(ctx: ProvisioningContext): Promise<Record<string, string>> {
    let certificate = ctx.checkpoint.certificate;
    if (certificate === undefined || certificate.certificateArn === '') {
      certificate = await registerCertificate(ctx, {
        certificatePem: certificateOf(ctx.request),
        status: parametersOf(ctx.request).certificateStatus ?? 'ACTIVE',
        mayExist: true,
      });
    }
    return {
      CertificateId: certificate.certificateId,
      CertificateArn: certificate.certificateArn,
      CertificatePem: certificate.certificatePem,
    };
  },
};
