import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { InvalidInputError } from '../errors.js';
import type { Task } from '../tasks/model.js';
import { bulkPartition, taskKey } from '../tasks/task-key.js';
import type { BulkStatus, BulkTask, Chunk } from './model.js';

/**
 * Bulk tasks in the service's table: the task item (`BULK#id` / `META`) with exact counters, its
 * chunk items (`CHUNK#n`), and one ordinary provisioning task per device (`LINE#n`, see
 * task-key.ts). Counters move only in a transaction with the device's own `counted` flag, so
 * no redelivery, crash or race can count a device twice or not at all.
 */
const META = 'META';
const chunkKey = (index: number) => `CHUNK#${String(index).padStart(7, '0')}`;
const now = () => new Date().toISOString();

export class BulkStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
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
    const out = await this.dynamo.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: bulkPartition(taskId), sk: META },
        ConsistentRead: true,
      }),
    );
    return out.Item === undefined ? undefined : (strip(out.Item) as BulkTask);
  }

  async putChunks(taskId: string, chunks: Chunk[]): Promise<void> {
    for (let i = 0; i < chunks.length; i += 25) {
      let requests = chunks.slice(i, i + 25).map((chunk) => ({
        PutRequest: { Item: { pk: bulkPartition(taskId), sk: chunkKey(chunk.index), ...chunk } },
      }));
      // BatchWrite may leave some items unprocessed under load: write those again.
      while (requests.length > 0) {
        const out = await this.dynamo.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    }
  }

  async getChunk(taskId: string, index: number): Promise<Chunk | undefined> {
    const out = await this.dynamo.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: bulkPartition(taskId), sk: chunkKey(index) },
        ConsistentRead: true,
      }),
    );
    return out.Item === undefined ? undefined : (strip(out.Item) as Chunk);
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

  /** Pending → InProgress once the input is planned (Completed at once for an empty input). */
  async planned(taskId: string, totalCount: number, chunkCount: number): Promise<boolean> {
    return this.conditional({
      Key: { pk: bulkPartition(taskId), sk: META },
      UpdateExpression:
        'SET #status = :next, totalCount = :total, chunkCount = :chunks, lastModifiedDate = :now',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':next': totalCount === 0 ? 'Completed' : 'InProgress',
        ':pending': 'Pending',
        ':total': totalCount,
        ':chunks': chunkCount,
        ':now': now(),
      },
    });
  }

  /** Adds a finished device to the counters; false if it had been counted already. */
  async countLine(bulkTaskId: string, device: Task): Promise<boolean> {
    const counter = device.status === 'SUCCEEDED' ? 'successCount' : 'failureCount';
    try {
      await this.dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: taskKey(device.taskId),
                UpdateExpression: 'SET counted = :yes',
                ConditionExpression: 'attribute_not_exists(counted) AND #status = :status',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':yes': true, ':status': device.status },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: { pk: bulkPartition(bulkTaskId), sk: META },
                UpdateExpression: `ADD ${counter} :one SET lastModifiedDate = :now`,
                ExpressionAttributeValues: { ':one': 1, ':now': now() },
              },
            },
          ],
        }),
      );
      return true;
    } catch (e: unknown) {
      if (
        e instanceof TransactionCanceledException &&
        e.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        return false;
      }
      throw e;
    }
  }

  /** Moves an InProgress task whose every device is counted to its final status, once. */
  async completeIfDone(taskId: string): Promise<BulkTask | undefined> {
    const task = await this.get(taskId);
    if (task?.status !== 'InProgress' || task.totalCount === undefined) return undefined;
    if (task.successCount + task.failureCount < task.totalCount) return undefined;
    const status: BulkStatus = task.failureCount === 0 ? 'Completed' : 'CompletedWithFailures';
    return (await this.setStatus(taskId, status, ['InProgress'])) ? { ...task, status } : undefined;
  }

  async cancel(taskId: string): Promise<boolean> {
    return this.setStatus(taskId, 'Cancelled', ['Pending', 'InProgress']);
  }

  async fail(taskId: string, error: { code: string; message: string }): Promise<boolean> {
    return this.setStatus(taskId, 'Failed', ['Pending', 'InProgress'], error);
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
      devices: (out.Items ?? []).map((item) => strip(item) as Task),
      ...(last?.sk !== undefined ? { nextToken: Buffer.from(last.sk).toString('base64url') } : {}),
    };
  }

  private async setStatus(
    taskId: string,
    status: BulkStatus,
    from: BulkStatus[],
    error?: { code: string; message: string },
  ): Promise<boolean> {
    const values: Record<string, unknown> = { ':status': status, ':now': now() };
    from.forEach((s, i) => (values[`:from${i}`] = s));
    if (error) values[':error'] = error;
    return this.conditional({
      Key: { pk: bulkPartition(taskId), sk: META },
      UpdateExpression: `SET #status = :status, lastModifiedDate = :now${error ? ', #error = :error' : ''}`,
      ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status', ...(error ? { '#error': 'error' } : {}) },
      ExpressionAttributeValues: values,
    });
  }

  private async conditional(
    update: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>,
  ): Promise<boolean> {
    try {
      await this.dynamo.send(new UpdateCommand({ TableName: this.tableName, ...update }));
      return true;
    } catch (e: unknown) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }
}

/** An item without its key attributes: the stored object as the code wrote it. */
function strip(item: Record<string, unknown>): unknown {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest;
}

/** The page token is the last line's sort key; anything else is the caller's mistake. */
function decodeToken(token: string, taskId: string): Record<string, string> {
  const sk = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^LINE#\d{9}$/.test(sk))
    throw new InvalidInputError('NEXT_TOKEN_INVALID', 'nextToken is not one this API issued');
  return { pk: bulkPartition(taskId), sk };
}
