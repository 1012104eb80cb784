/**
 * Shared by the certificate-modes integration tests: requests through the API, a worker that
 * dies at a chosen checkpoint, and questions to the emulated registry.
 */
import {
  DescribeCACertificateCommand,
  DescribeCertificateCommand,
  GetRegistrationCodeCommand,
  ListCertificatesByCACommand,
  ListThingPrincipalsCommand,
  RegisterCACertificateCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { createHash, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import {
  generateDeviceKeyPair,
  issueDeviceCertificate,
  loadCaSigner,
  type DeviceKeyAlgorithm,
} from '../../src/certificates/index.js';
import { createSelfSignedCa } from '../../src/provisioning/ca/self-signed-ca.js';
import {
  contextSaver,
  type CheckpointPatch,
  type ProvisioningContext,
} from '../../src/provisioning/context.js';
import { newTask } from '../../src/tasks/new-task.js';
import type { ProvisionRequest } from '../../src/tasks/request.js';
import type { InboundMessage } from '../../workers/inbound-message.js';
import { request, type JsonResponse } from '../support/http.js';
import type { TestStack } from '../support/stack.js';

export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** POST /things, waiting for the outcome: 201 with the ProvisionResponse, or the task's error. */
export function provisionNow(apiUrl: string, body: ProvisionRequest): Promise<JsonResponse> {
  return request(apiUrl, 'POST', '/things', { body, headers: { prefer: 'wait=20' } });
}

export const message = (taskId: string): InboundMessage => ({
  messageId: randomUUID(),
  body: JSON.stringify({ taskId }),
  receiptHandle: 'not-used',
  receiveCount: 1,
  attributes: {},
});

/** Records a task as the API would after admission, without enqueueing it. */
export async function recordTask(stack: TestStack, body: ProvisionRequest): Promise<string> {
  const taskId = randomUUID();
  await stack.services.tasks.create(newTask(taskId, body, { source: 'api', ttlSeconds: 3600 }));
  return taskId;
}

export class Crash extends Error {}

/**
 * Plays a worker that claims the task, runs `work` and dies at the first checkpoint `at` matches:
 * `after` it was written, or `before` (the AWS call before it went through, its record did not).
 * The lease is already over, so the next delivery may claim the task at once.
 */
export async function crashDuring(
  stack: TestStack,
  taskId: string,
  body: ProvisionRequest,
  work: (ctx: ProvisioningContext) => Promise<unknown>,
  at: { when: 'before' | 'after'; patch: (patch: CheckpointPatch) => boolean },
): Promise<ProvisioningContext> {
  const owner = 'crashing-worker';
  const claim = await stack.services.tasks.claim(taskId, owner, 0);
  if (claim.kind !== 'claimed') throw new Error(`could not claim ${taskId}: ${claim.kind}`);
  const ctx: ProvisioningContext = {
    taskId,
    request: body,
    iot: stack.clients.iot,
    secrets: stack.services.secrets,
    logger: stack.services.logger,
    checkpoint: { policies: {} },
    privateKey: undefined,
    save: () => Promise.resolve(),
  };
  const save = contextSaver(stack.services.tasks, taskId, owner, 0, ctx);
  ctx.save = async (patch) => {
    const matches = at.patch(patch);
    if (matches && at.when === 'before') throw new Crash('worker died before the checkpoint');
    await save(patch);
    if (matches) throw new Crash('worker died after the checkpoint');
  };
  await expectCrash(work(ctx));
  return ctx;
}

async function expectCrash(run: Promise<unknown>): Promise<void> {
  try {
    await run;
  } catch (e: unknown) {
    if (e instanceof Crash) return;
    throw e;
  }
  throw new Error('the worker was meant to die but finished');
}

/**
 * Whether AWS IoT holds this certificate. AWS names it by the SHA-256 of its DER; moto by the
 * SHA-256 of the PEM text as sent, so both are asked.
 */
export async function inIot(iot: IoTClient, pem: string): Promise<boolean> {
  const der = createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
  const text = [pem, pem.trim(), `${pem.trim()}\n`].map((p) => createHash('sha256').update(p).digest('hex'));
  for (const certificateId of new Set([der, ...text])) {
    try {
      await iot.send(new DescribeCertificateCommand({ certificateId }));
      return true;
    } catch (e: unknown) {
      if (!(e instanceof Error && e.name === 'ResourceNotFoundException')) throw e;
    }
  }
  return false;
}

export async function principalsOf(iot: IoTClient, thingName: string): Promise<string[]> {
  return (await iot.send(new ListThingPrincipalsCommand({ thingName }))).principals ?? [];
}

export async function certificatesOfCa(iot: IoTClient, caCertificateId: string): Promise<string[]> {
  const out = await iot.send(new ListCertificatesByCACommand({ caCertificateId, pageSize: 250 }));
  return (out.certificates ?? []).map((c) => c.certificateArn ?? '');
}

export async function caPemOf(iot: IoTClient, caId: string): Promise<string> {
  const out = await iot.send(new DescribeCACertificateCommand({ certificateId: caId }));
  return out.certificateDescription?.certificatePem ?? '';
}

/** A CA of the test's own, registered with AWS IoT; its key goes to SSM only when asked. */
export async function makeCa(
  stack: TestStack,
  algorithm: DeviceKeyAlgorithm,
  options: { storeKey: boolean; active: boolean; days?: number },
): Promise<{ caId: string; pem: string }> {
  const key = await generateDeviceKeyPair(algorithm);
  const pem = createSelfSignedCa(
    key.privateKeyPem,
    { country: 'DE', organization: 'Test', commonName: unique('test-ca') },
    { days: options.days ?? 30 },
  );
  const code = (await stack.clients.iot.send(new GetRegistrationCodeCommand({}))).registrationCode ?? '';
  const verification = issueDeviceCertificate(loadCaSigner(pem, key.privateKeyPem), {
    publicKey: (await generateDeviceKeyPair('EC-P256')).publicKeyPem,
    subject: { country: 'DE', commonName: code },
    days: 1,
  });
  const out = await stack.clients.iot.send(
    new RegisterCACertificateCommand({
      caCertificate: pem,
      verificationCertificate: verification,
      setAsActive: options.active,
    }),
  );
  const caId = out.certificateId ?? '';
  if (options.storeKey) {
    await stack.clients.ssm.send(
      new PutParameterCommand({
        Name: stack.config.certificates.caKeyParameterPattern.replaceAll('{caId}', caId),
        Type: 'SecureString',
        Value: key.privateKeyPem,
      }),
    );
  }
  return { caId, pem };
}

/** The seed API's example certificate: MD5 with RSA, a 512-bit key, expired in 2005. */
export const SEED_CERTIFICATE =
  '-----BEGIN CERTIFICATE-----\nMIICUTCCAfugAwIBAgIBADANBgkqhkiG9w0BAQQFADBXMQswCQYDVQQGEwJDTjEL\nMAkGA1UECBMCUE4xCzAJBgNVBAcTAkNOMQswCQYDVQQKEwJPTjELMAkGA1UECxMC\nVU4xFDASBgNVBAMTC0hlcm9uZyBZYW5nMB4XDTA1MDcxNTIxMTk0N1oXDTA1MDgx\nNDIxMTk0N1owVzELMAkGA1UEBhMCQ04xCzAJBgNVBAgTAlBOMQswCQYDVQQHEwJD\nTjELMAkGA1UEChMCT04xCzAJBgNVBAsTAlVOMRQwEgYDVQQDEwtIZXJvbmcgWWFu\nZzBcMA0GCSqGSIb3DQEBAQUAA0sAMEgCQQCp5hnG7ogBhtlynpOS21cBewKE/B7j\nV14qeyslnr26xZUsSVko36ZnhiaO/zbMOoRcKK9vEcgMtcLFuQTWDl3RAgMBAAGj\ngbEwga4wHQYDVR0OBBYEFFXI70krXeQDxZgbaCQoR4jUDncEMH8GA1UdIwR4MHaA\nFFXI70krXeQDxZgbaCQoR4jUDncEoVukWTBXMQswCQYDVQQGEwJDTjELMAkGA1UE\nCBMCUE4xCzAJBgNVBAcTAkNOMQswCQYDVQQKEwJPTjELMAkGA1UECxMCVU4xFDAS\nBgNVBAMTC0hlcm9uZyBZYW5nggEAMAwGA1UdEwQFMAMBAf8wDQYJKoZIhvcNAQEE\nBQADQQA/ugzBrjjK9jcWnDVfGHlk3icNRq0oV7Ri32z/+HQX67aRfgZu7KWdI+Ju\nWm7DCfrPNGVwFWUQOmsPue9rZBgO\n-----END CERTIFICATE-----';

/** The seed API's example CSR (example.digicert.com, RSA-2048). */
export const SEED_CSR =
  '-----BEGIN CERTIFICATE REQUEST-----\nMIICvDCCAaQCAQAwdzELMAkGA1UEBhMCVVMxDTALBgNVBAgMBFV0YWgxDzANBgNV\nBAcMBkxpbmRvbjEWMBQGA1UECgwNRGlnaUNlcnQgSW5jLjERMA8GA1UECwwIRGln\naUNlcnQxHTAbBgNVBAMMFGV4YW1wbGUuZGlnaWNlcnQuY29tMIIBIjANBgkqhkiG\n9w0BAQEFAAOCAQ8AMIIBCgKCAQEA8+To7d+2kPWeBv/orU3LVbJwDrSQbeKamCmo\nwp5bqDxIwV20zqRb7APUOKYoVEFFOEQs6T6gImnIolhbiH6m4zgZ/CPvWBOkZc+c\n1Po2EmvBz+AD5sBdT5kzGQA6NbWyZGldxRthNLOs1efOhdnWFuhI162qmcflgpiI\nWDuwq4C9f+YkeJhNn9dF5+owm8cOQmDrV8NNdiTqin8q3qYAHHJRW28glJUCZkTZ\nwIaSR6crBQ8TbYNE0dc+Caa3DOIkz1EOsHWzTx+n0zKfqcbgXi4DJx+C1bjptYPR\nBPZL8DAeWuA8ebudVT44yEp82G96/Ggcf7F33xMxe0yc+Xa6owIDAQABoAAwDQYJ\nKoZIhvcNAQEFBQADggEBAB0kcrFccSmFDmxox0Ne01UIqSsDqHgL+XmHTXJwre6D\nhJSZwbvEtOK0G3+dr4Fs11WuUNt5qcLsx5a8uk4G6AKHMzuhLsJ7XZjgmQXGECpY\nQ4mC3yT3ZoCGpIXbw+iP3lmEEXgaQL0Tx5LFl/okKbKYwIqNiyKWOMj7ZR/wxWg/\nZDGRs55xuoeLDJ/ZRFf9bI+IaCUd1YrfYcHIl3G87Av+r49YVwqRDT0VDV7uLgqn\n29XI1PpVUNCPQGn9p/eX6Qo7vpDaPybRtA2R7XLKjQaF9oXWeCUqy1hvJac9QFO2\n97Ob1alpHPoZ7mWiEuJwjBPii6a9M9G30nUo39lBi1w=\n-----END CERTIFICATE REQUEST-----\n';
