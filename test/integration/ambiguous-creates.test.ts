import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateKeysAndCertificateCommand, ListThingPrincipalsCommand } from '@aws-sdk/client-iot';
import { bootstrapSampleCas, type SampleCas } from '../../infra/bootstrap-ca.js';
import { startMoto, type RunningMoto } from '../../infra/moto.mjs';
import { createCsr, generateDeviceKeyPair } from '../../src/certificates/index.js';
import type { ProvisionRequest } from '../../src/tasks/request.js';
import { submitTask } from '../../src/tasks/submit-task.js';
import { handleDeadLetter } from '../../workers/handle-dead-letter.js';
import { handleRequestMessage } from '../../workers/handle-request.js';
import type { RunningWorkers } from '../../workers/start-consumers.js';
import { submitInline } from '../support/bulk.js';
import { startFaultProxy, type FaultProxy, type LostAnswer } from '../support/fault-proxy.js';
import { certificatesAndThings } from '../support/iot-registry.js';
import { unique } from '../support/names.js';
import { createTestStack, type TestStack } from '../support/stack.js';
import { inboundMessage, recordTask } from '../support/tasks.js';
import { waitFor } from '../support/wait.js';
import { selfSigned } from '../unit/certificates/fixtures.js';

/**
 * Issue 13: a create whose answer is lost (the request timed out, or the connection broke after
 * the request was sent), or whose worker died before recording what it made, must end with
 * exactly one certificate per device and none that nothing owns. The emulator is this file's
 * own: the clean-up of an interrupted create looks at every certificate of the account, so the
 * registry must hold only what these tests make, and the assertions can look at all of it.
 */
let moto: RunningMoto;
let proxy: FaultProxy;
let stack: TestStack;
let cas: SampleCas;

const SETTLE_SECONDS = 3;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.endpoint, { service: 'iot' });
  stack = await createTestStack({
    AWS_ENDPOINT_URL: proxy.url,
    // A stalled answer fails the request after 2 s, not 30.
    AWS_REQUEST_TIMEOUT_SECONDS: '2',
    CERTIFICATE_SETTLE_SECONDS: String(SETTLE_SECONDS),
    TASK_LEASE_SECONDS: '5',
    BULK_CHUNK_SIZE: '3',
    LOG_LEVEL: 'info',
  });
  cas = await bootstrapSampleCas(stack.clients, stack.config);
}, 120_000);
afterAll(async () => {
  await stack.close();
  await proxy.close();
  await moto.stop();
});

/** Every certificate in the registry is attached to exactly one thing: none is left over. */
async function expectNoCertificateUnowned(): Promise<void> {
  const unowned = (await certificatesAndThings(stack.clients.iot)).filter((c) => c.things.length !== 1);
  expect(unowned).toEqual([]);
}

async function expectOneCertificate(thingName: string): Promise<void> {
  const out = await stack.clients.iot.send(new ListThingPrincipalsCommand({ thingName }));
  expect({ thingName, principals: out.principals?.length }).toEqual({ thingName, principals: 1 });
}

const deviceCertificate = (thingName: string) =>
  selfSigned({ key: 'ec:P-256', subject: `/C=US/CN=${thingName}`, days: 30 }).certificatePem;

/** For each create call, the sample template that makes it, and a device's request. */
const CREATES: [string, (thingName: string) => Promise<ProvisionRequest>][] = [
  [
    'CreateKeysAndCertificate',
    (thingName) =>
      Promise.resolve({ provisioningTemplateId: 'aws-certificate', parameters: { ThingName: thingName } }),
  ],
  [
    'CreateCertificateFromCsr',
    async (thingName) => {
      const key = await generateDeviceKeyPair('EC-P256');
      return {
        provisioningTemplateId: 'device-csr',
        parameters: {
          ThingName: thingName,
          CSR: createCsr(key.privateKeyPem, { country: 'US', commonName: thingName }),
        },
      };
    },
  ],
  [
    'RegisterCertificate',
    (thingName) =>
      Promise.resolve({
        provisioningTemplateId: 'create-device-certificate',
        parameters: { ThingName: thingName },
        cdfProvisioningParameters: {
          caId: cas.ecCaId,
          keyAlgorithm: 'EC-P256',
          certInfo: { country: 'US', commonName: thingName },
        },
      }),
  ],
  [
    'RegisterCertificateWithoutCA',
    (thingName) =>
      Promise.resolve({
        provisioningTemplateId: 'register-without-ca',
        parameters: { ThingName: thingName },
        cdfProvisioningParameters: { certificatePem: deviceCertificate(thingName) },
      }),
  ],
  [
    'CreatePolicy',
    (thingName) =>
      Promise.resolve({ provisioningTemplateId: 'policy-per-device', parameters: { ThingName: thingName } }),
  ],
];

