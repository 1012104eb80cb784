import {
  GetCertificateCommand,
  IssueCertificateCommand,
  type ACMPCAClient,
  type SigningAlgorithm,
} from '@aws-sdk/client-acm-pca';
import { createHash } from 'node:crypto';
import { awsCall } from '../../../aws/classify-error.js';
import { present } from '../../../aws/present.js';
import {
  CertificateError,
  createCsr,
  generateDeviceKeyPair,
  verifyIssuedBy,
  type CertInfo,
} from '../../../certificates/index.js';
import { InternalError, TransientError } from '../../../errors.js';
import type { CertificateRecord } from '../../../tasks/model.js';
import type { IotCaCertificates } from '../../ca/ca-certificates.js';
import type { CertificateChains } from '../../ca/certificate-chains.js';
import type { PcaDirectory } from '../../ca/pca-directory.js';
import type { ProvisioningContext } from '../../context.js';
import type { ModeRun } from '../certificate-mode.js';
import { ModeInputError } from '../errors.js';
import { keyAlgorithmOf } from '../mode-inputs.js';
import { certificateIdOf, registerCertificate } from '../register-certificate.js';
import { withChain } from '../with-chain.js';
import { acmPcaInput, type AcmPcaConfig, type AcmPcaInput } from './input.js';

/** Before registration the checkpoint holds only the ARN ACM PCA gave the certificate. */
type IssuingCheckpoint = CertificateRecord & { pcaCertificateArn?: string };

