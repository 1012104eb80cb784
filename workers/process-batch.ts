import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TransientError, describeError, isServiceError } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import type { InboundMessage } from './inbound-message.js';

/**
 * Handles a batch of messages concurrently and reports which must stay on the queue, the contract
 * of both Lambda's partial batch responses and sqs-consumer's batch handler. A message that failed
 * transiently is made visible again after an exponential backoff rather than the full visibility
 * timeout. A handler answers 'keep' for a message that must stay on its queue for a person to
 * read (the DLQ's unusable messages): it is hidden for SQS's maximum of 12 hours each time.
 */
export type Handled = 'done' | 'keep';
const KEEP_SECONDS = 12 * 3600;

export async function processBatch(
  messages: InboundMessage[],
  handle: (message: InboundMessage) => Promise<Handled>,
  deps: { sqs: SQSClient; queueUrl: string; logger: Logger },
): Promise<string[]> {
  const outcomes = await Promise.allSettled(messages.map((m) => handle(m)));
  const failed: string[] = [];
  await Promise.all(
    outcomes.map(async (outcome, i) => {
      const message = messages[i];
      if (message === undefined || (outcome.status === 'fulfilled' && outcome.value === 'done')) return;
      failed.push(message.messageId);
      if (outcome.status === 'fulfilled') {
        await retryAfter(deps, message, KEEP_SECONDS);
        return;
      }
      const e: unknown = outcome.reason;
      const fields = {
        messageId: message.messageId,
        receiveCount: message.receiveCount,
        code: isServiceError(e) ? e.code : undefined,
        error: describeError(e),
      };
      if (e instanceof TransientError) {
        const seconds = retryDelaySeconds(e, message.receiveCount);
        deps.logger.warn('message will be retried', { ...fields, retryInSeconds: seconds });
        await retryAfter(deps, message, seconds);
      } else {
        deps.logger.error('message failed', { ...fields, stack: e instanceof Error ? e.stack : undefined });
      }
    }),
  );
  return failed;
}

/** The backoff, or longer when the error says that trying again sooner is pointless (at most 12 h). */
export function retryDelaySeconds(e: TransientError, receiveCount: number): number {
  return Math.min(KEEP_SECONDS, Math.max(backoffSeconds(receiveCount), Math.ceil(e.retryAfterSeconds ?? 0)));
}

/** 2, 4, 8 … seconds, at most 5 minutes, with jitter so retried messages do not return in step. */
export function backoffSeconds(receiveCount: number): number {
  const base = Math.min(300, 2 ** Math.min(receiveCount, 9));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

async function retryAfter(
  deps: { sqs: SQSClient; queueUrl: string; logger: Logger },
  message: InboundMessage,
  seconds: number,
): Promise<void> {
  try {
    await deps.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: deps.queueUrl,
        ReceiptHandle: message.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  } catch (e: unknown) {
    // The message still returns after its normal visibility timeout.
    deps.logger.warn('could not shorten the retry delay', {
      messageId: message.messageId,
      error: describeError(e),
    });
  }
}
