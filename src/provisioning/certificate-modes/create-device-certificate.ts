import {
  CertificateError,
  generateDeviceKeyPair,
  issueDeviceCertificate,
  verifyIssuedBy,
  type CertInfo,
  type ParsedCsr,
} from '../../certificates/index.js';
import type { CertificateConfig } from '../../config.js';
import type { ProvisionRequest } from '../../tasks/request.js';
import type { CaMaterial, CaStore } from '../ca/ca-store.js';
import { CaError } from '../ca/errors.js';
import type { CdfBlock } from '../cdf-block.js';
import type { ProvisioningContext } from '../context.js';
import type { CertificateMode } from './certificate-mode.js';
import { csrOf, daysOf, keyAlgorithmOf, parametersOf, subjectOf } from './mode-inputs.js';
import { certificateIdOf, registerCertificate, type CertificateCheckpoint } from './register-certificate.js';

const DAY_MS = 86_400_000;

interface Input {
  caId: string;
  csr: ParsedCsr | undefined;
  subject: CertInfo;
  days: number;
}

/**
 * `createDeviceCertificate`: the service signs the device certificate with one of the account's
 * own CAs (certificate in AWS IoT, key in SSM), for a key pair it makes (RSA-2048 unless EC-P256 is
 * asked for) or for the device's CSR. The certificate and the sealed key are checkpointed before
 * the certificate is registered, so a redelivery registers that certificate, never a second one.
 */
export function createDeviceCertificateMode(deps: {
  cas: CaStore;
  config: Pick<CertificateConfig, 'deviceCertificateDays'>;
}): CertificateMode {
  const read = (request: ProvisionRequest): Input => {
    const parameters = parametersOf(request);
    if (parameters.caId === undefined) {
      throw new CaError(
        'CA_ID_REQUIRED',
        'createDeviceCertificate needs cdfProvisioningParameters.caId: the id of the AWS IoT CA certificate to sign with',
      );
    }
    const csr = csrOf(parameters);
    return {
      caId: parameters.caId,
      csr,
      subject: subjectOf(parameters, csr),
      days: daysOf(parameters, deps.config.deviceCertificateDays),
    };
  };

  return {
    injects: ['CertificatePem', 'CaCertificatePem', 'CertificateId', 'CertificateArn'],

    async validate(request: ProvisionRequest): Promise<void> {
      const input = read(request);
      checkLifetime(await deps.cas.material(input.caId), input.days);
    },

    async run(ctx: ProvisioningContext, cdf: CdfBlock): Promise<Record<string, string>> {
      const input = read(ctx.request);
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
    },
  };
}

async function issue(
  ctx: ProvisioningContext,
  cdf: CdfBlock,
  input: Input,
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

/** The crypto layer refuses a certificate that outlives its CA; say so before a task is recorded. */
function checkLifetime(ca: CaMaterial, days: number, now = new Date()): void {
  const caNotAfter = new Date(ca.signer.certificate.validTo);
  if (now.getTime() + days * DAY_MS > caNotAfter.getTime()) {
    const allowed = Math.max(0, Math.floor((caNotAfter.getTime() - now.getTime()) / DAY_MS));
    throw new CertificateError(
      'CERT_INFO_INVALID',
      `A ${days}-day certificate would outlive CA '${ca.caId}' (valid until ${caNotAfter.toISOString()}); ` +
        `ask for at most ${allowed} days in certInfo.daysExpiry`,
    );
  }
}
