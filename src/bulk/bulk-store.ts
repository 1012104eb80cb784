import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { setTimeout as delay } from 'node:timers/promises';
import { backoffMs, type RetryPolicy } from '../aws/backoff.js';
import { InvalidInputError, TransientError } from '../errors.js';
import type { Task } from '../tasks/model.js';
import { bulkPartition, withoutKey } from '../tasks/task-key.js';
import type { BulkStatus, BulkTask, Chunk } from './model.js';

/**
 * Bulk tasks in the service's table: the task item (`BULK#id` / `META`), its chunk items
 * (`CHUNK#n`), and one ordinary provisioning task per device (`LINE#n`, see task-key.ts).
 *
 * Counting is exact without transactions: a device is added to its chunk's tally by one
 * conditional write (a set of line numbers, so a redelivery cannot add it twice), and a complete
 * chunk's tally is added to the task's counters by one conditional write that also records the
 * chunk as done. One write per chunk, not per device, also keeps the task item from becoming a
 * hot key when thousands of devices finish a second.
 */
const META = 'META';
const chunkKey = (index: number) => `CHUNK#${String(index).padStart(7, '0')}`;
const now = () => new Date().toISOString();
/** DynamoDB's advice for unprocessed batch items: retry with exponential backoff, not at once. */
const UNPROCESSED_RETRY: RetryPolicy = { attempts: 8, firstDelayMs: 50, maxDelayMs: 2000 };
/** Devices of a chunk added to its task's counters, by outcome. */
export interface Tally {
  succeeded: number;
  failed: number;
}
const tallyOf = (chunk: Chunk | undefined): Tally => ({
  succeeded: chunk?.succeeded?.size ?? 0,
  failed: chunk?.failed?.size ?? 0,
});
type ConditionalUpdate = Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'ReturnValues'>;

