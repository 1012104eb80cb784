import { describe, expect, it } from '@jest/globals';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { useStack } from '../support/stack.js';
import { completionEvents } from '../support/tasks.js';
import { pollTask } from '../support/http.js';
import { thingExists } from '../support/iot-registry.js';

const env = useStack({ api: true, workers: true });

const publish = async (body: string) =>
  (
    await env.stack.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: env.stack.services.queueUrls.requests, MessageBody: body }),
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
    const task = await pollTask(env.api.url, 'erp-order-1001');
    expect(task.status).toBe('SUCCEEDED');
    expect(task.privateKey).toContain('PRIVATE KEY');
    expect(await thingExists(env.stack.clients.iot, 'upstream-1')).toBe(true);
  });

  it('without a taskId, the SQS message id is the task id', async () => {
    const messageId = await publish(
      JSON.stringify({ provisioningTemplateId: 'aws-certificate', parameters: { ThingName: 'upstream-2' } }),
    );
    const task = await pollTask(env.api.url, messageId);
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
    const task = await pollTask(env.api.url, 'erp-bad-1');
    expect(task.status).toBe('FAILED');
    expect(task.error).toMatchObject({ code: 'MESSAGE_INVALID' });
    expect((task.error as { message: string }).message).toContain('/parameters/ThingName');
  });

  it('a request for an unknown template fails the task with TEMPLATE_NOT_FOUND', async () => {
    await publish(JSON.stringify({ taskId: 'erp-bad-2', provisioningTemplateId: 'nope', parameters: {} }));
    const task = await pollTask(env.api.url, 'erp-bad-2');
    expect(task.error).toMatchObject({ code: 'TEMPLATE_NOT_FOUND' });
  });

  it('a body that is not JSON leaves the requests queue for the DLQ', async () => {
    await publish('this is not json');
    const deadline = Date.now() + 10_000;
    let inDlq = 0;
    while (inDlq === 0 && Date.now() < deadline) {
      const out = await env.stack.clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: env.stack.services.queueUrls.requestsDlq,
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
    const events = await completionEvents<{ taskId: string; status: string }>(env.stack);
    const byTask = new Map(events.map((event) => [event.taskId, event.status]));
    expect(byTask.get('erp-order-1001')).toBe('SUCCEEDED');
    expect(byTask.get('erp-bad-1')).toBe('FAILED');
    expect(byTask.get('erp-bad-2')).toBe('FAILED');
  });
});