export interface AcmPcaDeps {
  acmpca: ACMPCAClient;
  pcas: PcaDirectory;
  cas: IotCaCertificates;
  chains: Pick<CertificateChains, 'store'>;
  config: AcmPcaConfig;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * `acmpca`: ACM Private CA issues the device certificate, for the device's CSR or for a key pair
 * and CSR this service makes (and, unlike CDF, returns). The key pair is made before the claim,
 * whose write records the sealed key; the issued certificate's ARN is recorded before waiting for
 * it, so a redelivery waits for the same certificate and registers that one. IssueCertificate's
 * IdempotencyToken, derived from the task, covers the gap between issuing and that record on real
 * ACM PCA (moto ignores the token).
 */
export function acmPcaRun(deps: AcmPcaDeps): ModeRun<'acmpca'> {
  return {
    async prepare(ctx, cdf) {
      const input = acmPcaInput(ctx.request, cdf, deps.config);
      if (ctx.recorded.certificate !== undefined || input.csr !== undefined) return {};
      if (ctx.recorded.privateKey !== undefined) return {};
      ctx.mayMake();
      const keyPair = await generateDeviceKeyPair(keyAlgorithmOf(ctx.request, cdf));
      return { privateKey: await ctx.secrets.seal(keyPair.privateKeyPem, ctx.taskId) };
    },

    async run(ctx, cdf) {
      const input = acmPcaInput(ctx.request, cdf, deps.config);
      let certificate: IssuingCheckpoint | undefined = ctx.checkpoint.certificate;
      if (certificate?.certificateArn === undefined || certificate.certificateArn === '') {
        const caPem =
          input.iotCaId === undefined ? undefined : (await deps.cas.active(input.iotCaId)).certificatePem;
        let pem = certificate?.created === true ? certificate.certificatePem : '';
        // GetCertificate's chain (issuing CA first, up to the root), else the AWS IoT CA's certificate.
        let chainPem = caPem;
        if (pem === '') {
          const issuedArn = certificate?.pcaCertificateArn ?? (await issue(ctx, input, deps));
          const issued = await waitForCertificate(deps, input.pcaArn, issuedArn);
          checkIssuer(issued, input, caPem);
          pem = issued.certificate;
          chainPem = issued.chain ?? caPem;
        }
        const made: CertificateRecord = {
          created: true,
          certificateId: certificateIdOf(pem),
          certificateArn: '',
          certificatePem: pem,
          ...(certificate?.chainId !== undefined ? { chainId: certificate.chainId } : {}),
        };
        certificate = await registerCertificate(ctx, {
          certificate: await withChain(deps.chains, made, chainPem),
          caCertificatePem: caPem,
          status: 'ACTIVE',
          madeHere: true,
        });
      }
      return {
        CertificateId: certificate.certificateId,
        CertificateArn: certificate.certificateArn,
        CertificatePem: certificate.certificatePem,
      };
    },
  };
}

/** PCA limits the token to 36 characters; the same task always asks with the same one. */
export const idempotencyTokenFor = (taskId: string) =>
  createHash('sha256').update(taskId).digest('hex').slice(0, 32);

async function issue(ctx: ProvisioningContext, input: AcmPcaInput, deps: AcmPcaDeps): Promise<string> {
  const csr = input.csr ?? (await ownCsr(ctx, input));
  const authority = await deps.pcas.authority(input.pcaArn);
  await ctx.keepLease();
  const issuedArn = await issueCertificate(deps.acmpca, ctx.taskId, input, csr, authority.signingAlgorithm);
  const pending: IssuingCheckpoint = {
    created: false,
    certificateId: '',
    certificateArn: '',
    certificatePem: '',
    pcaCertificateArn: issuedArn,
  };
  await ctx.record({ certificate: pending });
  return issuedArn;
}

/**
 * A CSR for the key pair the claim recorded: a redelivery re-makes it from the same key, so the
 * certificate ACM PCA returns for the task's IdempotencyToken always matches the key the caller gets.
 */
async function ownCsr(ctx: ProvisioningContext, input: AcmPcaInput): Promise<string> {
  if (ctx.privateKey === undefined) {
    throw new InternalError('PRIVATE_KEY_NOT_PREPARED', 'The claim recorded no key pair for the CSR');
  }
  const privateKeyPem = await ctx.secrets.open(ctx.privateKey, ctx.taskId);
  return createCsr(privateKeyPem, input.subject as CertInfo);
}

async function issueCertificate(
  acmpca: ACMPCAClient,
  taskId: string,
  input: AcmPcaInput,
  csr: string,
  signingAlgorithm: SigningAlgorithm,
): Promise<string> {
  const out = await awsCall(`asking ACM PCA '${input.pcaArn}' to issue the device certificate`, () =>
    acmpca.send(
      new IssueCertificateCommand({
        CertificateAuthorityArn: input.pcaArn,
        Csr: Buffer.from(csr, 'utf8'),
        SigningAlgorithm: signingAlgorithm,
        Validity: { Type: 'DAYS', Value: input.days },
        IdempotencyToken: idempotencyTokenFor(taskId),
      }),
    ),
  );
  return present(out.CertificateArn, 'the issued certificate ARN');
}

export interface Issued {
  certificate: string;
  chain: string | undefined;
}

/**
 * GetCertificate until ACM PCA has the certificate, backing off while it is in progress or
 * throttled. Past PCA_WAIT_SECONDS the task is not failed: the message comes back later and waits
 * again for the same (checkpointed) certificate.
 */
export async function waitForCertificate(
  deps: AcmPcaDeps,
  pcaArn: string,
  certificateArn: string,
): Promise<Issued> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + deps.config.pcaWaitSeconds * 1000;
  for (let delay = 200; ; delay = Math.min(delay * 2, 3000)) {
    try {
      const out = await awsCall(`reading certificate '${certificateArn}' from ACM PCA`, () =>
        deps.acmpca.send(
          new GetCertificateCommand({ CertificateAuthorityArn: pcaArn, CertificateArn: certificateArn }),
        ),
      );
      return {
        certificate: `${present(out.Certificate, 'the issued certificate').trim()}\n`,
        chain:
          out.CertificateChain === undefined || out.CertificateChain === ''
            ? undefined
            : out.CertificateChain,
      };
    } catch (e: unknown) {
      if (!(e instanceof TransientError)) throw e;
      if (Date.now() + delay > deadline) {
        throw new TransientError(
          'PCA_CERTIFICATE_PENDING',
          `ACM PCA has not issued certificate '${certificateArn}' within ${deps.config.pcaWaitSeconds} s; ` +
            'the task will wait for it again when its message is redelivered',
          { cause: e },
        );
      }
      await sleep(delay);
    }
  }
}

/** What AWS IoT would check at registration, checked here too, since moto does not. */
function checkIssuer(issued: Issued, input: AcmPcaInput, iotCaPem: string | undefined): void {
  try {
    if (iotCaPem !== undefined) verifyIssuedBy(issued.certificate, iotCaPem);
    else if (issued.chain !== undefined) verifyIssuedBy(issued.certificate, issued.chain);
  } catch (e: unknown) {
    if (!(e instanceof CertificateError) || iotCaPem === undefined) throw e;
    throw new ModeInputError(
      'CA_MISMATCH',
      `AWS IoT CA '${input.iotCaId ?? ''}' did not issue the certificate ACM PCA '${input.pcaArn}' signed: ` +
        "name the AWS IoT CA that holds this PCA's CA certificate (awsiotCaArn / awsiotCaAlias)",
      { cause: e },
    );
  }
}
