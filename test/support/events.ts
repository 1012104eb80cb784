import { SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { topicArn } from '../../src/aws/caller-identity.js';
import type { TestStack } from './stack.js';

/** An event as a subscribed queue receives it: the body, and the SNS attributes as SQS ones. */
export interface ReceivedEvent {
  body: Record<string, unknown>;
  attributes: Record<string, string>;
}

export async function eventsTopicArn(stack: TestStack): Promise<string> {
  return topicArn(await stack.services.identity(), stack.config.region, stack.config.eventsTopicName);
}

/**
 * A queue of its own subscribed to the stack's events topic, as an upstream system would
 * subscribe one: raw message delivery, and a filter policy on the message attributes.
 */
export async function subscribeQueue(stack: TestStack, filterPolicy?: object): Promise<string> {
  const { sqs, sns } = stack.clients;
  const name = `${stack.config.eventsTopicName}-sub-${randomBytes(3).toString('hex')}`;
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl ?? '';
  const queueArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  await sns.send(
    new SubscribeCommand({
      TopicArn: await eventsTopicArn(stack),
      Protocol: 'sqs',
      Endpoint: queueArn,
      Attributes: {
        RawMessageDelivery: 'true',
        ...(filterPolicy !== undefined ? { FilterPolicy: JSON.stringify(filterPolicy) } : {}),
      },
    }),
  );
  return queueUrl;
}

/**
 * Every event on the queue (deleting what it reads): receives until `count` have arrived, then
 * once more for a second, so that one too many is seen too.
 */
export async function takeEvents(
  stack: TestStack,
  queueUrl: string,
  count: number,
  timeoutMs = 30_000,
): Promise<ReceivedEvent[]> {
  const events: ReceivedEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  for (let extra = false; ;) {
    const out = await stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    for (const m of out.Messages ?? []) {
      events.push({
        body: JSON.parse(m.Body ?? '{}') as Record<string, unknown>,
        attributes: Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
        ),
      });
      await stack.clients.sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }),
      );
    }
    if (extra && (out.Messages ?? []).length === 0) return events;
    if (events.length >= count) extra = true;
    else if (Date.now() > deadline) return events;
  }
}
