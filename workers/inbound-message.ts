import type { Message } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { Delivery } from '../src/provisioning/ambiguous-creates.js';

/** One queue message, whichever runtime received it (Lambda event record or sqs-consumer). */
export interface InboundMessage {
  messageId: string;
  body: string;
  receiptHandle: string;
  receiveCount: number;
  /** Epoch ms of the message's first receive, when the queue said. */
  firstReceivedAt?: number;
  attributes: Record<string, string>;
}

/** What a task run needs to know of the message it runs for. */
export const deliveryOf = (m: InboundMessage): Delivery => ({
  redelivered: m.receiveCount > 1,
  ...(m.firstReceivedAt === undefined ? {} : { firstReceivedAt: m.firstReceivedAt }),
});

const epochMs = (value: string | undefined) => {
  const ms = Number(value);
  return value === undefined || !Number.isFinite(ms) ? {} : { firstReceivedAt: ms };
};

export function fromSqsMessage(m: Message): InboundMessage {
  return {
    messageId: m.MessageId ?? '',
    body: m.Body ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? '1'),
    ...epochMs(m.Attributes?.ApproximateFirstReceiveTimestamp),
    attributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).flatMap(([k, v]) =>
        v.StringValue ? [[k, v.StringValue]] : [],
      ),
    ),
  };
}

export function fromLambdaRecord(r: SQSRecord): InboundMessage {
  return {
    messageId: r.messageId,
    body: r.body,
    receiptHandle: r.receiptHandle,
    receiveCount: Number(r.attributes.ApproximateReceiveCount),
    ...epochMs(r.attributes.ApproximateFirstReceiveTimestamp),
    attributes: Object.fromEntries(
      Object.entries(r.messageAttributes).flatMap(([k, v]) => (v.stringValue ? [[k, v.stringValue]] : [])),
    ),
  };
}
