import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { setTimeout as delay } from 'node:timers/promises';
import { backoffMs, type RetryPolicy } from '../aws/backoff.js';
import { TransientError } from '../errors.js';
import { withoutKey } from '../tasks/task-key.js';
import { CERTIFICATE_ITEM, LIFECYCLE_INDEX, allPartitions, certificatePartition } from './lifecycle-index.js';
import type { InventoryCertificate } from './model.js';
import { mergePartitions } from './shard-merge.js';

/** A range of the expiry index: not-after before `before`, after the position `after`. */
export interface ExpiryRange {
  /** ISO date-time; undefined: no upper bound. */
  before?: string;
  /** The sort key (`<notAfter>#<id>`) of the last certificate of the previous page. */
  after?: string;
  limit: number;
}

const BATCH_GET_MAX = 100;
const UNPROCESSED_RETRY: RetryPolicy = { attempts: 8, firstDelayMs: 50, maxDelayMs: 2000 };
/** Above every sort key (`<ISO date>#<id>`): digits and `#` sort below `~`. */
const END = '~';

/** Reads the inventory: one certificate, several by id, or the expiry index in order. */
export class InventoryReader {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sleep: (ms: number) => Promise<unknown> = delay,
  ) {}

  async get(certificateId: string): Promise<InventoryCertificate | undefined> {
    const out = await this.dynamo.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: certificatePartition(certificateId), sk: CERTIFICATE_ITEM },
        ConsistentRead: true,
      }),
    );
    return out.Item === undefined ? undefined : toCertificate(out.Item);
  }

  /** The records the inventory has of these certificates, in no particular order. */
  async getMany(certificateIds: readonly string[]): Promise<InventoryCertificate[]> {
    const found: InventoryCertificate[] = [];
    const ids = [...new Set(certificateIds)];
    for (let i = 0; i < ids.length; i += BATCH_GET_MAX) {
      let keys: Record<string, unknown>[] = ids
        .slice(i, i + BATCH_GET_MAX)
        .map((id) => ({ pk: certificatePartition(id), sk: CERTIFICATE_ITEM }));
      // BatchGet may leave keys unprocessed under load: ask again for those, backing off.
      for (let attempt = 1; keys.length > 0; attempt++) {
        if (attempt > 1) {
          if (attempt > UNPROCESSED_RETRY.attempts) {
            throw new TransientError(
              'INVENTORY_READ_UNPROCESSED',
              `DynamoDB left ${keys.length} inventory read(s) unprocessed; try again`,
            );
          }
          await this.sleep(backoffMs(UNPROCESSED_RETRY, attempt - 1));
        }
        const out = await this.dynamo.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        found.push(...(out.Responses?.[this.tableName] ?? []).map(toCertificate));
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  /** Certificates in service by not-after, soonest first, a page at a time across the shards. */
  async expiring(range: ExpiryRange): Promise<{ certificates: InventoryCertificate[]; more: boolean }> {
    const upper = range.before ?? END;
    const merged = await mergePartitions(
      allPartitions('EXPIRY'),
      async (partition, start, limit) => {
        const out = await this.dynamo.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: LIFECYCLE_INDEX,
            KeyConditionExpression:
              range.after === undefined
                ? 'lifecyclePk = :p AND lifecycleSk < :upper'
                : 'lifecyclePk = :p AND lifecycleSk BETWEEN :after AND :upper',
            ExpressionAttributeValues: {
              ':p': partition,
              ':upper': upper,
              ...(range.after === undefined ? {} : { ':after': range.after }),
            },
            ExclusiveStartKey: start,
            // One more than asked, since the previous page's last item comes back (BETWEEN is inclusive).
            Limit: limit + 1,
          }),
        );
        const items = (out.Items ?? []).filter((item) => item.lifecycleSk !== range.after);
        return { items, next: out.LastEvaluatedKey };
      },
      (item) => String(item.lifecycleSk),
      range.limit,
    );
    return { certificates: merged.items.map(toCertificate), more: merged.more };
  }

  /** How many certificates in service have a not-after before `before`: one COUNT query per shard. */
  async countExpiringBefore(before: string): Promise<number> {
    const counts = await Promise.all(
      allPartitions('EXPIRY').map(async (partition) => {
        let count = 0;
        let start: Record<string, unknown> | undefined;
        do {
          const out = await this.dynamo.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: LIFECYCLE_INDEX,
              KeyConditionExpression: 'lifecyclePk = :p AND lifecycleSk < :before',
              ExpressionAttributeValues: { ':p': partition, ':before': before },
              Select: 'COUNT',
              ExclusiveStartKey: start,
            }),
          );
          count += out.Count ?? 0;
          start = out.LastEvaluatedKey;
        } while (start !== undefined);
        return count;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }
}

/** The stored item as the inventory's record: without the table's and the index's keys. */
function toCertificate(item: Record<string, unknown>): InventoryCertificate {
  const {
    lifecyclePk: _p,
    lifecycleSk: _s,
    expiresAt: _e,
    ...rest
  } = withoutKey(item) as Record<string, unknown>;
  return rest as unknown as InventoryCertificate;
}
