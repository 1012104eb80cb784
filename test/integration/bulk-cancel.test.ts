import { describe, expect, it } from '@jest/globals';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { handleBulkMessage } from '../../workers/handle-bulk.js';
import { fromSqsMessage, type InboundMessage } from '../../workers/inbound-message.js';
import { submitInline } from '../support/bulk.js';
import { request } from '../support/http.js';
import { useStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

/**
 * The cancel bound (README, Bulk enrolment): after a cancel is answered, at most
 * BULK_CHUNKS_IN_FLIGHT × BULK_LINE_CONCURRENCY devices start (those already past their check of
 * the task's status), and none after; the counts of the devices that ran stay exact. Here one chunk
 * message is delivered by the test (one chunk in flight), and the cancel comes while it runs.
 */
const LINE_CONCURRENCY = 2;
const env = useStack({
  env: { BULK_CHUNK_SIZE: '30', BULK_CHUNKS_IN_FLIGHT: '1', BULK_LINE_CONCURRENCY: String(LINE_CONCURRENCY) },
  api: true,
  templates: ['thing-only'],
});

async function takeMessages(): Promise<InboundMessage[]> {
  const queueUrl = env.stack.services.queueUrls.bulk;
  const out = await env.stack.clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  for (const m of out.Messages ?? [])
    await env.stack.clients.sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }),
    );
  return (out.Messages ?? []).map(fromSqsMessage);
}

/** The devices a task has recorded so far (each line that started), and how many have finished. */
async function devices(taskId: string): Promise<{ started: number; finished: number }> {
  const out = await env.stack.clients.dynamo.send(
    new QueryCommand({
      TableName: env.stack.config.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :line)',
      ExpressionAttributeValues: { ':pk': `BULK#${taskId}`, ':line': 'LINE#' },
      ConsistentRead: true,
    }),
  );
  const items = out.Items ?? [];
  return {
    started: items.length,
    finished: items.filter((i) => i.status === 'SUCCEEDED' || i.status === 'FAILED').length,
  };
}

describe('cancelling a bulk task', () => {
  it('lets at most chunks in flight × line concurrency devices start after the answer, and counts them', async () => {
    const parameters = Array.from({ length: 30 }, (_, i) => ({ ThingName: `cancel-bound-${i}` }));
    const task = await submitInline({ provisioningTemplateId: 'thing-only', parameters }, env.stack.services);
    for (const plan of await takeMessages()) await handleBulkMessage(plan, env.stack.services);
    const [chunk] = await takeMessages();
    if (chunk === undefined) throw new Error('no chunk message');
    const running = handleBulkMessage(chunk, env.stack.services);
    // Early in the chunk: a status read cached for a second (the old code) lets every device of
    // that second start after the cancel; a read before each device lets none whose check is later.
    await waitFor(
      'the first device',
      () => devices(task.taskId),
      (now) => now.started >= 1,
      20_000,
    );

    // Body-less, as `curl -X POST …/cancel` sends it.
    const cancelled = await fetch(`${env.api.url}/bulkthings/${task.taskId}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    const atCancel = await devices(task.taskId);
    await running;
    const after = await devices(task.taskId);

    expect(after.started - atCancel.started).toBeLessThanOrEqual(LINE_CONCURRENCY);
    expect(after.finished).toBe(after.started);
    const view = (await request(env.api.url, 'GET', `/bulkthings/${task.taskId}`)).body;
    expect(view.status).toBe('Cancelled');
    expect(Number(view.successCount) + Number(view.failureCount)).toBe(after.finished);
  });
});
