import { describe, expect, it } from '@jest/globals';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SnsEventBus } from '../../src/events/sns-event-bus.js';
import { topicArn } from '../../src/aws/caller-identity.js';
import { CompletionPublisher } from '../../src/tasks/completion-events.js';
import type { WorkerServices } from '../../workers/compose.js';
import { handleDeadLetter } from '../../workers/handle-dead-letter.js';
import { handleRequestMessage } from '../../workers/handle-request.js';
import { subscribeQueue, takeEvents, type ReceivedEvent } from '../support/events.js';
import { pollTask, request } from '../support/http.js';
import { useStack } from '../support/stack.js';
import { claimAs, inboundMessage, recordTask } from '../support/tasks.js';

/**
 * Events on the SNS topic, with the API and the workers running: what each subscriber's filter
 * policy lets through, and an event for every way a request can end.
 */
const env = useStack({ api: true, workers: true, templates: ['fails-at-policy'] });

const submit = (body: object, client?: string) =>
  request(env.api.url, 'POST', '/things', {
    body,
    headers: { prefer: 'wait=20', ...(client !== undefined ? { 'x-client': client } : {}) },
  });
const publish = async (body: string, client?: string) =>
  (
    await env.stack.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: env.stack.services.queueUrls.requests,
        MessageBody: body,
        ...(client !== undefined
          ? { MessageAttributes: { client: { DataType: 'String', StringValue: client } } }
          : {}),
      }),
    )
  ).MessageId ?? '';
/** Messages on the requests DLQ, visible or held. */
const dlqMessages = async () => {
  const out = await env.stack.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: env.stack.services.queueUrls.requestsDlq,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
};
const byTask = (events: ReceivedEvent[]) => Object.fromEntries(events.map((e) => [String(e.body.taskId), e]));
const taskIds = (events: ReceivedEvent[]) => events.map((e) => String(e.body.taskId)).sort();

describe('subscribers', () => {
  it('two subscribers with different filter policies each get exactly their events; the results queue all', async () => {
    const erp = await subscribeQueue(env.stack, { client: ['erp-eu'] });
    const failures = await subscribeQueue(env.stack, {
      type: ['provisioning.task.finished'],
      status: ['FAILED'],
    });
    const results = await env.stack.resultsQueueUrl();
    await takeEvents(env.stack, results, 0); // whatever an earlier test left

    const ok = await submit(
      { provisioningTemplateId: 'aws-certificate', parameters: { ThingName: 'ev-1' } },
      'erp-eu',
    );
    const failed = await submit({
      provisioningTemplateId: 'fails-at-policy',
      parameters: { ThingName: 'ev-2' },
    });
    const other = await submit(
      { provisioningTemplateId: 'aws-certificate', parameters: { ThingName: 'ev-3' } },
      'mes-line7',
    );
    await publish(
      JSON.stringify({ taskId: 'erp-ev-4', provisioningTemplateId: 'nope', parameters: {} }),
      'erp-eu',
    );
    expect([ok.status, other.status]).toEqual([201, 201]);
    expect(failed.body).toMatchObject({ code: 'POLICY_NOT_FOUND' });
    await pollTask(env.api.url, 'erp-ev-4');

    const erpEvents = await takeEvents(env.stack, erp, 2);
    expect(taskIds(erpEvents)).toEqual([String(ok.body.taskId), 'erp-ev-4'].sort());
    expect(byTask(erpEvents)['erp-ev-4']?.attributes).toEqual({
      type: 'provisioning.task.finished',
      status: 'FAILED',
      source: 'queue',
      provisioningTemplateId: 'nope',
      client: 'erp-eu',
    });
    expect(byTask(erpEvents)[String(ok.body.taskId)]?.body).toMatchObject({
      type: 'provisioning.task.finished',
      version: 1,
      status: 'SUCCEEDED',
      source: 'api',
      client: 'erp-eu',
      thingName: 'ev-1',
    });

    const failureEvents = await takeEvents(env.stack, failures, 2);
    expect(taskIds(failureEvents)).toEqual([String(failed.body.taskId), 'erp-ev-4'].sort());

    // The results queue keeps getting everything, bodies as before (raw delivery), with attributes.
    const all = await takeEvents(env.stack, results, 4);
    expect(taskIds(all)).toEqual(
      [String(ok.body.taskId), String(failed.body.taskId), String(other.body.taskId), 'erp-ev-4'].sort(),
    );
    expect(byTask(all)[String(other.body.taskId)]?.attributes).toMatchObject({
      client: 'mes-line7',
      status: 'SUCCEEDED',
    });
  });

  it('an x-client header that is not a short visible tag is refused', async () => {
    const res = await submit(
      { provisioningTemplateId: 'aws-certificate', parameters: { ThingName: 'ev-x' } },
      'a b',
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'CLIENT_INVALID' });
  });
});

