import type { Logger } from '../src/logger.js';
import type { MessageQueue } from '../src/queue/message-queue.js';
import type { InboundMessage } from './inbound-message.js';

/** Set on messages the worker moved to the DLQ itself, with the reason it could not use them. */
export const DEAD_LETTER_REASON = 'deadLetterReason';

/**
 * Moves a message the worker can never process (not JSON, a task id already used by another
 * request) to the DLQ at once, with the reason attached, instead of letting it be received
 * maxReceiveCount times first. Nothing is lost: the DLQ keeps the body for a person to inspect.
 */
export async function deadLetter(
  deps: { logger: Logger },
  dlq: MessageQueue,
  message: InboundMessage,
  reason: string,
): Promise<'done'> {
  deps.logger.warn('message moved to the DLQ', { messageId: message.messageId, reason });
  await dlq.send(message.body === '' ? '(empty)' : message.body, {
    [DEAD_LETTER_REASON]: reason,
    originalMessageId: message.messageId,
  });
  return 'done';
}
