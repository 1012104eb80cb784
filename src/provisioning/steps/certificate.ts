import { unlessGone } from '../../aws/unless-gone.js';
import {
  CreateCertificateFromCsrCommand,
  DescribeCertificateCommand,
  UpdateCertificateCommand,
  type CertificateStatus,
} from '@aws-sdk/client-iot';
import { awsCall } from '../../aws/classify-error.js';
import { checkCertificatePem } from '../../certificates/index.js';
import { InternalError } from '../../errors.js';
import { present } from '../../aws/present.js';
import type { ExpandedCertificate } from '../../templates/types.js';
import type { CertificateRecord } from '../../tasks/model.js';
import type { PreparationContext, Prepared } from '../certificate-modes/certificate-mode.js';
import { registerCertificate, registrationIntent } from '../certificate-modes/register-certificate.js';
import type { ProvisioningContext } from '../context.js';
import { MissingResourceError, ProvisioningInputError } from '../errors.js';

/**
 * The template's `AWS::IoT::Certificate`: an existing certificate (CertificateId), one AWS signs
 * from a CSR, or a PEM registered with or without its CA. What the claim must record is made in
 * `prepareCertificate`: the certificate AWS signs from the CSR (answered once, like a mode's), or
 * the intent to register the PEM. A redelivery finds it recorded and makes no second one.
 */
export async function prepareCertificate(
  ctx: PreparationContext,
  spec: ExpandedCertificate,
  known: CertificateRecord | undefined,
): Promise<Prepared> {
  if (known !== undefined || spec.certificateId !== undefined) return {};
  if (spec.certificateSigningRequest !== undefined) {
    const csr = spec.certificateSigningRequest;
    ctx.mayMake();
    const out = await ctx.unfindable.create('creating a certificate from the CSR', () =>
      ctx.iotCreate.send(
        new CreateCertificateFromCsrCommand({
          certificateSigningRequest: csr,
          setAsActive: (spec.status ?? 'ACTIVE') === 'ACTIVE',
        }),
      ),
    );
    const certificateId = present(out.certificateId, 'certificateId');
    return {
      certificate: {
        created: true,
        certificateId,
        certificateArn: present(out.certificateArn, 'certificateArn'),
        certificatePem: present(out.certificatePem, 'certificatePem'),
      },
      unfindable: certificateId,
    };
  }
  if (spec.certificatePem !== undefined) {
    // Garbage, expired or an algorithm AWS IoT refuses is the caller's error, not a worker failure.
    checkCertificatePem(spec.certificatePem);
    return { certificate: await registrationIntent(ctx.iot, spec.certificatePem) };
  }
  throw new ProvisioningInputError(
    'TEMPLATE_CERTIFICATE_INVALID',
    `Certificate '${spec.logicalId}' needs CertificateId, CertificateSigningRequest or CertificatePem`,
  );
}

export async function ensureCertificate(
  ctx: ProvisioningContext,
  spec: ExpandedCertificate,
): Promise<CertificateRecord> {
  const known = ctx.checkpoint.certificate;
  if (
    known !== undefined &&
    (spec.certificateId === undefined || spec.certificateId === known.certificateId)
  ) {
    if (known.certificateArn !== '') return known;
    // A PEM from the template, registered as the certificate modes register theirs.
    return registerCertificate(ctx, {
      certificate: known,
      caCertificatePem: spec.caCertificatePem,
      status: spec.status ?? 'ACTIVE',
      madeHere: false,
    });
  }
  if (spec.certificateId !== undefined) return useExisting(ctx, spec.certificateId, spec.status);
  throw new InternalError(
    'CERTIFICATE_NOT_PREPARED',
    `Certificate '${spec.logicalId}' was not prepared before the claim`,
  );
}

/** A certificate the caller registered earlier: used, never removed by compensation. */
async function useExisting(
  ctx: ProvisioningContext,
  certificateId: string,
  status: string | undefined,
): Promise<CertificateRecord> {
  const description = await describe(ctx, certificateId);
  if (description === undefined) {
    throw new MissingResourceError(
      'CERTIFICATE_NOT_FOUND',
      `Certificate '${certificateId}' does not exist in AWS IoT`,
    );
  }
  if (status !== undefined && status !== description.status) await setStatus(ctx, certificateId, status);
  const existing = {
    created: false,
    certificateId,
    certificateArn: description.arn,
    certificatePem: description.pem,
  };
  ctx.checkpoint.certificate = existing;
  return existing;
}

async function describe(
  ctx: ProvisioningContext,
  certificateId: string,
): Promise<{ arn: string; pem: string; status: string } | undefined> {
  const out = await unlessGone(() =>
    awsCall(`reading certificate '${certificateId}'`, () =>
      ctx.iot.send(new DescribeCertificateCommand({ certificateId })),
    ),
  );
  if (out === undefined) return undefined;
  const d = out.certificateDescription;
  return {
    arn: present(d?.certificateArn, 'certificateArn'),
    pem: present(d?.certificatePem, 'certificatePem'),
    status: present(d?.status, 'status'),
  };
}

async function setStatus(ctx: ProvisioningContext, certificateId: string, status: string): Promise<void> {
  await awsCall(`setting certificate '${certificateId}' to ${status}`, () =>
    ctx.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: status as CertificateStatus })),
  );
}
