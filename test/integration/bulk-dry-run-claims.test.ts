import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { submitBulkTask } from '../../src/bulk/submit-bulk.js';
import { handleBulkMessage } from '../../workers/handle-bulk.js';
import { takeBulkMessages } from '../support/bulk.js';
import { useStack } from '../support/stack.js';

/**
 * A dry run's thing-name claims, batched per chunk (BulkStore.claimNamesInTurn): the first line
 * naming a thing in the input holds it across chunks and batch limits, and a chunk checked again
 * (a redelivery) reports what it reported the first time. Messages are delivered by the test.
 */
const env = useStack({ env: { BULK_CHUNK_SIZE: '3' }, templates: ['thing-only'] });

describe('dry-run name claims', () => {
  it('holds each name for its first line, over more names than one batch call takes', async () => {
    const bulk = env.stack.services.bulk;
    const taskId = randomUUID();
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    // 150 names: two BatchGet calls (100 keys each at most) and six BatchWrite calls (25 items).
    const first = new Map(Array.from({ length: 150 }, (_, i) => [`claim-${i}`, i + 1]));
    expect(await bulk.claimNamesInTurn(taskId, first, expiresAt)).toEqual(first);

    // The same chunk again (a redelivery): the same owners, nothing moved.
    expect(await bulk.claimNamesInTurn(taskId, first, expiresAt)).toEqual(first);

    // A later chunk: names already held keep their first line; new ones go to the later lines.
    const later = new Map([
      ['claim-7', 201],
      ['claim-149', 202],
      ['claim-new', 203],
    ]);
    expect(await bulk.claimNamesInTurn(taskId, later, expiresAt)).toEqual(
      new Map([
        ['claim-7', 8],
        ['claim-149', 150],
        ['claim-new', 203],
      ]),
    );
    // The table agrees, read through the one-name conditional claim the real run uses.
    expect(await bulk.claimName(taskId, 'claim-new', 999, expiresAt)).toEqual({ owner: 203 });
    expect(await bulk.claimName(taskId, 'claim-0', 1, expiresAt)).toEqual({ owner: 'this', before: true });
  });

  it('reports a later line naming a thing of an earlier chunk as a duplicate, the same when redelivered', async () => {
    const n = (i: number) => ({ ThingName: `dry-claims-${randomUUID().slice(0, 8)}-${i}` });
    const names = Array.from({ length: 6 }, (_, i) => n(i));
    const at = (i: number) => names[i] ?? {};
    // Chunks of 3: [0 1 2] [3 0 4] [1 5 3]: lines 5, 7 and 9 name things of earlier lines (1, 2, 4).
    const parameters = [at(0), at(1), at(2), at(3), at(0), at(4), at(1), at(5), at(3)];
    const { task } = await submitBulkTask(
      { provisioningTemplateId: 'thing-only', dryRun: true, lines: { source: 'parameters', parameters } },
      {},
      env.stack.services,
    );
    for (let messages = await takeBulkMessages(env.stack); messages.length > 0;) {
      for (const message of messages) {
        // Delivered twice, one after the other, as SQS may: the second changes nothing.
        await handleBulkMessage(message, env.stack.services);
        await handleBulkMessage(message, env.stack.services);
      }
      messages = await takeBulkMessages(env.stack);
    }

    expect(await env.stack.services.bulk.get(task.taskId)).toMatchObject({
      status: 'CompletedWithFailures',
      totalCount: 9,
      successCount: 6,
      failureCount: 3,
      problemCounts: { THING_NAME_DUPLICATE: 3 },
    });
    const { lines } = await env.stack.services.bulk.results(task.taskId, { limit: 100 });
    expect(
      lines.map((item) => {
        const outcome = item as { line: number; status: string; error?: { message: string } };
        return [outcome.line, outcome.status, outcome.error?.message.match(/also on line (\d+)/)?.[1]];
      }),
    ).toEqual([
      [5, 'FAILED', '1'],
      [7, 'FAILED', '2'],
      [9, 'FAILED', '4'],
    ]);
  });
});
