import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Services } from '../src/services.js';
import type { InboundMessage } from './inbound-message.js';

/** Set on messages the worker moved to the DLQ itself, with the reason it could not use them. */
export const DEAD_LETTER_REASON = 'deadLetterReason';

/**
 * Moves a message the worker can never process (not JSON, a task id already used by another
 * request) to the DLQ at once, with the reason attached, instead of letting it be received
 * maxReceiveCount times first. Nothing is lost: the DLQ keeps the body for a person to inspect.
 */
export async function deadLetter(
  services: Pick<Services, 'clients' | 'queues' | 'logger'>,
  message: InboundMessage,
  reason: string,
  dlqUrl = services.queues.requestsDlq,
): Promise<'done'> {
  services.logger.warn('message moved to the DLQ', { messageId: message.messageId, reason });
  await services.clients.sqs.send(
    new SendMessageCommand({
      QueueUrl: dlqUrl,
      MessageBody: message.body === '' ? '(empty)' : message.body,
      MessageAttributes: {
        [DEAD_LETTER_REASON]: { DataType: 'String', StringValue: reason },
        originalMessageId: { DataType: 'String', StringValue: message.messageId },
      },
    }),
  );
  return 'done';
}
