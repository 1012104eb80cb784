import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfig } from '../src/config.js';
import { lambdaMetrics } from '../src/metrics/emf-metrics.js';
import type { QueueUrls } from '../src/queue/queue-urls.js';
import { createWorkerServices, type WorkerServices } from './compose.js';
import { handleBulkDeadLetter, handleBulkMessage } from './handle-bulk.js';
import { handleDeadLetter } from './handle-dead-letter.js';
import { handleRequestMessage } from './handle-request.js';
import { fromLambdaRecord, type InboundMessage } from './inbound-message.js';
import { processBatch, type Handled } from './process-batch.js';

/**
 * Lambda SQS entry points (event source mappings with ReportBatchItemFailures): only the messages
 * that failed are returned to the queue. Services are built once per container, at first use.
 * Metrics go to CloudWatch in embedded metric format, written at the end of every invocation.
 */
let services: Promise<WorkerServices> | undefined;
const metrics = lambdaMetrics();
const getServices = () => (services ??= createWorkerServices(loadConfig(), { metrics }));

function sqsHandler(
  queue: keyof QueueUrls,
  handle: (m: InboundMessage, s: WorkerServices) => Promise<Handled>,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return async (event) => {
    try {
      const s = await getServices();
      const failed = await processBatch(event.Records.map(fromLambdaRecord), (m) => handle(m, s), {
        sqs: s.clients.sqs,
        queue,
        queueUrl: s.queueUrls[queue],
        logger: s.logger,
        metrics: s.metrics,
      });
      return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
    } finally {
      metrics.flush();
    }
  };
}

export const requests = sqsHandler('requests', handleRequestMessage);
export const deadLetters = sqsHandler('requestsDlq', handleDeadLetter);
// The same queues start-consumers.ts consumes in the container.
export const bulk = sqsHandler('bulk', handleBulkMessage);
export const bulkDeadLetters = sqsHandler('bulkDlq', handleBulkDeadLetter);
