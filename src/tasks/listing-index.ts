import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { setTimeout as delay } from 'node:timers/promises';
import Type from 'typebox';
import { backoffMs, type RetryPolicy } from '../aws/backoff.js';
import { InvalidInputError, TransientError } from '../errors.js';
import { validator } from '../validation.js';

/**
 * The table's listing index (GSI `listing`), newest first, for `GET /provisioningtasks` (single-
 * device tasks) and `GET /bulkthings` (bulk tasks). Only those items carry its keys, so a bulk
 * task's devices never enter it (a sparse index), and nothing is ever scanned.
 *
 * Partition key `listPk` = `<kind>#<yyyy-mm>` of the creation time: one partition per kind and
 * month, so no partition grows without end, and a list walks back month by month, newest first,
 * only as far as the results' time to live reaches (older items have expired). Sort key `listSk` =
 * `<creation time>#<id>`: time ranges are key conditions. The index projects only the keys and
 * what the filters read (`status`, `provisioningTemplateId`, `source`, `expiresAt`), so a write
 * that changes none of them (a device's checkpoints, a bulk task's counters) costs the index
 * nothing: a task writes to it when it is created and when its status changes, which keeps the
 * month's partition far below DynamoDB's per-partition write limit at any rate AWS IoT allows.
 * Status, template and source are filters (FilterExpression) on the index's own attributes.
 */
export const LISTING_INDEX = 'listing';
export type ListingKind = 'task' | 'bulk';

export interface ListingKeys {
  listPk: string;
  listSk: string;
}

export function listingKeys(kind: ListingKind, createdAt: string, id: string): ListingKeys {
  return { listPk: `${kind}#${createdAt.slice(0, 7)}`, listSk: `${createdAt}#${id}` };
}

export interface ListingQuery {
  status?: string;
  templateId?: string;
  source?: string;
  /** ISO date-times, inclusive. */
  since?: string;
  until?: string;
  limit: number;
  nextToken?: string;
}

export interface TableKey {
  pk: string;
  sk: string;
}

/** Index Query calls one list request may make before it answers with what it found and a token. */
const MAX_QUERIES = 10;
const UNPROCESSED_RETRY: RetryPolicy = { attempts: 8, firstDelayMs: 50, maxDelayMs: 2000 };

const Token = Type.Object(
  {
    listPk: Type.String({ pattern: '^(task|bulk)#\\d{4}-\\d{2}$' }),
    listSk: Type.String({ maxLength: 300 }),
    pk: Type.String({ maxLength: 300 }),
    sk: Type.String({ maxLength: 300 }),
  },
  { additionalProperties: false },
);
const token = validator(Token);

export class ListingIndex {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sleep: (ms: number) => Promise<unknown> = delay,
  ) {}

  /**
   * The table keys of one page of `kind`'s items, newest first. `oldest` is the creation time
   * before which nothing can still exist (the time to live), so the walk back through the months
   * stops there.
   */
  async page(
    kind: ListingKind,
    query: ListingQuery,
    oldest: Date,
    now = new Date(),
  ): Promise<{ keys: TableKey[]; nextToken?: string }> {
    const start = query.nextToken === undefined ? undefined : decodeToken(query.nextToken, kind);
    const floor = maxIso(query.since, oldest.toISOString());
    const top =
      query.until !== undefined && query.until < now.toISOString() ? query.until : now.toISOString();
    const months = monthsDown(start?.listPk.slice(kind.length + 1) ?? top, floor);
    const filters = filterOf(query, Math.floor(now.getTime() / 1000));
    const keys: (TableKey & ListingKeys)[] = [];
    let exclusiveStart: Record<string, string> | undefined = start === undefined ? undefined : { ...start };
    let queries = 0;
    for (const month of months) {
      const listPk = `${kind}#${month}`;
      if (exclusiveStart !== undefined && exclusiveStart.listPk !== listPk) exclusiveStart = undefined;
      do {
        if (queries === MAX_QUERIES) return { keys: keys.map(tableKey), ...tokenAfter(keys) };
        queries += 1;
        const out = await this.dynamo.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: LISTING_INDEX,
            ScanIndexForward: false,
            Limit: query.limit - keys.length,
            ...keyCondition(listPk, query, filters),
            ExclusiveStartKey: exclusiveStart,
          }),
        );
        for (const item of out.Items ?? []) keys.push(item as TableKey & ListingKeys);
        if (keys.length >= query.limit) return { keys: keys.map(tableKey), ...tokenAfter(keys) };
        exclusiveStart = out.LastEvaluatedKey as Record<string, string> | undefined;
      } while (exclusiveStart !== undefined);
    }
    return { keys: keys.map(tableKey) };
  }

  /** The items for these keys, in the same order (missing ones, expired meanwhile, left out). */
  async read(keys: TableKey[]): Promise<Record<string, unknown>[]> {
    const found = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < keys.length; i += 100) {
      let pending: TableKey[] = keys.slice(i, i + 100);
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > 1) {
          if (attempt > UNPROCESSED_RETRY.attempts)
            throw new TransientError('LIST_READ_UNPROCESSED', 'DynamoDB left part of a list unread; retry');
          await this.sleep(backoffMs(UNPROCESSED_RETRY, attempt - 1));
        }
        const out = await this.dynamo.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const item of out.Responses?.[this.tableName] ?? [])
          found.set(`${String(item.pk)}\n${String(item.sk)}`, item);
        pending = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as TableKey[];
      }
    }
    return keys.flatMap((k) => {
      const item = found.get(`${k.pk}\n${k.sk}`);
      return item === undefined ? [] : [item];
    });
  }
}

