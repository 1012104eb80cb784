import { AttachThingPrincipalCommand, RegisterCertificateWithoutCACommand } from '@aws-sdk/client-iot';
import { generateDeviceKeyPair } from '../../src/certificates/index.js';
import { createSelfSignedCa } from '../../src/provisioning/ca/self-signed-ca.js';
import type { Task } from '../../src/tasks/model.js';
import { unique } from './names.js';
import type { TestStack } from './stack.js';
import { deliverTask, recordTask } from './tasks.js';

/** A certificate PEM of the test's own whose not-after is `days` from now. */
export async function pemValidFor(days: number): Promise<string> {
  const key = await generateDeviceKeyPair('EC-P256');
  return createSelfSignedCa(key.privateKeyPem, { country: 'DE', commonName: unique('device') }, { days });
}

export interface TestCertificate {
  certificateId: string;
  certificateArn: string;
  pem: string;
}

/**
 * Provisions a thing whose certificate is a PEM valid for `days` (the `certificate-pem` test
 * template), through the worker as a queue message would: the task runner records it.
 */
export async function provisionWithPem(
  stack: TestStack,
  thingName: string,
  days: number,
): Promise<TestCertificate & { task: Task }> {
  const pem = await pemValidFor(days);
  const taskId = await recordTask(stack, {
    provisioningTemplateId: 'certificate-pem',
    parameters: { ThingName: thingName, CertificatePem: pem },
  });
  const task = await deliverTask(stack, taskId);
  if (task.status !== 'SUCCEEDED')
    throw new Error(`provisioning ${thingName}: ${JSON.stringify(task.error)}`);
  const certificate = task.checkpoint.certificate;
  return {
    certificateId: certificate?.certificateId ?? '',
    certificateArn: certificate?.certificateArn ?? '',
    pem,
    task,
  };
}

/**
 * Registers another ACTIVE certificate, attaches it to the thing and records it through the
 * inventory's interface (as a rotation would).
 */
export async function addCertificate(
  stack: TestStack,
  thingName: string,
  days: number,
): Promise<TestCertificate> {
  const { iot } = stack.clients;
  const pem = await pemValidFor(days);
  const out = await iot.send(
    new RegisterCertificateWithoutCACommand({ certificatePem: pem, status: 'ACTIVE' }),
  );
  const certificateId = out.certificateId ?? '';
  const certificateArn = out.certificateArn ?? '';
  await iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn }));
  await stack.services.lifecycle.inventory.record({
    certificateId,
    certificateArn,
    certificatePem: pem,
    thingName,
    origin: { mode: 'registered', deviceKey: true },
    status: 'ACTIVE',
    source: 'task',
  });
  return { certificateId, certificateArn, pem };
}
