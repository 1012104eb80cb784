import type { EventBus } from '../src/events/event-bus.js';
import type { Logger } from '../src/logger.js';
import type { MessageQueue } from '../src/queue/message-queue.js';
import { publishRefusal, type Refusal } from '../src/tasks/refused-event.js';
import type { InboundMessage } from './inbound-message.js';

/** Set on messages the worker moved to the DLQ itself, with the reason it could not use them. */
export const DEAD_LETTER_REASON = 'deadLetterReason';
/** The submitting system's tag on a requests-queue message (see src/tasks/client-tag.ts). */
export const CLIENT_ATTRIBUTE = 'client';

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
    ...(message.attributes[CLIENT_ATTRIBUTE] !== undefined
      ? { [CLIENT_ATTRIBUTE]: message.attributes[CLIENT_ATTRIBUTE] }
      : {}),
  });
  return 'done';
}

/**
 * A requests-queue message that no task can record: its sender is told with a `request refused`
 * event, then the message is set aside on the DLQ for a person. The event goes first, so a
 * failure to publish leaves the message where it is, to be tried again.
 */
export async function refuse(
  deps: { logger: Logger; bus: EventBus; queues: { requestsDlq: MessageQueue } },
  message: InboundMessage,
  refusal: Omit<Refusal, 'messageId' | 'client'>,
): Promise<'done'> {
  await publishRefusal(deps.bus, {
    ...refusal,
    messageId: message.messageId,
    client: message.attributes[CLIENT_ATTRIBUTE],
  });
  return deadLetter(deps, deps.queues.requestsDlq, message, refusal.message);
}
