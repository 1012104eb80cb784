import {
  CreateCertificateFromCsrCommand,
  DescribeCertificateCommand,
  RegisterCertificateCommand,
  RegisterCertificateWithoutCACommand,
  UpdateCertificateCommand,
  type CertificateStatus,
} from '@aws-sdk/client-iot';
import { createHash, X509Certificate } from 'node:crypto';
import { awsCall } from '../../aws/classify-error.js';
import { present } from '../../aws/present.js';
import { NotFoundError } from '../../errors.js';
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

/** AWS IoT names a registered certificate by the SHA-256 of its DER, so we know its id up front. */
async function register(ctx: ProvisioningContext, spec: ExpandedCertificate): Promise<CertificateCheckpoint> {
  const pem = spec.certificatePem ?? '';
  const certificateId = certificateIdOf(pem);
  const intended = ctx.checkpoint.certificate?.certificateId === certificateId;
  const existing = await describe(ctx, certificateId);
  if (existing !== undefined && !intended) {
    // Registered before this task: use it, but never remove it on failure.
    const checkpoint = {
      created: false,
      certificateId,
      certificateArn: existing.arn,
      certificatePem: existing.pem,
    };
    await ctx.save({ certificate: checkpoint });
    return checkpoint;
  }
  if (!intended) {
    await ctx.save({
      certificate: { created: true, certificateId, certificateArn: '', certificatePem: pem },
    });
  }
  const status = (spec.status ?? 'ACTIVE') as CertificateStatus;
  const arn =
    existing?.arn ??
    (spec.caCertificatePem !== undefined
      ? (
          await awsCall('registering the device certificate with its CA', () =>
            ctx.iot.send(
              new RegisterCertificateCommand({
                certificatePem: pem,
                caCertificatePem: spec.caCertificatePem,
                status,
              }),
            ),
          )
        ).certificateArn
      : (
          await awsCall('registering the device certificate without a CA', () =>
            ctx.iot.send(new RegisterCertificateWithoutCACommand({ certificatePem: pem, status })),
          )
        ).certificateArn);
  const checkpoint = {
    created: true,
    certificateId,
    certificateArn: present(arn, 'arn'),
    certificatePem: pem,
  };
  await ctx.save({ certificate: checkpoint });
  return checkpoint;
}

export function certificateIdOf(pem: string): string {
  try {
    return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
  } catch (e: unknown) {
    throw new ProvisioningInputError(
      'CERTIFICATE_PEM_INVALID',
      'CertificatePem is not a readable X.509 certificate',
      {
        cause: e,
      },
    );
  }
}

async function describe(
  ctx: ProvisioningContext,
  certificateId: string,
): Promise<{ arn: string; pem: string; status: string } | undefined> {
  try {
    const out = await awsCall(`reading certificate '${certificateId}'`, () =>
      ctx.iot.send(new DescribeCertificateCommand({ certificateId })),
    );
    const d = out.certificateDescription;
    return {
      arn: present(d?.certificateArn, 'certificateArn'),
      pem: present(d?.certificatePem, 'certificatePem'),
      status: present(d?.status, 'status'),
    };
  } catch (e: unknown) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}

async function setStatus(ctx: ProvisioningContext, certificateId: string, status: string): Promise<void> {
  await awsCall(`setting certificate '${certificateId}' to ${status}`, () =>
    ctx.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: status as CertificateStatus })),
  );
}
