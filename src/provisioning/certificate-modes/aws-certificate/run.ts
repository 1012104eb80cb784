import { CreateKeysAndCertificateCommand } from '@aws-sdk/client-iot';
import { awsCall } from '../../../aws/classify-error.js';
import { present } from '../../../aws/present.js';
import type { ModeRun } from '../certificate-mode.js';

/**
 * `createDeviceAWSCertificate`: AWS IoT makes the key pair and certificate. The private key is
 * sealed and checkpointed in the same write as the certificate id, so a redelivery returns that
 * key instead of creating a second certificate. The mode takes no request parameters: it has no
 * submit-time check.
 */
export const awsCertificateRun: ModeRun<'createDeviceAWSCertificate'> = async (ctx) => {
  let certificate = ctx.checkpoint.certificate;
  if (certificate?.created !== true) {
    const out = await awsCall('creating keys and a certificate', () =>
      ctx.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true })),
    );
    const privateKey = await ctx.secrets.seal(
      present(out.keyPair?.PrivateKey, 'the private key'),
      ctx.taskId,
    );
    certificate = {
      created: true,
      certificateId: present(out.certificateId, 'certificateId'),
      certificateArn: present(out.certificateArn, 'certificateArn'),
      certificatePem: present(out.certificatePem, 'certificatePem'),
      publicKey: out.keyPair?.PublicKey,
    };
    await ctx.save({ certificate, privateKey });
  }
  return { CertificateId: certificate.certificateId, CertificateArn: certificate.certificateArn };
};
