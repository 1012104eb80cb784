import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import { awsCall } from '../aws/classify-error.js';
import type { EventAttributes, EventBus } from './event-bus.js';

/**
 * The EventBus port over one SNS topic. The event is the message body (JSON); its attributes are
 * SNS message attributes, which subscription filter policies match and which raw message delivery
 * hands on to a subscribed queue as SQS message attributes.
 */
export class SnsEventBus implements EventBus {
  constructor(
    private readonly sns: SNSClient,
    /** Resolved on first use: the topic's ARN needs the account id. */
    private readonly topicArn: () => Promise<string>,
  ) {}

  async publish(event: { type: string }, attributes: EventAttributes): Promise<void> {
    const TopicArn = await this.topicArn();
    await awsCall(`publishing a ${event.type} event`, () =>
      this.sns.send(
        new PublishCommand({
          TopicArn,
          Message: JSON.stringify(event),
          MessageAttributes: messageAttributes(attributes),
        }),
      ),
    );
  }
}

/** SNS refuses an attribute with an empty value: an absent one is left out instead. */
function messageAttributes(attributes: EventAttributes): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(attributes).flatMap(([name, value]: [string, string | undefined]) =>
      value === undefined || value === '' ? [] : [[name, { DataType: 'String', StringValue: value }]],
    ),
  );
}
