import type { Message } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { Delivery } from '../src/provisioning/ambiguous-creates.js';

/** One queue message, whichever runtime received it (Lambda event record or sqs-consumer). */
export interface InboundMessage {
  messageId: string;
  body: string;
  receiptHandle: string;
  receiveCount: number;
  /** When the message was sent to its queue (epoch ms), for how long it waited there. */
  sentAt: number | undefined;
  /** Epoch ms of the message's first receive, when the queue said. */
  firstReceivedAt?: number;
  attributes: Record<string, string>;
  /** Who sent it (SQS's SenderId: an account id, or an IAM role's unique id), for the audit trail. */
  senderId?: string;
}

/** What a task run needs to know of the message it runs for. */
export const deliveryOf = (m: InboundMessage): Delivery => ({
  redelivered: m.receiveCount > 1,
  ...(m.firstReceivedAt === undefined ? {} : { firstReceivedAt: m.firstReceivedAt }),
});

export function fromSqsMessage(m: Message): InboundMessage {
  return {
    messageId: m.MessageId ?? '',
    body: m.Body ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? '1'),
    sentAt: epochMs(m.Attributes?.SentTimestamp),
    ...firstReceived(m.Attributes?.ApproximateFirstReceiveTimestamp),
    ...(m.Attributes?.SenderId !== undefined ? { senderId: m.Attributes.SenderId } : {}),
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
    sentAt: epochMs(r.attributes.SentTimestamp),
    ...firstReceived(r.attributes.ApproximateFirstReceiveTimestamp),
    senderId: r.attributes.SenderId,
    attributes: Object.fromEntries(
      Object.entries(r.messageAttributes).flatMap(([k, v]) => (v.stringValue ? [[k, v.stringValue]] : [])),
    ),
  };
}

function epochMs(text: string | undefined): number | undefined {
  const ms = Number(text);
  return text === undefined || !Number.isFinite(ms) ? undefined : ms;
}

function firstReceived(text: string | undefined): { firstReceivedAt?: number } {
  const ms = epochMs(text);
  return ms === undefined ? {} : { firstReceivedAt: ms };
}
