/**
 * A queue the service sends to (requests, bulk, and their dead-letter queues). Core code
 * depends on this port only; the composition roots build it over SQS (sqs-message-queue.ts).
 * Failures are the service's errors (a transient one for throttling or an outage).
 */
export interface MessageQueue {
  /** One message, with string attributes (SQS message attributes) when given. */
  send(body: string, attributes?: Record<string, string>): Promise<void>;
  /** Several messages, in as few calls as the queue allows; fails when any is refused. */
  sendBatch(bodies: readonly string[]): Promise<void>;
}

/** Every queue the service sends to, by its role. */
export interface Queues {
  requests: MessageQueue;
  requestsDlq: MessageQueue;
  bulk: MessageQueue;
  bulkDlq: MessageQueue;
}
