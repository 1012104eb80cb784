import { describe, expect, it } from '@jest/globals';
import { BulkEventPublisher } from '../../src/bulk/completion-event.js';
import { topicArn } from '../../src/aws/caller-identity.js';
import { SnsEventBus } from '../../src/events/sns-event-bus.js';
import type { WorkerServices } from '../../workers/compose.js';
import { handleBulkMessage } from '../../workers/handle-bulk.js';
import { submitFile, submitInline, takeBulkMessages } from '../support/bulk.js';
import { subscribeQueue, takeEvents } from '../support/events.js';
import { request } from '../support/http.js';
import { useStack } from '../support/stack.js';

/**
 * Every ending of a bulk task sends one completion event, with its counts: completed (with or
 * without failures), an empty input, a planning failure, a cancel (when its last active chunk
 * stops), and after a failure to publish. Messages are delivered by hand, so each test decides
 * what happens when.
 */
const env = useStack({
  api: true,
  env: { BULK_CHUNK_SIZE: '3', BULK_CHUNKS_IN_FLIGHT: '2' },
  templates: ['thing-only'],
});

const things = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ ThingName: `${prefix}-${i}` }));
const bulkEvents = () => subscribeQueue(env.stack, { type: ['provisioning.bulk.finished'] });

/** Delivers every bulk message, and those they send, until the queue is empty. */
async function runAll(services: WorkerServices = env.stack.services): Promise<void> {
  for (let messages = await takeBulkMessages(env.stack); messages.length > 0;) {
    for (const message of messages) await handleBulkMessage(message, services);
    messages = await takeBulkMessages(env.stack);
  }
}

const putInput = async (key: string, text: string) => {
  const input = { bucket: env.stack.config.templates.bucket, key };
  await env.stack.services.objectWriter.put(input, Buffer.from(text, 'utf8'), 'application/x-ndjson');
  return input;
};