describe('an event for every ending', () => {
  it('a message that is not JSON, and one whose task id is taken, are refused with the message id', async () => {
    const refusals = await subscribeQueue(env.stack, { type: ['provisioning.request.refused'] });
    const garbage = await publish('this is not json', 'erp-eu');
    await publish(
      JSON.stringify({
        taskId: 'ev-reused',
        provisioningTemplateId: 'aws-certificate',
        parameters: { ThingName: 'ev-5' },
      }),
    );
    await pollTask(env.api.url, 'ev-reused');
    const reused = await publish(
      JSON.stringify({
        taskId: 'ev-reused',
        provisioningTemplateId: 'aws-certificate',
        parameters: { ThingName: 'ev-6' },
      }),
    );

    const events = await takeEvents(env.stack, refusals, 2);
    const byMessage = Object.fromEntries(events.map((e) => [String(e.body.messageId), e]));
    expect(byMessage[garbage]).toMatchObject({
      body: {
        type: 'provisioning.request.refused',
        version: 1,
        reason: { code: 'MESSAGE_NOT_JSON' },
        client: 'erp-eu',
      },
      attributes: { status: 'REFUSED', source: 'queue', client: 'erp-eu' },
    });
    expect(byMessage[reused]?.body).toMatchObject({
      taskId: 'ev-reused',
      provisioningTemplateId: 'aws-certificate',
      reason: { code: 'TASK_ID_REUSED' },
    });
  });

  it('a dead letter: its open task fails, an unrecorded request is recorded FAILED, one with no task id is refused', async () => {
    const subscriber = await subscribeQueue(env.stack);
    // Its template makes no certificate: a dead worker's run of one that does is waited out first,
    // in case it left a certificate nothing records (ambiguous-creates.test.ts).
    const open = await recordTask(env.stack, {
      provisioningTemplateId: 'add-thing-to-group',
      parameters: { ThingName: 'ev-dead-1', ThingGroupName: 'ev-dead-group' },
    });
    await claimAs(env.stack, open, 'crashed-worker', 0);
    const never = inboundMessage({
      taskId: 'ev-dead-2',
      provisioningTemplateId: 'aws-certificate',
      parameters: { ThingName: 'ev-dead-2' },
    });
    never.attributes = { client: 'erp-eu' };
    const garbage = { ...inboundMessage({}), body: '{"truncated' };
    const before = await dlqMessages();

    for (const message of [inboundMessage({ taskId: open }), never, garbage])
      expect(await handleDeadLetter(message, env.stack.services)).toBe('done');

    expect(await env.stack.services.tasks.require('ev-dead-2')).toMatchObject({
      status: 'FAILED',
      client: 'erp-eu',
      error: { code: 'MESSAGE_DEAD_LETTERED' },
    });
    const events = await takeEvents(env.stack, subscriber, 3);
    expect(
      events
        .map((e) => [e.body.type, e.body.taskId ?? e.body.messageId, e.body.status ?? e.attributes.status])
        .sort(),
    ).toEqual(
      [
        ['provisioning.request.refused', garbage.messageId, 'REFUSED'],
        ['provisioning.task.finished', 'ev-dead-2', 'FAILED'],
        ['provisioning.task.finished', open, 'FAILED'],
      ].sort(),
    );
    // The message with no task id is set aside on the DLQ with its reason (a task records the
    // others); the running DLQ consumer holds it there for a person.
    expect(await dlqMessages()).toBe(before + 1);
    expect(env.stack.logs()).toContain(garbage.messageId);
  });

  it('a task that ended but whose event could not be published publishes it on the next delivery', async () => {
    const subscriber = await subscribeQueue(env.stack, { type: ['provisioning.task.finished'] });
    const identity = await env.stack.services.identity();
    const nowhere = new SnsEventBus(env.stack.clients.sns, () =>
      Promise.resolve(topicArn(identity, env.stack.config.region, 'no-such-topic')),
    );
    const crashing: WorkerServices = {
      ...env.stack.services,
      bus: nowhere,
      events: new CompletionPublisher(nowhere),
    };
    const taskId = await recordTask(env.stack, {
      provisioningTemplateId: 'aws-certificate',
      parameters: { ThingName: 'ev-crash-1' },
    });

    await expect(handleRequestMessage(inboundMessage({ taskId }), crashing)).rejects.toThrow(/publishing/);
    expect((await env.stack.services.tasks.require(taskId)).status).toBe('SUCCEEDED');
    expect(await takeEvents(env.stack, subscriber, 0)).toEqual([]);

    // SQS delivers the message again (it was not deleted): the finished task's event goes out.
    await handleRequestMessage(inboundMessage({ taskId }), env.stack.services);
    const events = await takeEvents(env.stack, subscriber, 1);
    expect(events.map((e) => [e.body.taskId, e.body.status])).toEqual([[taskId, 'SUCCEEDED']]);
  });
});