const finished = (taskId: string) =>
  waitFor(
    `task ${taskId} to finish`,
    () => stack.services.tasks.require(taskId),
    (t) => t.status === 'SUCCEEDED' || t.status === 'FAILED',
    60_000,
  );

describe('a create whose answer is lost', () => {
  let workers: RunningWorkers;
  beforeAll(() => {
    workers = stack.startWorkers();
  });
  afterAll(async () => {
    await workers.stop();
  });

  describe.each<LostAnswer>(['stall', 'reset'])('(%s)', (fault) => {
    it.each(CREATES)(
      '%s, one device: exactly one certificate, none unowned',
      async (operation, requestFor) => {
        const thingName = unique(`lost-${fault}`);
        const before = proxy.lost()[operation] ?? 0;
        proxy.failNext(operation, fault);
        const { task } = await submitTask(await requestFor(thingName), {}, stack.services);
        const done = await finished(task.taskId);
        expect(done).toMatchObject({ status: 'SUCCEEDED' });
        expect(done.error).toBeUndefined();
        expect(proxy.lost()[operation]).toBe(before + 1);
        await expectOneCertificate(thingName);
        await expectNoCertificateUnowned();
      },
      90_000,
    );
  });

  // A bulk task has one set of cdfProvisioningParameters for all its devices, so not one caller's
  // certificate each: RegisterCertificateWithoutCA is covered in bulk by nothing but the above.
  const inBulk = CREATES.filter(([operation]) => operation !== 'RegisterCertificateWithoutCA');
  it.each(inBulk)(
    '%s in bulk, stalled once and reset once: exact counts, none unowned',
    async (operation, requestFor) => {
      const names = Array.from({ length: 5 }, () => unique('lost-bulk'));
      const lines = await Promise.all(names.map(requestFor));
      const first = lines[0] as ProvisionRequest;
      proxy.failNext(operation, 'stall');
      proxy.failNext(operation, 'reset');
      const bulk = await submitInline(
        {
          provisioningTemplateId: first.provisioningTemplateId,
          parameters: lines.map((l) => l.parameters),
          ...(first.cdfProvisioningParameters
            ? { cdfProvisioningParameters: first.cdfProvisioningParameters }
            : {}),
        },
        stack.services,
      );
      const done = await waitFor(
        'the bulk task to end',
        () => stack.services.bulk.get(bulk.taskId),
        (t) => t?.status !== 'Pending' && t?.status !== 'InProgress',
        120_000,
      );
      expect(done).toMatchObject({ status: 'Completed', successCount: names.length, failureCount: 0 });
      for (const name of names) await expectOneCertificate(name);
      await expectNoCertificateUnowned();
    },
    150_000,
  );
});

describe('a certificate made but not recorded', () => {
  it('a dead-lettered task waits out the settle time, then its leftover certificate is removed and it fails', async () => {
    const thingName = unique('dead-lettered');
    const taskId = await recordTask(stack, {
      provisioningTemplateId: 'aws-certificate',
      parameters: { ThingName: thingName },
    });
    // What a worker that died before its claim left: a certificate only AWS knows of.
    await stack.clients.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    const message = inboundMessage({ taskId });
    await expect(handleDeadLetter(message, stack.services)).rejects.toMatchObject({
      code: 'CERTIFICATE_CREATE_UNSETTLED',
      retryAfterSeconds: SETTLE_SECONDS,
    });
    await waitFor(
      'the dead-letter handler to finish the task',
      () => handleDeadLetter(message, stack.services).catch((e: unknown) => e),
      (outcome) => outcome === 'done',
      30_000,
    );
    expect(await stack.services.tasks.require(taskId)).toMatchObject({
      status: 'FAILED',
      error: { code: 'MESSAGE_DEAD_LETTERED' },
    });
    await expectNoCertificateUnowned();
  }, 60_000);

  it('two deliveries at once: the one that loses the claim removes the certificate it made', async () => {
    const thingName = unique('raced');
    const taskId = await recordTask(stack, {
      provisioningTemplateId: 'aws-certificate',
      parameters: { ThingName: thingName },
    });
    const outcomes = await Promise.allSettled([
      handleRequestMessage(inboundMessage({ taskId }), stack.services),
      handleRequestMessage(inboundMessage({ taskId }), stack.services),
    ]);
    // The loser finds the winner's lease (TASK_BUSY) or, if the winner has finished, the finished task.
    const rejected = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(rejected.length).toBeLessThanOrEqual(1);
    for (const reason of rejected) expect(reason).toMatchObject({ code: 'TASK_BUSY' });
    const done = await finished(taskId);
    expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    await expectOneCertificate(thingName);
    await expectNoCertificateUnowned();
  }, 60_000);
});
