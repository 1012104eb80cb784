import { unlessGone } from '../../aws/unless-gone.js';
import {
  CreateCertificateFromCsrCommand,
  DescribeCertificateCommand,
  UpdateCertificateCommand,
  type CertificateStatus,
} from '@aws-sdk/client-iot';
import { awsCall } from '../../aws/classify-error.js';
import { checkCertificatePem } from '../../certificates/index.js';
import { registerCertificate } from '../certificate-modes/register-certificate.js';
import { present } from '../../aws/present.js';
import type { ExpandedCertificate } from '../../templates/types.js';
import type { Checkpoint } from '../../tasks/model.js';
import type { ProvisioningContext } from '../context.js';
import { MissingResourceError, ProvisioningInputError } from '../errors.js';

type CertificateCheckpoint = NonNullable<Checkpoint['certificate']>;

/**
 * The template's `AWS::IoT::Certificate`: an existing certificate (CertificateId), one AWS signs
 * from a CSR, or a PEM registered with or without its CA. Whatever this task creates is recorded
 * before the next step, so a redelivered message reuses it instead of making a second one.
 */
export async function ensureCertificate(
  ctx: ProvisioningContext,
  spec: ExpandedCertificate,
): Promise<CertificateCheckpoint> {
  const done = ctx.checkpoint.certificate;
  if (done !== undefined && done.certificateArn !== '' && matches(done, spec)) {
    return done;
  }
  if (spec.certificateId !== undefined) return useExisting(ctx, spec.certificateId, spec.status);
  if (spec.certificateSigningRequest !== undefined)
    return fromCsr(ctx, spec.certificateSigningRequest, spec.status);
  if (spec.certificatePem !== undefined) return register(ctx, spec);
  throw new ProvisioningInputError(
    'TEMPLATE_CERTIFICATE_INVALID',
    `Certificate '${spec.logicalId}' needs CertificateId, CertificateSigningRequest or CertificatePem`,
  );
}

function matches(done: CertificateCheckpoint, spec: ExpandedCertificate): boolean {
  return spec.certificateId === undefined || spec.certificateId === done.certificateId;
}

async function useExisting(
  ctx: ProvisioningContext,
  certificateId: string,
  status: string | undefined,
): Promise<CertificateCheckpoint> {
  const description = await describe(ctx, certificateId);
  if (description === undefined) {
    throw new MissingResourceError(
      'CERTIFICATE_NOT_FOUND',
      `Certificate '${certificateId}' does not exist in AWS IoT`,
    );
  }
  if (status !== undefined && status !== description.status) await setStatus(ctx, certificateId, status);
  // A certificate the CDF pre-step made is this task's own: keep `created` so compensation removes it.
  const created =
    ctx.checkpoint.certificate?.certificateId === certificateId && ctx.checkpoint.certificate.created;
  const checkpoint = {
    created,
    certificateId,
    certificateArn: description.arn,
    certificatePem: description.pem,
  };
  await ctx.save({ certificate: checkpoint });
  return checkpoint;
}

async function fromCsr(
  ctx: ProvisioningContext,
  csr: string,
  status: string | undefined,
): Promise<CertificateCheckpoint> {
  const out = await awsCall('creating a certificate from the CSR', () =>
    ctx.iot.send(
      new CreateCertificateFromCsrCommand({
        certificateSigningRequest: csr,
        setAsActive: (status ?? 'ACTIVE') === 'ACTIVE',
      }),
    ),
  );
  const checkpoint = {
    created: true,
    certificateId: present(out.certificateId, 'certificateId'),
    certificateArn: present(out.certificateArn, 'certificateArn'),
    certificatePem: present(out.certificatePem, 'certificatePem'),
  };
  await ctx.save({ certificate: checkpoint });
  if (status !== undefined && status !== 'ACTIVE' && status !== 'INACTIVE')
    await setStatus(ctx, checkpoint.certificateId, status);
  return checkpoint;
}

/**
 * A PEM from the template: checked first (garbage, expired or an algorithm AWS IoT refuses is the
 * caller's error, not a worker failure), then registered as the certificate modes register theirs.
 * One the caller registered before is used but never removed by compensation.
 */
async function register(ctx: ProvisioningContext, spec: ExpandedCertificate): Promise<CertificateCheckpoint> {
  const certificatePem = spec.certificatePem ?? '';
  checkCertificatePem(certificatePem);
  return registerCertificate(ctx, {
    certificatePem,
    caCertificatePem: spec.caCertificatePem,
    status: spec.status ?? 'ACTIVE',
    mayExist: true,
  });
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
