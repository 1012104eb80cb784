import { describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BulkStore } from '../../../src/bulk/bulk-store.js';
import type { Chunk } from '../../../src/bulk/model.js';

const TABLE = 'unit-table';

/**
 * A real document client whose transport answers BatchWriteItem by leaving the whole batch
 * unprocessed for the first `refusals` calls, as DynamoDB does under load; nothing leaves the process.
 */
function dynamoLeavingUnprocessed(refusals: number) {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' },
    maxAttempts: 1,
  });
  const written: number[] = [];
  let calls = 0;
  client.middlewareStack.add(
    () => (args) => {
      const items = (args.input as { RequestItems: Record<string, unknown[]> }).RequestItems[TABLE] ?? [];
      calls += 1;
      if (calls <= refusals) {
        return Promise.resolve({
          output: { $metadata: {}, UnprocessedItems: { [TABLE]: items } },
          response: {},
        });
      }
      written.push(items.length);
      return Promise.resolve({ output: { $metadata: {}, UnprocessedItems: {} }, response: {} });
    },
    { step: 'initialize', name: 'cannedBatchWrite' },
  );
  return { dynamo: DynamoDBDocumentClient.from(client), written, calls: () => calls };
}

const chunks = (n: number): Chunk[] =>
  Array.from({ length: n }, (_, index) => ({
    index,
    start: index * 10,
    end: index * 10 + 10,
    firstLine: index + 1,
    lineCount: 1,
  }));

describe('BulkStore.putChunks', () => {
  it('writes what DynamoDB left unprocessed again, after a growing, jittered, capped wait', async () => {
    const { dynamo, written, calls } = dynamoLeavingUnprocessed(5);
    const waits: number[] = [];
    const store = new BulkStore(dynamo, TABLE, (ms) => {
      waits.push(ms);
      return Promise.resolve();
    });
    await store.putChunks('task-1', chunks(3));
    expect(written).toEqual([3]);
    expect(calls()).toBe(6);
    expect(waits).toHaveLength(5);
    // 50 ms doubling: each wait is half to all of its step, and never more than 2 s.
    waits.forEach((ms, i) => {
      const step = Math.min(2000, 50 * 2 ** i);
      expect(ms).toBeGreaterThanOrEqual(step / 2);
      expect(ms).toBeLessThanOrEqual(step);
    });
  });

  it('gives up with a transient error after a bounded number of attempts', async () => {
    const { dynamo, calls } = dynamoLeavingUnprocessed(Number.POSITIVE_INFINITY);
    const store = new BulkStore(dynamo, TABLE, () => Promise.resolve());
    await expect(store.putChunks('task-2', chunks(2))).rejects.toMatchObject({
      code: 'BULK_WRITE_UNPROCESSED',
      kind: 'transient',
    });
    expect(calls()).toBe(8);
  });
});
