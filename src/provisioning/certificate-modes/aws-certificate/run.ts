import { CreateKeysAndCertificateCommand } from '@aws-sdk/client-iot';
import { present } from '../../../aws/present.js';
import { InternalError } from '../../../errors.js';
import type { CertificateRecord } from '../../../tasks/model.js';
import type { ModeRun } from '../certificate-mode.js';

const injected = (certificate: CertificateRecord) => ({
  CertificateId: certificate.certificateId,
  CertificateArn: certificate.certificateArn,
});

/**
 * `createDeviceAWSCertificate`: AWS IoT makes the key pair and certificate, and answers with them
 * once: the call is made before the claim, whose write records the certificate and the sealed key
 * together. A redelivery returns that key instead of creating a second certificate. The mode takes
 * no request parameters: it has no submit-time check.
 */
export const awsCertificateRun: ModeRun<'createDeviceAWSCertificate'> = {
  async prepare(ctx) {
    const recorded = ctx.recorded.certificate;
    if (recorded?.created === true) return { parameters: injected(recorded) };
    ctx.mayMake();
    const out = await ctx.unfindable.create('creating keys and a certificate', () =>
      ctx.iotCreate.send(new CreateKeysAndCertificateCommand({ setAsActive: true })),
    );
    const certificate = {
      created: true,
      certificateId: present(out.certificateId, 'certificateId'),
      certificateArn: present(out.certificateArn, 'certificateArn'),
      certificatePem: present(out.certificatePem, 'certificatePem'),
    };
    try {
      const privateKey = await ctx.secrets.seal(
        present(out.keyPair?.PrivateKey, 'the private key'),
        ctx.taskId,
      );
      return {
        certificate,
        privateKey,
        unfindable: certificate.certificateId,
        parameters: injected(certificate),
      };
    } catch (e: unknown) {
      // A certificate whose key cannot be kept is of no use to anyone.
      await ctx.discard(certificate.certificateId);
      throw e;
    }
  },
  run(ctx) {
    const certificate = ctx.checkpoint.certificate;
    if (certificate === undefined) {
      return Promise.reject(
        new InternalError('CERTIFICATE_NOT_PREPARED', 'The claim recorded no certificate'),
      );
    }
    return Promise.resolve(injected(certificate));
  },
};
