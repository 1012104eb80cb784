import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { isTransientAwsError } from '../src/aws/classify-error.js';
import { TransientError, describeError, isServiceError } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import type { Metrics } from '../src/metrics/metrics.js';
import type { QueueUrls } from '../src/queue/queue-urls.js';
import type { InboundMessage } from './inbound-message.js';

/**
 * Handles a batch of messages concurrently and reports which must stay on the queue, the contract
 * of both Lambda's partial batch responses and sqs-consumer's batch handler. A message that failed
 * transiently is made visible again after an exponential backoff rather than the full visibility
 * timeout. A handler answers 'keep' for a message that must stay on its queue for a person to
 * read (the DLQ's set-aside messages): it is hidden for as long as SQS allows (`holdSeconds`), so
 * the handler sees it about twice a day rather than after every visibility timeout.
 */
export type Handled = 'done' | 'keep';

export interface BatchDeps {
  sqs: SQSClient;
  /** The queue's role, for metrics. */
  queue: keyof QueueUrls;
  queueUrl: string;
  logger: Logger;
  metrics: Metrics;
}

export async function processBatch(
  messages: InboundMessage[],
  handle: (message: InboundMessage) => Promise<Handled>,
  deps: BatchDeps,
): Promise<string[]> {
  const receivedAt = Date.now();
  for (const m of messages) {
    if (m.sentAt !== undefined)
      deps.metrics.observe('queueWait', { queue: deps.queue }, Math.max(0, (receivedAt - m.sentAt) / 1000));
  }
  const outcomes = await Promise.allSettled(messages.map((m) => handle(m)));
  const failed: string[] = [];
  await Promise.all(
    outcomes.map(async (outcome, i) => {
      const message = messages[i];
      if (message === undefined || (outcome.status === 'fulfilled' && outcome.value === 'done')) return;
      failed.push(message.messageId);
      if (outcome.status === 'fulfilled') {
        await retryAfter(deps, message, holdSeconds(receivedAt));
        return;
      }
      const e: unknown = outcome.reason;
      const fields = {
        messageId: message.messageId,
        receiveCount: message.receiveCount,
        code: isServiceError(e) ? e.code : undefined,
        error: describeError(e),
      };
      // An AWS error no layer classified (a refused connection) is as transient as a classified one.
      const transient =
        e instanceof TransientError
          ? e
          : isTransientAwsError(e)
            ? new TransientError('AWS_UNAVAILABLE', describeError(e), { cause: e })
            : undefined;
      if (transient !== undefined) {
        const seconds = retryDelaySeconds(transient, message.receiveCount, holdSeconds(receivedAt));
        deps.logger.warn('message will be retried', { ...fields, retryInSeconds: seconds });
        await retryAfter(deps, message, seconds);
      } else {
        deps.logger.error('message failed', { ...fields, stack: e instanceof Error ? e.stack : undefined });
      }
    }),
  );
  return failed;
}

/**
 * SQS allows a message to stay hidden for at most 12 hours counted from the receive (AWS; moto
 * counts from the send, which for a message just set aside is the same moment): asking for the
 * full 12 h after the receive is refused. So the hold is 12 h less what has passed since this
 * batch began (the receive happened just before), less a margin for the gap between SQS's
 * receive and the batch's start (Lambda's poller, a slow batch).
 */
export const MAX_VISIBILITY_SECONDS = 12 * 3600;
const HOLD_MARGIN_SECONDS = 10 * 60;

export function holdSeconds(receivedAt: number, now = Date.now()): number {
  const elapsed = Math.ceil((now - receivedAt) / 1000);
  return Math.max(0, MAX_VISIBILITY_SECONDS - HOLD_MARGIN_SECONDS - elapsed);
}

/**
 * The backoff, or longer when the error says that trying again sooner is pointless, within what
 * SQS allows (`maxSeconds`: see holdSeconds).
 */
export function retryDelaySeconds(
  e: TransientError,
  receiveCount: number,
  maxSeconds = MAX_VISIBILITY_SECONDS,
): number {
  return Math.min(maxSeconds, Math.max(backoffSeconds(receiveCount), Math.ceil(e.retryAfterSeconds ?? 0)));
}

/** 2, 4, 8 … seconds, at most 5 minutes, with jitter so retried messages do not return in step. */
export function backoffSeconds(receiveCount: number): number {
  const base = Math.min(300, 2 ** Math.min(receiveCount, 9));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

async function retryAfter(
  deps: Pick<BatchDeps, 'sqs' | 'queueUrl' | 'logger'>,
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
