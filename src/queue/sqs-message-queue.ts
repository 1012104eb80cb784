import {
  SendMessageBatchCommand,
  SendMessageCommand,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { awsCall } from '../aws/classify-error.js';
import { InternalError, TransientError } from '../errors.js';
import type { MessageQueue, Queues } from './message-queue.js';
import type { QueueUrls } from './queue-urls.js';

/** SQS takes at most ten messages per SendMessageBatch. */
const SQS_BATCH = 10;

/** The MessageQueue port over one SQS queue. */
export class SqsMessageQueue implements MessageQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(body: string, attributes: Record<string, string> = {}): Promise<void> {
    const MessageAttributes: Record<string, MessageAttributeValue> = Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
    );
    await awsCall(`sending a message to ${this.queueUrl}`, () =>
      this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: body,
          ...(Object.keys(MessageAttributes).length > 0 ? { MessageAttributes } : {}),
        }),
      ),
    );
  }

  async sendBatch(bodies: readonly string[]): Promise<void> {
    for (let i = 0; i < bodies.length; i += SQS_BATCH) {
      const entries = bodies
        .slice(i, i + SQS_BATCH)
        .map((MessageBody, n) => ({ Id: String(i + n), MessageBody }));
      const out = await awsCall(`sending ${entries.length} message(s) to ${this.queueUrl}`, () =>
        this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries })),
      );
      const failed = out.Failed ?? [];
      if (failed.length > 0) {
        const message = `SQS refused ${failed.length} of ${entries.length} message(s) for ${this.queueUrl}: ${failed[0]?.Message ?? 'no reason given'}`;
        // Only a fault of ours (a malformed entry) is worth no retry.
        throw failed.every((f) => f.SenderFault === true)
          ? new InternalError('QUEUE_SEND_REFUSED', message)
          : new TransientError('QUEUE_SEND_REFUSED', message);
      }
    }
  }
}

/** The service's queues over SQS, from their URLs. */
export function sqsQueues(sqs: SQSClient, urls: QueueUrls): Queues {
  return {
    requests: new SqsMessageQueue(sqs, urls.requests),
    requestsDlq: new SqsMessageQueue(sqs, urls.requestsDlq),
    bulk: new SqsMessageQueue(sqs, urls.bulk),
    bulkDlq: new SqsMessageQueue(sqs, urls.bulkDlq),
  };
}
