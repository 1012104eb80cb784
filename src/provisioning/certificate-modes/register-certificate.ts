import { unlessGone } from '../../aws/unless-gone.js';
import {
  DescribeCertificateCommand,
  RegisterCertificateCommand,
  RegisterCertificateWithoutCACommand,
  ResourceAlreadyExistsException,
  type CertificateStatus,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { createHash, X509Certificate } from 'node:crypto';
import { awsCall } from '../../aws/classify-error.js';
import { present } from '../../aws/present.js';
import { ConflictError } from '../../errors.js';
import type { CertificateRecord } from '../../tasks/model.js';
import type { ProvisioningContext } from '../context.js';

export type CertificateCheckpoint = CertificateRecord;

/** AWS IoT's certificate id: the SHA-256 of the DER. */
export const certificateIdOf = (pem: string) =>
  createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

/**
 * A certificate a task will register, as its claim records it before registering: the id AWS
 * derives from the DER, no ARN yet, and `created` unless it is already registered (a certificate
 * the caller brought may be; one this service made cannot be).
 */
export async function registrationIntent(iot: IoTClient, certificatePem: string): Promise<CertificateRecord> {
  const certificateId = certificateIdOf(certificatePem);
  const existingArn = await describeArn(iot, certificateId);
  return existingArn === undefined
    ? { created: true, certificateId, certificateArn: '', certificatePem }
    : { created: false, certificateId: idOfArn(existingArn), certificateArn: existingArn, certificatePem };
}

export interface Registration {
  /** The claim's record of it, `certificateArn` still empty. */
  certificate: CertificateRecord;
  /** Register with this CA (RegisterCertificate); without it, RegisterCertificateWithoutCA. */
  caCertificatePem?: string;
  status: CertificateStatus;
  /** This service made the certificate, so "already registered" can only mean by this task. */
  madeHere: boolean;
}

/**
 * Registers the certificate the claim recorded. A repeat answers "already exists" with the ARN,
 * which is adopted: the certificate is this task's own if it made the certificate, or if an
 * earlier run of the task recorded the same intent (and stopped after registering). Otherwise
 * somebody registered the caller's certificate first, and that is written down at once, so that
 * compensation leaves it alone even if this run stops. The id kept is the one AWS IoT answers
 * (its ARN's last part), which on moto is a hash of the PEM text rather than the DER.
 */
export async function registerCertificate(
  ctx: ProvisioningContext,
  registration: Registration,
): Promise<CertificateRecord> {
  const { certificate } = registration;
  let registered: CertificateRecord;
  try {
    const arn = await register(ctx, registration);
    registered = { ...certificate, certificateId: idOfArn(arn), certificateArn: arn };
  } catch (e: unknown) {
    const existing = e instanceof ConflictError ? alreadyRegisteredArn(e) : undefined;
    if (existing === undefined) throw e;
    const earlier = ctx.earlier.certificate;
    const ours =
      registration.madeHere ||
      (earlier?.created === true &&
        earlier.certificateArn === '' &&
        earlier.certificateId === certificate.certificateId);
    registered = {
      ...certificate,
      created: certificate.created && ours,
      certificateId: idOfArn(existing),
      certificateArn: existing,
    };
    if (!registered.created && certificate.created) await ctx.record({ certificate: registered });
  }
  ctx.checkpoint.certificate = registered;
  return registered;
}

async function register(ctx: ProvisioningContext, registration: Registration): Promise<string> {
  const { caCertificatePem, status } = registration;
  const { certificatePem } = registration.certificate;
  const out =
    caCertificatePem === undefined
      ? await awsCall('registering the device certificate without a CA', () =>
          ctx.iotCreate.send(new RegisterCertificateWithoutCACommand({ certificatePem, status })),
        )
      : await awsCall('registering the device certificate with its CA', () =>
          ctx.iotCreate.send(new RegisterCertificateCommand({ certificatePem, caCertificatePem, status })),
        );
  return present(out.certificateArn, 'certificateArn');
}

const idOfArn = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

function alreadyRegisteredArn(e: ConflictError): string | undefined {
  const cause = e.cause;
  return cause instanceof ResourceAlreadyExistsException ? cause.resourceArn : undefined;
}

async function describeArn(iot: IoTClient, certificateId: string): Promise<string | undefined> {
  const out = await unlessGone(() =>
    awsCall(`reading certificate '${certificateId}'`, () =>
      iot.send(new DescribeCertificateCommand({ certificateId })),
    ),
  );
  return out === undefined
    ? undefined
    : present(out.certificateDescription?.certificateArn, 'certificateArn');
}
