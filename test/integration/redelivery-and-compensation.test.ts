import { describe, expect, it } from '@jest/globals';
import { DescribeCertificateCommand, GetPolicyCommand } from '@aws-sdk/client-iot';
import { handleRequestMessage } from '../../workers/handle-request.js';
import { crashAfterCertificate } from '../support/crashed-worker.js';
import { handleDeadLetter } from '../../workers/handle-dead-letter.js';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { fromSqsMessage } from '../../workers/inbound-message.js';
import { processBatch } from '../../workers/process-batch.js';
import { useStack } from '../support/stack.js';
import { principalsOf, thingExists } from '../support/iot-registry.js';
import { deliverTask, inboundMessage, recordTask } from '../support/tasks.js';

const env = useStack({ templates: ['fails-at-policy'] });

/** Records a task for one thing, as the API would, without enqueueing it. */
const recordFor = (templateId: string, thingName: string) =>
  recordTask(env.stack, { provisioningTemplateId: templateId, parameters: { ThingName: thingName } });
const principals = (thingName: string) => principalsOf(env.stack.clients.iot, thingName);

describe('at-least-once delivery', () => {
  it('the same message delivered twice, one after the other, makes one thing and one certificate', async () => {
    const taskId = await recordFor('aws-certificate', 'redelivered-1');
    const first = await deliverTask(env.stack, taskId);
    const second = await deliverTask(env.stack, taskId);

    expect(second.status).toBe('SUCCEEDED');
    expect(second.attempts).toBe(1);
    expect(second.checkpoint.certificate?.certificateId).toBe(first.checkpoint.certificate?.certificateId);
    expect(await principals('redelivered-1')).toEqual([first.checkpoint.certificate?.certificateArn]);
  });

  it('the same message delivered twice at once: one worker provisions, the other is told to retry or finds it done', async () => {
    const taskId = await recordFor('aws-certificate', 'redelivered-2');
    const outcomes = await Promise.allSettled([
      handleRequestMessage(inboundMessage({ taskId }), env.stack.services),
      handleRequestMessage(inboundMessage({ taskId }), env.stack.services),
    ]);
    // Both read the task PENDING; only one claim can take it (the claim is conditional on what was
    // read). The other finds the winner's live lease (TASK_BUSY: its message comes back later), or,
    // if the winner has finished by then, the finished task: which of the two depends on timing.
    const rejected = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(rejected.length).toBeLessThanOrEqual(1);
    for (const reason of rejected) expect(reason).toMatchObject({ code: 'TASK_BUSY', kind: 'transient' });
    // The retry, when it comes back, finds the task finished and changes nothing.
    const task = await deliverTask(env.stack, taskId);
    expect(task.status).toBe('SUCCEEDED');
    expect(task.attempts).toBe(1); // claimed once: one worker provisioned
    expect(await principals('redelivered-2')).toHaveLength(1);
  });

  it('a worker that died after making the certificate is resumed, not repeated', async () => {
    const taskId = await recordFor('aws-certificate', 'resumed-1');
    const made = await crashAfterCertificate(env.stack, taskId, {
      provisioningTemplateId: 'aws-certificate',
      parameters: { ThingName: 'resumed-1' },
    });

    await new Promise((r) => setTimeout(r, 1100)); // the dead worker's lease runs out
    const task = await deliverTask(env.stack, taskId);
    expect(task.status).toBe('SUCCEEDED');
    expect(task.attempts).toBe(2);
    expect(task.checkpoint.certificate?.certificateId).toBe(made.certificateId);
    expect(await principals('resumed-1')).toEqual([made.certificateArn]);
  });
});

describe('compensation', () => {
  it('a failure after the certificate, thing and a policy were made leaves none of them behind', async () => {
    const taskId = await recordFor('fails-at-policy', 'compensated-1');
    const task = await deliverTask(env.stack, taskId);
    expect(task.status).toBe('FAILED');
    expect(task.error).toMatchObject({ code: 'POLICY_NOT_FOUND' });
    expect(task.error?.message).toContain('no-such-policy');
    expect(task.privateKey).toBeUndefined();
    const certificateId = task.checkpoint.certificate?.certificateId ?? '';
    expect(certificateId).not.toBe('');

    expect(await thingExists(env.stack.clients.iot, 'compensated-1')).toBe(false);
    await expect(
      env.stack.clients.iot.send(new DescribeCertificateCommand({ certificateId })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    // The policy this task created (named by its document's hash) is gone too.
    const policyName = task.checkpoint.policies.createdPolicy?.policyName ?? '';
    expect(policyName).toMatch(/^[0-9a-f]{64}$/);
    await expect(env.stack.clients.iot.send(new GetPolicyCommand({ policyName }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('unusable messages', () => {
  it('a body that is not JSON goes to the DLQ with the reason, and the DLQ handler keeps it there', async () => {
    const inbound = inboundMessage({});
    inbound.body = 'this is not json';
    expect(await handleRequestMessage(inbound, env.stack.services)).toBe('done');

    const out = await env.stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: env.stack.services.queueUrls.requestsDlq,
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
    expect(await handleDeadLetter(asReceived, env.stack.services)).toBe('keep');
  });

  it('a message that died in the DLQ fails its task and removes what the task had made', async () => {
    const request = { provisioningTemplateId: 'aws-certificate', parameters: { ThingName: 'died-1' } };
    const taskId = await recordTask(env.stack, request);
    const made = await crashAfterCertificate(env.stack, taskId, request, 0);
    expect(await handleDeadLetter(inboundMessage({ taskId }), env.stack.services)).toBe('done');
    const task = await env.stack.services.tasks.require(taskId);
    expect(task).toMatchObject({ status: 'FAILED', error: { code: 'MESSAGE_DEAD_LETTERED' } });
    expect(task.privateKey).toBeUndefined();
    expect(await thingExists(env.stack.clients.iot, 'died-1')).toBe(false);
    await expect(
      env.stack.clients.iot.send(new DescribeCertificateCommand({ certificateId: made.certificateId })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('a message set aside for a person is held out of the handler’s way for hours, not seconds', async () => {
    const dlq = env.stack.services.queueUrls.requestsDlq;
    const sent = await env.stack.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: dlq,
        MessageBody: 'for a person',
        MessageAttributes: {
          deadLetterReason: { DataType: 'String', StringValue: 'Message body is not JSON' },
        },
      }),
    );
    // Received as the handler does, but visible again after 2 s unless the hold takes.
    const receive = async () =>
      (
        await env.stack.clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: dlq,
            MessageAttributeNames: ['All'],
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 2,
            WaitTimeSeconds: 1,
          }),
        )
      ).Messages?.filter((m) => m.MessageId === sent.MessageId) ?? [];
    const [message] = await receive();
    if (message === undefined) throw new Error('the set-aside message was not received');

    const kept = await processBatch(
      [fromSqsMessage(message)],
      (m) => handleDeadLetter(m, env.stack.services),
      {
        sqs: env.stack.clients.sqs,
        queue: 'requestsDlq',
        queueUrl: dlq,
        logger: env.stack.services.logger,
        metrics: env.stack.metrics,
      },
    );
    expect(kept).toEqual([sent.MessageId]);
    await new Promise((r) => setTimeout(r, 3000)); // past the 2 s the receive gave it
    expect(await receive()).toEqual([]);
    expect(env.stack.logs()).not.toContain('could not shorten the retry delay');
  });
});
