import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfig } from '../src/config.js';
import { createWorkerServices, type WorkerServices } from './compose.js';
import { handleBulkDeadLetter, handleBulkMessage } from './handle-bulk.js';
import { handleDeadLetter } from './handle-dead-letter.js';
import { handleRequestMessage } from './handle-request.js';
import { fromLambdaRecord, type InboundMessage } from './inbound-message.js';
import { processBatch, type Handled } from './process-batch.js';

/**
 * Lambda SQS entry points (event source mappings with ReportBatchItemFailures): only the messages
 * that failed are returned to the queue. Services are built once per container, at first use.
 */
let services: Promise<WorkerServices> | undefined;
const getServices = () => (services ??= createWorkerServices(loadConfig()));

function sqsHandler(
  queue: (s: WorkerServices) => string,
  handle: (m: InboundMessage, s: WorkerServices) => Promise<Handled>,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return async (event) => {
    const s = await getServices();
    const failed = await processBatch(event.Records.map(fromLambdaRecord), (m) => handle(m, s), {
      sqs: s.clients.sqs,
      queueUrl: queue(s),
      logger: s.logger,
    });
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

export const requests = sqsHandler((s) => s.queueUrls.requests, handleRequestMessage);
export const deadLetters = sqsHandler((s) => s.queueUrls.requestsDlq, handleDeadLetter);
// The same two queues start-consumers.ts consumes in the container.
export const bulk = sqsHandler((s) => s.queueUrls.bulk, handleBulkMessage);
export const bulkDeadLetters = sqsHandler((s) => s.queueUrls.bulkDlq, handleBulkDeadLetter);
