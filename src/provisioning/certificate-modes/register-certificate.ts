import { unlessGone } from '../../aws/unless-gone.js';
import {
  DescribeCertificateCommand,
  RegisterCertificateCommand,
  RegisterCertificateWithoutCACommand,
  ResourceAlreadyExistsException,
  type CertificateStatus,
} from '@aws-sdk/client-iot';
import { createHash, X509Certificate } from 'node:crypto';
import { awsCall } from '../../aws/classify-error.js';
import { present } from '../../aws/present.js';
import { ConflictError } from '../../errors.js';
import type { Checkpoint } from '../../tasks/model.js';
import type { ProvisioningContext } from '../context.js';

export type CertificateCheckpoint = NonNullable<Checkpoint['certificate']>;

export interface Registration {
  certificatePem: string;
  /** Register with this CA (RegisterCertificate); without it, RegisterCertificateWithoutCA. */
  caCertificatePem?: string;
  status: CertificateStatus;
  /** The device's public key, when this service made its key pair. */
  publicKey?: string;
  /**
   * The caller brought the certificate, so it may be in AWS IoT already; such a certificate is
   * used but never marked as this task's, so compensation leaves it alone.
   */
  mayExist?: boolean;
}

/** AWS IoT's certificate id: the SHA-256 of the DER. */
export const certificateIdOf = (pem: string) =>
  createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

/**
 * Registers a certificate a mode made or was given, checkpointing the intent (its id, which AWS
 * derives from the DER) before the call: a redelivered message that finds the intent and then
 * "already exists" knows the certificate is its own. The checkpointed id is the one AWS IoT
 * answers with (its ARN's last part), which on moto is a hash of the PEM text rather than the DER.
 */
export async function registerCertificate(
  ctx: ProvisioningContext,
  registration: Registration,
): Promise<CertificateCheckpoint> {
  const { certificatePem, publicKey } = registration;
  const derId = certificateIdOf(certificatePem);
  const previous = ctx.checkpoint.certificate;
  // The mode's own first checkpoint of a certificate it made counts as the intent.
  const ours = previous?.certificateId === derId && previous.created;
  if (!ours && registration.mayExist === true) {
    const existingArn = await describeArn(ctx, derId);
    if (existingArn !== undefined) return save(ctx, false, existingArn, registration);
  }
  if (!ours) {
    const intent = { created: true, certificateId: derId, certificateArn: '', certificatePem, publicKey };
    await ctx.save({ certificate: withoutUndefined(intent) });
  }
  let arn: string;
  try {
    arn = await register(ctx, registration);
  } catch (e: unknown) {
    const existing = e instanceof ConflictError ? alreadyRegisteredArn(e) : undefined;
    if (existing === undefined) throw e;
    // Ours only if an earlier attempt recorded the intent (and stopped after registering).
    return save(ctx, ours, existing, registration);
  }
  return save(ctx, true, arn, registration);
}

async function save(
  ctx: ProvisioningContext,
  created: boolean,
  certificateArn: string,
  registration: Registration,
): Promise<CertificateCheckpoint> {
  const checkpoint = withoutUndefined({
    created,
    certificateId: certificateArn.slice(certificateArn.lastIndexOf('/') + 1),
    certificateArn,
    certificatePem: registration.certificatePem,
    publicKey: registration.publicKey,
  });
  await ctx.save({ certificate: checkpoint });
  return checkpoint;
}

async function register(ctx: ProvisioningContext, registration: Registration): Promise<string> {
  const { certificatePem, caCertificatePem, status } = registration;
  const out =
    caCertificatePem === undefined
      ? await awsCall('registering the device certificate without a CA', () =>
          ctx.iot.send(new RegisterCertificateWithoutCACommand({ certificatePem, status })),
        )
      : await awsCall('registering the device certificate with its CA', () =>
          ctx.iot.send(new RegisterCertificateCommand({ certificatePem, caCertificatePem, status })),
        );
  return present(out.certificateArn, 'certificateArn');
}

function alreadyRegisteredArn(e: ConflictError): string | undefined {
  const cause = e.cause;
  return cause instanceof ResourceAlreadyExistsException ? cause.resourceArn : undefined;
}

async function describeArn(ctx: ProvisioningContext, certificateId: string): Promise<string | undefined> {
  const out = await unlessGone(() =>
    awsCall(`reading certificate '${certificateId}'`, () =>
      ctx.iot.send(new DescribeCertificateCommand({ certificateId })),
    ),
  );
  return out === undefined
    ? undefined
    : present(out.certificateDescription?.certificateArn, 'certificateArn');
}

/** DynamoDB documents must not carry `undefined` members the type allows to be absent. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
