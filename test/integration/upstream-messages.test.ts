import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { RunningServer } from '../../api/server.js';
import type { RunningWorkers } from '../../workers/start-consumers.js';
import { createTestStack, type TestStack } from '../support/stack.js';
import { pollTask } from '../support/http.js';
import { thingExists } from '../support/iot-registry.js';

let stack: TestStack;
let api: RunningServer;
let workers: RunningWorkers;

beforeAll(async () => {
  stack = await createTestStack();
  api = await stack.startApi();
  workers = stack.startWorkers();
});
afterAll(async () => {
  await workers.stop();
  await api.close();
  await stack.close();
});

const publish = async (body: string) =>
  (
    await stack.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: stack.services.queues.requests, MessageBody: body }),
    )
  ).MessageId ?? '';

describe('upstream systems publishing straight to the requests queue', () => {
  it('a ProvisionRequest with a client-chosen taskId is provisioned and pollable by that id', async () => {
    await publish(
      JSON.stringify({
        taskId: 'erp-order-1001',
        provisioningTemplateId: 'aws-certificate',
        parameters: { ThingName: 'upstream-1', SerialNumber: 'U-1' },
      }),
    );
    const task = await pollTask(api.url, 'erp-order-1001');
    expect(task.status).toBe('SUCCEEDED');
    expect(task.privateKey).toContain('PRIVATE KEY');
    expect(await thingExists(stack.clients.iot, 'upstream-1')).toBe(true);
  });

  it('without a taskId, the SQS message id is the task id', async () => {
    const messageId = await publish(
      JSON.stringify({ provisioningTemplateId: 'aws-certificate', parameters: { ThingName: 'upstream-2' } }),
    );
    const task = await pollTask(api.url, messageId);
    expect(task.status).toBe('SUCCEEDED');
  });

  it('an invalid request becomes a FAILED task with the reason, and nothing is provisioned', async () => {
    await publish(
      JSON.stringify({
        taskId: 'erp-bad-1',
        provisioningTemplateId: 'aws-certificate',
        parameters: { ThingName: 42 },
      }),
    );
    const task = await pollTask(api.url, 'erp-bad-1');
    expect(task.status).toBe('FAILED');
    expect(task.error).toMatchObject({ code: 'MESSAGE_INVALID' });
    expect((task.error as { message: string }).message).toContain('/parameters/ThingName');
  });

  it('a request for an unknown template fails the task with TEMPLATE_NOT_FOUND', async () => {
    await publish(JSON.stringify({ taskId: 'erp-bad-2', provisioningTemplateId: 'nope', parameters: {} }));
    const task = await pollTask(api.url, 'erp-bad-2');
    expect(task.error).toMatchObject({ code: 'TEMPLATE_NOT_FOUND' });
  });

  it('a body that is not JSON leaves the requests queue for the DLQ', async () => {
    await publish('this is not json');
    const deadline = Date.now() + 10_000;
    let inDlq = 0;
    while (inDlq === 0 && Date.now() < deadline) {
      const out = await stack.clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: stack.services.queues.requestsDlq,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      inDlq =
        Number(out.Attributes?.ApproximateNumberOfMessages) +
        Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(inDlq).toBe(1);
  });

  it('sends one completion event per finished task, FAILED ones included', async () => {
    const out = await stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.services.queues.results,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    const byTask = new Map(
      (out.Messages ?? []).map((m) => {
        const event = JSON.parse(m.Body ?? '{}') as { taskId: string; status: string };
        return [event.taskId, event.status];
      }),
    );
    expect(byTask.get('erp-order-1001')).toBe('SUCCEEDED');
    expect(byTask.get('erp-bad-1')).toBe('FAILED');
    expect(byTask.get('erp-bad-2')).toBe('FAILED');
  });
});