describe('bulk completion events', () => {
  it('completed, with and without failures: one event each, with counts and the client tag', async () => {
    const subscriber = await bulkEvents();
    const mixed = await submitInline(
      {
        provisioningTemplateId: 'thing-only',
        parameters: [...things('bev-a', 3), { SerialNumber: 'no name' }],
      },
      env.stack.services,
      { client: 'mes-line7' },
    );
    const clean = await submitInline(
      { provisioningTemplateId: 'thing-only', parameters: things('bev-b', 2) },
      env.stack.services,
    );
    await runAll();

    const events = await takeEvents(env.stack, subscriber, 2);
    const byTask = Object.fromEntries(events.map((e) => [String(e.body.taskId), e]));
    expect(byTask[mixed.taskId]).toEqual({
      body: expect.objectContaining({
        type: 'provisioning.bulk.finished',
        version: 1,
        status: 'CompletedWithFailures',
        source: 'api',
        client: 'mes-line7',
        successCount: 3,
        failureCount: 1,
        totalCount: 4,
      }),
      attributes: {
        type: 'provisioning.bulk.finished',
        status: 'CompletedWithFailures',
        source: 'api',
        provisioningTemplateId: 'thing-only',
        client: 'mes-line7',
      },
    });
    expect(byTask[clean.taskId]?.body).toMatchObject({ status: 'Completed', successCount: 2, totalCount: 2 });
    expect((await env.stack.services.bulk.get(mixed.taskId))?.eventPublished).toBe(true);
  });

  it('an empty input completes at once, and an input that disappears fails the task: each with its event', async () => {
    const subscriber = await bulkEvents();
    const empty = await submitFile(
      {
        provisioningTemplateId: 'thing-only',
        inputFile: await putInput('bulk-inputs/bev-empty.ndjson', '\n \n'),
      },
      env.stack.services,
    );
    const gone = await submitFile(
      {
        provisioningTemplateId: 'thing-only',
        inputFile: await putInput('bulk-inputs/bev-gone.ndjson', '{}\n'),
      },
      env.stack.services,
    );
    await env.stack.services.objectWriter.remove({
      bucket: env.stack.config.templates.bucket,
      key: 'bulk-inputs/bev-gone.ndjson',
    });
    await runAll();

    const events = await takeEvents(env.stack, subscriber, 2);
    const byTask = Object.fromEntries(events.map((e) => [String(e.body.taskId), e.body]));
    expect(byTask[empty.taskId]).toMatchObject({ status: 'Completed', successCount: 0, totalCount: 0 });
    expect(byTask[gone.taskId]).toMatchObject({
      status: 'Failed',
      error: { code: expect.stringMatching(/^BULK_INPUT_/) },
    });
  });

  it('cancelled before planning: the cancel call publishes, the plan message later does not again', async () => {
    const subscriber = await bulkEvents();
    const task = await submitInline(
      { provisioningTemplateId: 'thing-only', parameters: things('bev-c', 4) },
      env.stack.services,
    );
    expect((await request(env.api.url, 'POST', `/bulkthings/${task.taskId}/cancel`)).status).toBe(200);
    expect((await takeEvents(env.stack, subscriber, 1)).map((e) => e.body)).toEqual([
      expect.objectContaining({ taskId: task.taskId, status: 'Cancelled', successCount: 0, failureCount: 0 }),
    ]);
    await runAll();
    expect(await takeEvents(env.stack, subscriber, 0)).toEqual([]);
  });

  it('cancelled while a chunk is at work: the event comes when that chunk stops, with its devices', async () => {
    const subscriber = await bulkEvents();
    const task = await submitInline(
      { provisioningTemplateId: 'thing-only', parameters: things('bev-d', 6) },
      env.stack.services,
    );
    for (const plan of await takeBulkMessages(env.stack)) await handleBulkMessage(plan, env.stack.services);
    const [first, second] = await takeBulkMessages(env.stack);
    if (first === undefined || second === undefined) throw new Error('expected two chunk messages');
    await handleBulkMessage(first, env.stack.services); // chunk 0: three devices
    // Chunk 1 started on a worker that then died; its message will come back.
    expect(await env.stack.services.bulk.startChunk(task.taskId, 1)).toBe(true);

    expect((await request(env.api.url, 'POST', `/bulkthings/${task.taskId}/cancel`)).status).toBe(200);
    expect(await takeEvents(env.stack, subscriber, 0)).toEqual([]);

    await handleBulkMessage(second, env.stack.services);
    expect((await takeEvents(env.stack, subscriber, 1)).map((e) => e.body)).toEqual([
      expect.objectContaining({ taskId: task.taskId, status: 'Cancelled', successCount: 3, totalCount: 6 }),
    ]);
  });

  it('a task whose event could not be published publishes it when the message comes back', async () => {
    const subscriber = await bulkEvents();
    const identity = await env.stack.services.identity();
    const nowhere = new SnsEventBus(env.stack.clients.sns, () =>
      Promise.resolve(topicArn(identity, env.stack.config.region, 'no-such-topic')),
    );
    const crashing: WorkerServices = {
      ...env.stack.services,
      bulkEvents: new BulkEventPublisher(nowhere, env.stack.services.bulk, env.stack.metrics),
    };
    const task = await submitInline(
      { provisioningTemplateId: 'thing-only', parameters: things('bev-e', 3) },
      env.stack.services,
    );
    for (const plan of await takeBulkMessages(env.stack)) await handleBulkMessage(plan, env.stack.services);
    const [chunk] = await takeBulkMessages(env.stack);
    if (chunk === undefined) throw new Error('expected a chunk message');

    await expect(handleBulkMessage(chunk, crashing)).rejects.toThrow(/publishing/);
    expect(await env.stack.services.bulk.get(task.taskId)).toMatchObject({
      status: 'Completed',
      eventPublished: false,
    });
    // The chunk's message was not deleted: its next delivery finds the task ended, event due.
    await handleBulkMessage(chunk, env.stack.services);
    await handleBulkMessage(chunk, env.stack.services);
    expect((await takeEvents(env.stack, subscriber, 1)).map((e) => [e.body.taskId, e.body.status])).toEqual([
      [task.taskId, 'Completed'],
    ]);
  });
});
