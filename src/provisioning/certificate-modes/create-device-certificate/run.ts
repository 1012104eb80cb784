import {
  generateDeviceKeyPair,
  issueDeviceCertificate,
  verifyIssuedBy,
} from '../../../certificates/index.js';
import type { CertificateConfig } from '../../../config.js';
import type { CdfBlock } from '../../../templates/cdf-block.js';
import type { CaMaterial, CaStore } from '../../ca/ca-store.js';
import type { ProvisioningContext } from '../../context.js';
import type { ModeRun } from '../certificate-mode.js';
import { keyAlgorithmOf } from '../mode-inputs.js';
import { certificateIdOf, registerCertificate, type CertificateCheckpoint } from '../register-certificate.js';
import { createDeviceCertificateInput, type CreateDeviceCertificateInput } from './input.js';

/**
 * `createDeviceCertificate`: the service signs the device certificate with one of the account's
 * own CAs (certificate in AWS IoT, key in SSM), for a key pair it makes (RSA-2048 unless EC-P256 is
 * asked for) or for the device's CSR. The certificate and the sealed key are checkpointed before
 * the certificate is registered, so a redelivery registers that certificate, never a second one.
 */
export function createDeviceCertificateRun(deps: {
  cas: CaStore;
  config: Pick<CertificateConfig, 'deviceCertificateDays'>;
}): ModeRun<'createDeviceCertificate'> {
  return async (ctx, cdf) => {
    const input = createDeviceCertificateInput(ctx.request, deps.config);
    let certificate = ctx.checkpoint.certificate;
    if (certificate === undefined || certificate.certificatePem === '') {
      certificate = await issue(ctx, cdf, input, await deps.cas.material(input.caId));
    }
    const ca = await deps.cas.certificate(input.caId);
    if (certificate.certificateArn === '') {
      // The chain check AWS IoT makes at registration, made here so moto cannot let a bad one through.
      verifyIssuedBy(certificate.certificatePem, ca.certificatePem);
      certificate = await registerCertificate(ctx, {
        certificatePem: certificate.certificatePem,
        caCertificatePem: ca.certificatePem,
        status: 'ACTIVE',
        publicKey: certificate.publicKey,
      });
    }
    return {
      CertificatePem: certificate.certificatePem,
      CaCertificatePem: ca.certificatePem,
      CertificateId: certificate.certificateId,
      CertificateArn: certificate.certificateArn,
    };
  };
}

async function issue(
  ctx: ProvisioningContext,
  cdf: CdfBlock,
  input: CreateDeviceCertificateInput,
  ca: CaMaterial,
): Promise<CertificateCheckpoint> {
  const keyPair =
    input.csr === undefined ? await generateDeviceKeyPair(keyAlgorithmOf(ctx.request, cdf)) : undefined;
  const publicKey = input.csr?.publicKeyPem ?? keyPair?.publicKeyPem ?? '';
  const certificatePem = issueDeviceCertificate(ca.signer, {
    publicKey,
    subject: input.subject,
    days: input.days,
  });
  const certificate = {
    created: true,
    certificateId: certificateIdOf(certificatePem),
    certificateArn: '',
    certificatePem,
    ...(keyPair === undefined ? {} : { publicKey: keyPair.publicKeyPem }),
  };
  const privateKey =
    keyPair === undefined ? undefined : await ctx.secrets.seal(keyPair.privateKeyPem, ctx.taskId);
  await ctx.save({ certificate, ...(privateKey === undefined ? {} : { privateKey }) });
  return certificate;
}
