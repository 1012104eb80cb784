import { Consumer } from 'sqs-consumer';
import { describeError } from '../src/errors.js';
import type { QueueUrls } from '../src/queue/queue-urls.js';
import type { ExpiryGauge } from '../src/lifecycle/expiry-gauge.js';
import type { WorkerServices } from './compose.js';
import { loggedExpiryGauge } from './expiry-gauges.js';
import { handleBulkDeadLetter, handleBulkMessage } from './handle-bulk.js';
import { handleDeadLetter } from './handle-dead-letter.js';
import { handleRequestMessage } from './handle-request.js';
import { fromSqsMessage, type InboundMessage } from './inbound-message.js';
import { PollBackoff } from './poll-backoff.js';
import { lifecycleRuntime } from './lifecycle-compose.js';
import { startLifecycleTimer } from './lifecycle-timer.js';
import { processBatch, type Handled } from './process-batch.js';
import { endablePolls } from './receive-abort.js';

/** SQS's longest: a receive waits this long for a message before answering empty. */
const LONG_POLL_SECONDS = 20;

/**
 * Long-running workers (local process and container): one sqs-consumer per queue, long-polling
 * (20 s: an idle worker asks SQS about once every 20 s per queue, not several times a second), and
 * the certificate lifecycle's timer (scheduled retirements, expiry figures, backfill; in AWS an
 * EventBridge rule does this). The heartbeat keeps a message invisible while its task runs; `stop`
 * ends the idle polls and the timer at once and waits for in-flight messages, which finish and are
 * deleted, and for a tick under way, so a SIGTERM loses nothing and leaves no task RUNNING under a
 * live lease. While SQS fails, each consumer waits longer between receives (PollBackoff), up to 5 s.
 */
export interface RunningWorkers {
  stop(): Promise<void>;
}

export function startConsumers(
  services: WorkerServices,
  /** `pollSeconds`: how long a receive waits for a message (tests that restart workers at once use less). */
  options: { drainTimeoutMs?: number; pollSeconds?: number; expiryGauge?: ExpiryGauge } = {},
): RunningWorkers {
  const queues: [keyof QueueUrls, (m: InboundMessage, s: WorkerServices) => Promise<Handled>][] = [
    ['requests', handleRequestMessage],
    ['requestsDlq', handleDeadLetter],
    ['bulk', handleBulkMessage],
    ['bulkDlq', handleBulkDeadLetter],
  ];
  const polls = endablePolls(services.clients.sqs);
  const backoffs: PollBackoff[] = [];
  const consumers = queues.map(([queue, handle]) => {
    const queueUrl = services.queueUrls[queue];
    const backoff = new PollBackoff();
    backoffs.push(backoff);
    const consumer = Consumer.create({
      queueUrl,
      sqs: polls.sqs,
      batchSize: services.config.worker.batchSize,
      waitTimeSeconds: options.pollSeconds ?? LONG_POLL_SECONDS,
      visibilityTimeout: services.config.worker.leaseSeconds,
      heartbeatInterval: Math.max(1, Math.floor(services.config.worker.leaseSeconds / 3)),
      pollingCompleteWaitTimeMs: options.drainTimeoutMs ?? 30_000,
      messageSystemAttributeNames: [
        'ApproximateReceiveCount',
        'ApproximateFirstReceiveTimestamp',
        'SentTimestamp',
        'SenderId',
      ],
      messageAttributeNames: ['All'],
      // Our handler sets the retry delay itself; leave failed messages invisible until then.
      terminateVisibilityTimeout: false,
      preReceiveMessageCallback: () => backoff.beforeReceive(),
      postReceiveMessageCallback: () => {
        backoff.received();
        return Promise.resolve();
      },
      async handleMessageBatch(messages) {
        const inbound = messages.map(fromSqsMessage);
        const failed = new Set(
          await processBatch(inbound, (m) => handle(m, services), {
            sqs: services.clients.sqs,
            queue,
            queueUrl,
            logger: services.logger,
            metrics: services.metrics,
          }),
        );
        return messages.filter((m) => !failed.has(m.MessageId ?? ''));
      },
    });
    consumer.on('error', (e) => {
      // The idle poll this worker ended itself while stopping (sqs-consumer names the cause `code`).
      if (polls.ending() && (e as { code?: unknown }).code === 'AbortError') return;
      services.logger.error('queue consumer error', { queueUrl, error: describeError(e) });
    });
    consumer.on('processing_error', (e) =>
      services.logger.error('queue processing error', { queueUrl, error: describeError(e) }),
    );
    consumer.start();
    return consumer;
  });
  const timer = startLifecycleTimer(
    lifecycleRuntime({
      config: services.config,
      clients: services.clients,
      logger: services.logger,
      gauge: options.expiryGauge ?? loggedExpiryGauge(services.logger),
    }),
  );
  return {
    async stop(): Promise<void> {
      for (const backoff of backoffs) backoff.stop();
      const stopped = Promise.all([
        timer.stop(),
        ...consumers.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (!c.status.isRunning) {
                resolve();
                return;
              }
              c.once('stopped', () => {
                resolve();
              });
              c.stop();
            }),
        ),
      ]);
      polls.endPolls();
      await stopped;
    },
  };
}
