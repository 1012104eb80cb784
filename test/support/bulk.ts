import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { BulkTask } from '../../src/bulk/model.js';
import { submitBulkTask, type SubmitBulkDeps } from '../../src/bulk/submit-bulk.js';
import type { CdfProvisioningParameters } from '../../src/tasks/request.js';
import { fromSqsMessage, type InboundMessage } from '../../workers/inbound-message.js';
import { request } from './http.js';
import type { TestStack } from './stack.js';
import { waitFor } from './wait.js';

const FINAL = ['Completed', 'CompletedWithFailures', 'Failed', 'Cancelled'];

/** Polls a bulk task until it reaches a final status. */
export async function pollBulk(
  baseUrl: string,
  taskId: string,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const read = async () => (await request(baseUrl, 'GET', `/bulkthings/${taskId}`)).body;
  return waitFor(`bulk task ${taskId}`, read, (task) => FINAL.includes(String(task.status)), timeoutMs);
}

/** Every device result of a bulk task, following nextToken. */
export async function allResults(
  baseUrl: string,
  taskId: string,
  limit = 7,
): Promise<Record<string, unknown>[]> {
  const results: Record<string, unknown>[] = [];
  let nextToken: string | undefined;
  do {
    const query = `?limit=${limit}${nextToken ? `&nextToken=${nextToken}` : ''}`;
    const res = await request<{ results: Record<string, unknown>[]; nextToken?: string }>(
      baseUrl,
      'GET',
      `/bulkthings/${taskId}/results${query}`,
    );
    results.push(...res.body.results);
    nextToken = res.body.nextToken;
  } while (nextToken !== undefined);
  return results;
}

/** Submits inline lines through the core (no HTTP), as the engine's own tests do. */
export async function submitInline(
  request: {
    provisioningTemplateId: string;
    parameters: Record<string, string>[];
    cdfProvisioningParameters?: CdfProvisioningParameters;
  },
  services: SubmitBulkDeps,
  options: { client?: string } = {},
): Promise<BulkTask> {
  const { parameters, ...rest } = request;
  return (await submitBulkTask({ ...rest, lines: { source: 'parameters', parameters } }, options, services))
    .task;
}

/** Submits an input file already in S3 through the core (no HTTP). */
export async function submitFile(
  request: { provisioningTemplateId: string; inputFile: { bucket: string; key: string } },
  services: SubmitBulkDeps,
): Promise<BulkTask> {
  const { inputFile, ...rest } = request;
  return (await submitBulkTask({ ...rest, lines: { source: 'inputFile', inputFile } }, {}, services)).task;
}

/** Takes every message now on the stack's bulk queue (deleting them: the test delivers them itself). */
export async function takeBulkMessages(stack: TestStack): Promise<InboundMessage[]> {
  const QueueUrl = stack.services.queueUrls.bulk;
  const taken: InboundMessage[] = [];
  for (;;) {
    const out = await stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    );
    if ((out.Messages ?? []).length === 0) return taken;
    for (const m of out.Messages ?? []) {
      taken.push(fromSqsMessage(m));
      await stack.clients.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}
