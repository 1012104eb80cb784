import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribeCertificateCommand,
  GetPolicyCommand,
  ListThingPrincipalsCommand,
} from '@aws-sdk/client-iot';
import { randomUUID } from 'node:crypto';
import { handleRequestMessage } from '../../workers/handle-request.js';
import type { InboundMessage } from '../../workers/inbound-message.js';
import { newTask } from '../../src/tasks/new-task.js';
import { crashAfterCertificate } from '../support/crashed-worker.js';
import { handleDeadLetter } from '../../workers/handle-dead-letter.js';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createTestStack, type TestStack } from '../support/stack.js';
import { thingExists } from '../support/iot-registry.js';
import { putTemplate } from '../support/templates.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack();
  await putTemplate(stack, 'fails-at-policy');
});
afterAll(async () => stack.close());

const message = (body: unknown, messageId = randomUUID()): InboundMessage => ({
  messageId,
  body: JSON.stringify(body),
  receiptHandle: 'not-used',
  receiveCount: 1,
  attributes: {},
});

async function recordTask(templateId: string, parameters: Record<string, string>): Promise<string> {
  const taskId = randomUUID();
  const task = newTask(
    taskId,
    { provisioningTemplateId: templateId, parameters },
    { source: 'api', ttlSeconds: 3600 },
  );
  await stack.services.tasks.create(task);
  return taskId;
}

const principalsOf = async (thingName: string) =>
  (await stack.clients.iot.send(new ListThingPrincipalsCommand({ thingName }))).principals ?? [];

describe('at-least-once delivery', () => {
  it('the same message delivered twice, one after the other, makes one thing and one certificate', async () => {
    const taskId = await recordTask('aws-certificate', { ThingName: 'redelivered-1' });
    await handleRequestMessage(message({ taskId }), stack.services);
    const first = await stack.services.tasks.require(taskId);
    await handleRequestMessage(message({ taskId }), stack.services);
    const second = await stack.services.tasks.require(taskId);

    expect(second.status).toBe('SUCCEEDED');
    expect(second.attempts).toBe(1);
    expect(second.checkpoint.certificate?.certificateId).toBe(first.checkpoint.certificate?.certificateId);
    expect(await principalsOf('redelivered-1')).toEqual([first.checkpoint.certificate?.certificateArn]);
  });

  it('the same message delivered twice at once: one worker provisions, the other is told to retry', async () => {
    const taskId = await recordTask('aws-certificate', { ThingName: 'redelivered-2' });
    const outcomes = await Promise.allSettled([
      handleRequestMessage(message({ taskId }), stack.services),
      handleRequestMessage(message({ taskId }), stack.services),
    ]);
    const rejected = outcomes.filter((o) => o.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({
      code: 'TASK_BUSY',
      kind: 'transient',
    });
    // The retry, when it comes back, finds the task finished and changes nothing.
    await handleRequestMessage(message({ taskId }), stack.services);
    const task = await stack.services.tasks.require(taskId);
    expect(task.status).toBe('SUCCEEDED');
    expect(await principalsOf('redelivered-2')).toHaveLength(1);
  });

  it('a worker that died after making the certificate is resumed, not repeated', async () => {
    const taskId = await recordTask('aws-certificate', { ThingName: 'resumed-1' });
    const made = await crashAfterCertificate(stack, taskId, {
      provisioningTemplateId: 'aws-certificate',
      parameters: { ThingName: 'resumed-1' },
    });

    await new Promise((r) => setTimeout(r, 1100)); // the dead worker's lease runs out
    await handleRequestMessage(message({ taskId }), stack.services);
    const task = await stack.services.tasks.require(taskId);
    expect(task.status).toBe('SUCCEEDED');
    expect(task.attempts).toBe(2);
    expect(task.checkpoint.certificate?.certificateId).toBe(made.certificateId);
    expect(await principalsOf('resumed-1')).toEqual([made.certificateArn]);
  });
});

describe('compensation', () => {
  it('a failure after the certificate, thing and a policy were made leaves none of them behind', async () => {
    const taskId = await recordTask('fails-at-policy', { ThingName: 'compensated-1' });
    await handleRequestMessage(message({ taskId }), stack.services);

    const task = await stack.services.tasks.require(taskId);
    expect(task.status).toBe('FAILED');
    expect(task.error).toMatchObject({ code: 'POLICY_NOT_FOUND' });
    expect(task.error?.message).toContain('no-such-policy');
    expect(task.privateKey).toBeUndefined();
    const certificateId = task.checkpoint.certificate?.certificateId ?? '';
    expect(certificateId).not.toBe('');

    expect(await thingExists(stack.clients.iot, 'compensated-1')).toBe(false);
    await expect(
      stack.clients.iot.send(new DescribeCertificateCommand({ certificateId })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    // The policy this task created (named by its document's hash) is gone too.
    const policyName = task.checkpoint.policies.createdPolicy?.policyName ?? '';
    expect(policyName).toMatch(/^[0-9a-f]{64}$/);
    await expect(stack.clients.iot.send(new GetPolicyCommand({ policyName }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('unusable messages', () => {
  it('a body that is not JSON goes to the DLQ with the reason, and the DLQ handler keeps it there', async () => {
    const inbound = message({}, randomUUID());
    inbound.body = 'this is not json';
    expect(await handleRequestMessage(inbound, stack.services)).toBe('done');

    const out = await stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.services.queues.requestsDlq,
        MessageAttributeNames: ['All'],
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    const dead = out.Messages?.find(
      (m) => m.MessageAttributes?.originalMessageId?.StringValue === inbound.messageId,
    );
    expect(dead?.Body).toBe('this is not json');
    expect(dead?.MessageAttributes?.deadLetterReason?.StringValue).toBe('Message body is not JSON');
    const asReceived = {
      ...inbound,
      attributes: { deadLetterReason: 'Message body is not JSON' },
    };
    expect(await handleDeadLetter(asReceived, stack.services)).toBe('keep');
  });

  it('a message that died in the DLQ fails its task and removes what the task had made', async () => {
    const taskId = await recordTask('aws-certificate', { ThingName: 'died-1' });
    await stack.services.tasks.claim(taskId, 'crashed-worker', 0);
    expect(await handleDeadLetter(message({ taskId }), stack.services)).toBe('done');
    const task = await stack.services.tasks.require(taskId);
    expect(task).toMatchObject({ status: 'FAILED', error: { code: 'MESSAGE_DEAD_LETTERED' } });
    expect(await thingExists(stack.clients.iot, 'died-1')).toBe(false);
  });
});
