import { InternalError } from '../../../errors.js';
import type { ModeRun } from '../certificate-mode.js';
import { parametersOf } from '../mode-inputs.js';
import { registerCertificate, registrationIntent } from '../register-certificate.js';
import { callerCertificateOf } from './input.js';

/**
 * `registerDeviceCertificateWithoutCA`: registers the caller's certificate with no CA behind it.
 * The claim records the intent (or that the certificate is registered already, and so not this
 * task's to remove).
 */
export const registerWithoutCaRun: ModeRun<'registerDeviceCertificateWithoutCA'> = {
  async prepare(ctx) {
    const certificate =
      ctx.recorded.certificate ?? (await registrationIntent(ctx.iot, callerCertificateOf(ctx.request)));
    return {
      ...(ctx.recorded.certificate === undefined ? { certificate } : {}),
      parameters: { CertificatePem: certificate.certificatePem },
    };
  },

  async run(ctx) {
    let certificate = ctx.checkpoint.certificate;
    if (certificate === undefined) {
      throw new InternalError('CERTIFICATE_NOT_PREPARED', 'The claim recorded no certificate');
    }
    if (certificate.certificateArn === '') {
      certificate = await registerCertificate(ctx, {
        certificate,
        status: parametersOf(ctx.request).certificateStatus ?? 'ACTIVE',
        madeHere: false,
      });
    }
    return {
      CertificateId: certificate.certificateId,
      CertificateArn: certificate.certificateArn,
      CertificatePem: certificate.certificatePem,
    };
  },
};