export class BulkStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sleep: (ms: number) => Promise<unknown> = delay,
  ) {}

  async create(task: BulkTask): Promise<void> {
    await this.dynamo.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: bulkPartition(task.taskId), sk: META, ...task },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(taskId: string): Promise<BulkTask | undefined> {
    return (await this.read(taskId, META)) as BulkTask | undefined;
  }

  async putChunks(taskId: string, chunks: Chunk[]): Promise<void> {
    for (let i = 0; i < chunks.length; i += 25) {
      let requests = chunks.slice(i, i + 25).map((chunk) => ({
        PutRequest: { Item: { pk: bulkPartition(taskId), sk: chunkKey(chunk.index), ...chunk } },
      }));
      // BatchWrite may leave some items unprocessed under load: write those again, backing off.
      for (let attempt = 1; requests.length > 0; attempt++) {
        if (attempt > 1) {
          if (attempt > UNPROCESSED_RETRY.attempts) {
            throw new TransientError(
              'BULK_CHUNKS_UNPROCESSED',
              `DynamoDB left ${requests.length} chunk record(s) of bulk task ${taskId} unprocessed ` +
                `after ${UNPROCESSED_RETRY.attempts} attempts; the plan will be retried`,
            );
          }
          await this.sleep(backoffMs(UNPROCESSED_RETRY, attempt - 1));
        }
        const out = await this.dynamo.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    }
  }

  async getChunk(taskId: string, index: number): Promise<Chunk | undefined> {
    return (await this.read(taskId, chunkKey(index))) as Chunk | undefined;
  }

  /** Recorded after the successor message is sent, so redeliveries of this chunk do not resend it. */
  async markSuccessorSent(taskId: string, index: number): Promise<void> {
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: bulkPartition(taskId), sk: chunkKey(index) },
        UpdateExpression: 'SET successorSent = :yes',
        ExpressionAttributeValues: { ':yes': true },
      }),
    );
  }

  /**
   * Pending → InProgress once the input is planned; an empty input ends the task `Completed` at
   * once, its completion event then due (`eventPublished` false).
   */
  async planned(taskId: string, totalCount: number, chunkCount: number): Promise<boolean> {
    const empty = totalCount === 0;
    return this.conditional({
      Key: { pk: bulkPartition(taskId), sk: META },
      UpdateExpression: `SET #status = :next, totalCount = :total, chunkCount = :chunks, lastModifiedDate = :now${
        empty ? ', eventPublished = :no' : ''
      }`,
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':next': empty ? 'Completed' : 'InProgress',
        ':pending': 'Pending',
        ':total': totalCount,
        ':chunks': chunkCount,
        ':now': now(),
        ...(empty ? { ':no': false } : {}),
      },
    });
  }

  /**
   * Marks a chunk as being worked on, so progress reads include its partial tally. False when the
   * chunk's tally has already been added to the task (its work is done), or when the task is no
   * longer InProgress: after a cancel no chunk starts, so the chunks active then are the last.
   */
  async startChunk(taskId: string, index: number): Promise<boolean> {
    return this.conditional({
      Key: { pk: bulkPartition(taskId), sk: META },
      UpdateExpression: 'ADD activeChunks :index',
      ConditionExpression: '#status = :inProgress AND NOT contains(doneChunks, :i)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':index': new Set([index]), ':i': index, ':inProgress': 'InProgress' },
    });
  }

  /** Adds a finished device to its chunk's tally; false if it had been counted already. */
  async countLine(
    taskId: string,
    index: number,
    line: number,
    status: 'SUCCEEDED' | 'FAILED',
  ): Promise<boolean> {
    return this.conditional({
      Key: { pk: bulkPartition(taskId), sk: chunkKey(index) },
      UpdateExpression: `ADD ${status === 'SUCCEEDED' ? 'succeeded' : 'failed'} :line`,
      ConditionExpression:
        'attribute_exists(pk) AND NOT contains(succeeded, :l) AND NOT contains(failed, :l)',
      ExpressionAttributeValues: { ':line': new Set([line]), ':l': line },
    });
  }

  /**
   * Adds a complete chunk's tally to the task's counters, once: the chunk moves from
   * `activeChunks` to `doneChunks` in the same conditional write. The tally it added, or undefined
   * if the chunk is not complete yet (or was added already).
   */
  async finishChunk(taskId: string, index: number): Promise<Tally | undefined> {
    const chunk = await this.getChunk(taskId, index);
    const tally = tallyOf(chunk);
    if (chunk === undefined || tally.succeeded + tally.failed < chunk.lineCount) return undefined;
    const added = await this.foldChunk(taskId, index, tally, 'NOT contains(doneChunks, :i)');
    return added === undefined ? undefined : tally;
  }

  /**
   * Adds the partial tally of an active chunk that stopped early (its task was cancelled or
   * failed) to the task's counters, once, and returns the task as that write left it; undefined
   * when the chunk was not active. A task that stopped ends when its last active chunk stops.
   */
  async stopChunk(taskId: string, index: number): Promise<(Tally & { task: BulkTask }) | undefined> {
    const chunk = await this.getChunk(taskId, index);
    if (chunk === undefined) return undefined;
    const tally = tallyOf(chunk);
    const condition = 'contains(activeChunks, :i) AND NOT contains(doneChunks, :i)';
    const task = await this.foldChunk(taskId, index, tally, condition);
    return task === undefined ? undefined : { ...tally, task };
  }

  /** Moves a chunk from `activeChunks` to `doneChunks`, adding its tally, in one conditional write. */
  private async foldChunk(
    taskId: string,
    index: number,
    tally: Tally,
    condition: string,
  ): Promise<BulkTask | undefined> {
    return this.conditionalItem({
      Key: { pk: bulkPartition(taskId), sk: META },
      UpdateExpression:
        'ADD successCount :s, failureCount :f, doneChunks :index DELETE activeChunks :index SET lastModifiedDate = :now',
      ConditionExpression: condition,
      ExpressionAttributeValues: {
        ':s': tally.succeeded,
        ':f': tally.failed,
        ':index': new Set([index]),
        ':i': index,
        ':now': now(),
      },
    });
  }

  /**
   * The task with live counters: the tallies of finished chunks (on the task) plus those of the
   * chunks being worked on (a few, by design), each read in one round trip.
   */
  async progress(taskId: string): Promise<BulkTask | undefined> {
    const item = (await this.read(taskId, META)) as
      (BulkTask & { activeChunks?: Set<number>; doneChunks?: Set<number> }) | undefined;
    if (item === undefined) return undefined;
    const { activeChunks, doneChunks: _done, ...task } = item;
    const active = [...(activeChunks ?? [])];
    if (active.length === 0) return task;
    const chunks = await Promise.all(active.map((index) => this.getChunk(taskId, index)));
    for (const chunk of chunks) {
      task.successCount += chunk?.succeeded?.size ?? 0;
      task.failureCount += chunk?.failed?.size ?? 0;
    }
    return task;
  }

  /** Moves an InProgress task whose every chunk is added up to its final status, once. */
  async completeIfDone(taskId: string): Promise<BulkTask | undefined> {
    const task = await this.get(taskId);
    if (task?.status !== 'InProgress' || task.totalCount === undefined) return undefined;
    if (task.successCount + task.failureCount < task.totalCount) return undefined;
    const status: BulkStatus = task.failureCount === 0 ? 'Completed' : 'CompletedWithFailures';
    return this.setStatus(taskId, status, ['InProgress']);
  }

  /** The task as cancelled, or undefined if it had already ended. */
  async cancel(taskId: string): Promise<BulkTask | undefined> {
    return this.setStatus(taskId, 'Cancelled', ['Pending', 'InProgress']);
  }

  async fail(taskId: string, error: { code: string; message: string }): Promise<BulkTask | undefined> {
    return this.setStatus(taskId, 'Failed', ['Pending', 'InProgress'], error);
  }

  /** Recorded after the task's completion event went out, so nobody publishes it again. */
  async markEventPublished(taskId: string): Promise<void> {
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: bulkPartition(taskId), sk: META },
        UpdateExpression: 'SET eventPublished = :yes',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':yes': true },
      }),
    );
  }

  /** Device results in line order, a page at a time. */
  async results(
    taskId: string,
    page: { limit: number; nextToken?: string },
  ): Promise<{ devices: Task[]; nextToken?: string }> {
    const out = await this.dynamo.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :line)',
        ExpressionAttributeValues: { ':pk': bulkPartition(taskId), ':line': 'LINE#' },
        Limit: page.limit,
        ExclusiveStartKey: page.nextToken === undefined ? undefined : decodeToken(page.nextToken, taskId),
      }),
    );
    const last = out.LastEvaluatedKey as { sk?: string } | undefined;
    return {
      devices: (out.Items ?? []).map((item) => withoutKey(item) as Task),
      ...(last?.sk !== undefined ? { nextToken: Buffer.from(last.sk).toString('base64url') } : {}),
    };
  }

  /** One item of the task's partition, read consistently, without its key attributes. */
  private async read(taskId: string, sk: string): Promise<unknown> {
    const out = await this.dynamo.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: bulkPartition(taskId), sk },
        ConsistentRead: true,
      }),
    );
    return out.Item === undefined ? undefined : withoutKey(out.Item);
  }

  /** Every status set here is final: the same write makes the task's completion event due. */
  private async setStatus(
    taskId: string,
    status: BulkStatus,
    from: BulkStatus[],
    error?: { code: string; message: string },
  ): Promise<BulkTask | undefined> {
    const values: Record<string, unknown> = { ':status': status, ':now': now(), ':no': false };
    from.forEach((s, i) => (values[`:from${i}`] = s));
    if (error) values[':error'] = error;
    return this.conditionalItem({
      Key: { pk: bulkPartition(taskId), sk: META },
      UpdateExpression: `SET #status = :status, lastModifiedDate = :now, eventPublished = :no${
        error ? ', #error = :error' : ''
      }`,
      ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status', ...(error ? { '#error': 'error' } : {}) },
      ExpressionAttributeValues: values,
    });
  }

  /** False when the update's condition did not hold. */
  private async conditional(update: ConditionalUpdate): Promise<boolean> {
    return (await this.tryUpdate(update, 'NONE')) !== undefined;
  }

  /** The task item as the update left it, or undefined when its condition did not hold. */
  private async conditionalItem(update: ConditionalUpdate): Promise<BulkTask | undefined> {
    const item = await this.tryUpdate(update, 'ALL_NEW');
    return item === undefined ? undefined : (withoutKey(item) as BulkTask);
  }

  private async tryUpdate(
    update: ConditionalUpdate,
    ReturnValues: 'NONE' | 'ALL_NEW',
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await this.dynamo.send(
        new UpdateCommand({ TableName: this.tableName, ...update, ReturnValues }),
      );
      return out.Attributes ?? {};
    } catch (e: unknown) {
      if (e instanceof ConditionalCheckFailedException) return undefined;
      throw e;
    }
  }
}

/** The page token is the last line's sort key; anything else is the caller's mistake. */
function decodeToken(token: string, taskId: string): Record<string, string> {
  const sk = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^LINE#\d{9}$/.test(sk))
    throw new InvalidInputError('NEXT_TOKEN_INVALID', 'nextToken is not one this API issued');
  return { pk: bulkPartition(taskId), sk };
}
