import {
  generateDeviceKeyPair,
  issueDeviceCertificate,
  verifyIssuedBy,
} from '../../../certificates/index.js';
import type { CertificateConfig } from '../../../config.js';
import { InternalError } from '../../../errors.js';
import type { CaStore } from '../../ca/ca-store.js';
import type { CertificateChains } from '../../ca/certificate-chains.js';
import type { ModeRun } from '../certificate-mode.js';
import { keyAlgorithmOf } from '../mode-inputs.js';
import { certificateIdOf, registerCertificate } from '../register-certificate.js';
import { withChain } from '../with-chain.js';
import { createDeviceCertificateInput } from './input.js';

/**
 * `createDeviceCertificate`: the service signs the device certificate with one of the account's
 * own CAs (certificate in AWS IoT, key in SSM), for a key pair it makes (RSA-2048 unless EC-P256 is
 * asked for) or for the device's CSR. The certificate and the sealed key are made before the claim,
 * whose write records them, so a redelivery registers that certificate, never a second one.
 */
export function createDeviceCertificateRun(deps: {
  cas: CaStore;
  chains: Pick<CertificateChains, 'store'>;
  config: Pick<CertificateConfig, 'deviceCertificateDays'>;
}): ModeRun<'createDeviceCertificate'> {
  return {
    async prepare(ctx, cdf) {
      const input = createDeviceCertificateInput(ctx.request, deps.config);
      const recorded = ctx.recorded.certificate;
      if (recorded !== undefined && recorded.certificatePem !== '') {
        const ca = await deps.cas.certificate(input.caId);
        return {
          parameters: { CertificatePem: recorded.certificatePem, CaCertificatePem: ca.certificatePem },
        };
      }
      ctx.mayMake();
      const ca = await deps.cas.material(input.caId);
      const keyPair =
        input.csr === undefined ? await generateDeviceKeyPair(keyAlgorithmOf(ctx.request, cdf)) : undefined;
      const certificatePem = issueDeviceCertificate(ca.signer, {
        publicKey: input.csr?.publicKeyPem ?? keyPair?.publicKeyPem ?? '',
        subject: input.subject,
        days: input.days,
      });
      const certificate = {
        created: true,
        certificateId: certificateIdOf(certificatePem),
        certificateArn: '',
        certificatePem,
      };
      const privateKey =
        keyPair === undefined ? undefined : await ctx.secrets.seal(keyPair.privateKeyPem, ctx.taskId);
      return {
        certificate,
        ...(privateKey === undefined ? {} : { privateKey }),
        parameters: { CertificatePem: certificatePem, CaCertificatePem: ca.certificatePem },
      };
    },

    async run(ctx) {
      const input = createDeviceCertificateInput(ctx.request, deps.config);
      let certificate = ctx.checkpoint.certificate;
      if (certificate === undefined) {
        throw new InternalError('CERTIFICATE_NOT_PREPARED', 'The claim recorded no certificate');
      }
      const ca = await deps.cas.certificate(input.caId);
      // The CA the certificate was signed with is its chain, as far as this service knows it.
      certificate = await withChain(deps.chains, certificate, ca.certificatePem);
      if (certificate.certificateArn === '') {
        // The chain check AWS IoT makes at registration, made here so moto cannot let a bad one through.
        verifyIssuedBy(certificate.certificatePem, ca.certificatePem);
        certificate = await registerCertificate(ctx, {
          certificate,
          caCertificatePem: ca.certificatePem,
          status: 'ACTIVE',
          madeHere: true,
        });
      } else {
        ctx.checkpoint.certificate = certificate;
      }
      return {
        CertificatePem: certificate.certificatePem,
        CaCertificatePem: ca.certificatePem,
        CertificateId: certificate.certificateId,
        CertificateArn: certificate.certificateArn,
      };
    },
  };
}