function tableKey(item: TableKey): TableKey {
  return { pk: item.pk, sk: item.sk };
}

function tokenAfter(keys: (TableKey & ListingKeys)[]): { nextToken?: string } {
  const last = keys[keys.length - 1];
  if (last === undefined) return {};
  const value = { listPk: last.listPk, listSk: last.listSk, pk: last.pk, sk: last.sk };
  return { nextToken: Buffer.from(JSON.stringify(value)).toString('base64url') };
}

function decodeToken(raw: string, kind: ListingKind): TableKey & ListingKeys {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!token.check(value) || !value.listPk.startsWith(`${kind}#`))
    throw new InvalidInputError('NEXT_TOKEN_INVALID', 'nextToken is not one this list issued');
  return value;
}

interface Filters {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

function filterOf(query: ListingQuery, nowSeconds: number): Filters {
  // Expired items wait for TTL to remove them (up to days): never show them.
  const parts = ['#expiresAt > :now'];
  const names: Record<string, string> = { '#expiresAt': 'expiresAt' };
  const values: Record<string, unknown> = { ':now': nowSeconds };
  const equal = (attribute: string, value: string | undefined) => {
    if (value === undefined) return;
    parts.push(`#${attribute} = :${attribute}`);
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
  };
  equal('status', query.status);
  equal('provisioningTemplateId', query.templateId);
  equal('source', query.source);
  return { expression: parts.join(' AND '), names, values };
}

function keyCondition(listPk: string, query: ListingQuery, filters: Filters) {
  const values: Record<string, unknown> = { ...filters.values, ':pk': listPk };
  let range = '';
  // A sort key is `<time>#<id>`; '~' sorts after every character of an id.
  if (query.since !== undefined && query.until !== undefined) {
    range = ' AND listSk BETWEEN :since AND :until';
    values[':since'] = query.since;
    values[':until'] = `${query.until}#~`;
  } else if (query.since !== undefined) {
    range = ' AND listSk >= :since';
    values[':since'] = query.since;
  } else if (query.until !== undefined) {
    range = ' AND listSk <= :until';
    values[':until'] = `${query.until}#~`;
  }
  return {
    KeyConditionExpression: `listPk = :pk${range}`,
    FilterExpression: filters.expression,
    ExpressionAttributeNames: filters.names,
    ExpressionAttributeValues: values,
  };
}

/** `yyyy-mm` months from `from`'s month down to `floor`'s, newest first. */
export function monthsDown(from: string, floor: string): string[] {
  const months: string[] = [];
  let [year, month] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  const last = floor.slice(0, 7);
  for (;;) {
    const current = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
    if (current < last) break;
    months.push(current);
    month -= 1;
    if (month === 0) [year, month] = [year - 1, 12];
  }
  return months;
}

function maxIso(a: string | undefined, b: string): string {
  return a !== undefined && a > b ? a : b;
}
