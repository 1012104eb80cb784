import type { ModeRun } from '../certificate-mode.js';
import { parametersOf } from '../mode-inputs.js';
import { registerCertificate } from '../register-certificate.js';
import { callerCertificateOf } from './input.js';

/** `registerDeviceCertificateWithoutCA`: registers the caller's certificate with no CA behind it. */
export const registerWithoutCaRun: ModeRun<'registerDeviceCertificateWithoutCA'> = async (ctx) => {
  let certificate = ctx.checkpoint.certificate;
  if (certificate === undefined || certificate.certificateArn === '') {
    certificate = await registerCertificate(ctx, {
      certificatePem: callerCertificateOf(ctx.request),
      status: parametersOf(ctx.request).certificateStatus ?? 'ACTIVE',
      mayExist: true,
    });
  }
  return {
    CertificateId: certificate.certificateId,
    CertificateArn: certificate.certificateArn,
    CertificatePem: certificate.certificatePem,
  };
};
