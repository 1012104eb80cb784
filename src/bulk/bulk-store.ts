import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
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
import { listingKeys } from '../tasks/listing-index.js';
import type { Task } from '../tasks/model.js';
import { bulkPartition, lineSortKey, withoutKey } from '../tasks/task-key.js';
import type { CsvColumns } from './csv-reader.js';
import type { BulkStatus, BulkTask, Chunk, LineOutcome, LineStatus } from './model.js';

/**
 * Bulk tasks in the service's table, all under the task's partition `BULK#id`: the task item
 * (`META`), its chunk items (`CHUNK#n`), one item per line (`LINE#n`: the device's ordinary
 * provisioning task, see task-key.ts, or a `LineOutcome` for a line that never became a device),
 * and one item per thing name claimed by a line (`NAME#<thing name>`), so two lines of one input
 * can never provision the same thing.
 *
 * Counting is exact without transactions: a line is added to its chunk's tally by one conditional
 * write (a set of line numbers, so a redelivery cannot add it twice), and a complete chunk's tally
 * is added to the task's counters by one conditional write that also records the chunk as done.
 * One write per chunk, not per device, also keeps the task item from becoming a hot key when
 * thousands of devices finish a second.
 */
const META = 'META';
const chunkKey = (index: number) => `CHUNK#${String(index).padStart(7, '0')}`;
const nameKey = (thingName: string) => `NAME#${thingName}`;
const now = () => new Date().toISOString();
/** DynamoDB's advice for unprocessed batch items: retry with exponential backoff, not at once. */
const UNPROCESSED_RETRY: RetryPolicy = { attempts: 8, firstDelayMs: 50, maxDelayMs: 2000 };
const TALLY_SETS = { SUCCEEDED: 'succeeded', FAILED: 'failed', SKIPPED: 'skipped' } as const;

export type ResultFilter = 'SUCCEEDED' | 'FAILED' | 'SKIPPED';
/** A `LINE#` item: a device's provisioning task, or the outcome of a line that is not one. */
export type LineItem = Task | LineOutcome;

/** What a thing-name claim found: this line holds the name (now or from before), or another does. */
export type NameClaim = { owner: 'this'; before: boolean } | { owner: number };

/** A dry-run chunk's whole tally, written once. */
export interface ChunkTally {
  succeeded: number[];
  failed: number[];
  skipped: number[];
  problemCounts: Record<string, number>;
}

/** A chunk's lines by outcome: what it added to its task's counters. */
export interface Tally {
  succeeded: number;
  failed: number;
  skipped: number;
}
type ConditionalUpdate = Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'ReturnValues'>;

export class BulkStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sleep: (ms: number) => Promise<unknown> = delay,
  ) {}

  /** Records a new task; false if one with its id exists (an Idempotency-Key's task). */
  async create(task: BulkTask): Promise<boolean> {
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: bulkPartition(task.taskId),
            sk: META,
            ...listingKeys('bulk', task.creationDate, task.taskId),
            ...task,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (e: unknown) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  async get(taskId: string): Promise<BulkTask | undefined> {
    return (await this.read(taskId, META)) as BulkTask | undefined;
  }

  /** The task's status alone, read consistently (a cancel is seen at once). */
  async status(taskId: string): Promise<BulkStatus | undefined> {
    const out = await this.dynamo.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: bulkPartition(taskId), sk: META },
        ProjectionExpression: '#status',
        ExpressionAttributeNames: { '#status': 'status' },
        ConsistentRead: true,
      }),
    );
    return out.Item?.status as BulkStatus | undefined;
  }

  async putChunks(taskId: string, chunks: Chunk[]): Promise<void> {
    await this.batchPut(
      chunks.map((chunk) => ({ pk: bulkPartition(taskId), sk: chunkKey(chunk.index), ...chunk })),
      `chunk record(s) of bulk task ${taskId}`,
    );
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
  async planned(
    taskId: string,
    plan: { totalCount: number; chunkCount: number; csv?: CsvColumns },
  ): Promise<boolean> {
    const empty = plan.totalCount === 0;
    return this.conditional({
      Key: { pk: bulkPartition(taskId), sk: META },
      UpdateExpression: `SET #status = :next, totalCount = :total, chunkCount = :chunks, lastModifiedDate = :now${plan.csv ? ', csv = :csv' : ''}${
        empty ? ', eventPublished = :no' : ''
      }`,
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':next': empty ? 'Completed' : 'InProgress',
        ':pending': 'Pending',
        ':total': plan.totalCount,
        ':chunks': plan.chunkCount,
        ':now': now(),
        ...(plan.csv ? { ':csv': plan.csv } : {}),
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

  /** Adds a finished line to its chunk's tally; false if it had been counted already. */
  async countLine(taskId: string, index: number, line: number, status: LineStatus): Promise<boolean> {
    return this.conditional({
      Key: { pk: bulkPartition(taskId), sk: chunkKey(index) },
      UpdateExpression: `ADD ${TALLY_SETS[status]} :line`,
      ConditionExpression:
        'attribute_exists(pk) AND NOT contains(succeeded, :l) AND NOT contains(failed, :l) AND NOT contains(skipped, :l)',
      ExpressionAttributeValues: { ':line': new Set([line]), ':l': line },
    });
  }

  /** A dry-run chunk's tally, whole, once; false if the chunk was tallied already. */
  async tallyChunk(taskId: string, index: number, tally: ChunkTally): Promise<boolean> {
    const values: Record<string, unknown> = { ':yes': true, ':problems': tally.problemCounts };
    const set = ['tallied = :yes', 'problemCounts = :problems'];
    // DynamoDB has no empty sets: an empty outcome is an absent attribute.
    for (const name of ['succeeded', 'failed', 'skipped'] as const) {
      if (tally[name].length === 0) continue;
      set.push(`${name} = :${name}`);
      values[`:${name}`] = new Set(tally[name]);
    }
    return this.conditional({
      Key: { pk: bulkPartition(taskId), sk: chunkKey(index) },
      UpdateExpression: `SET ${set.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(tallied)',
      ExpressionAttributeValues: values,
    });
  }

  /**
   * Adds a complete chunk's tally to the task's counters, once: the chunk moves from
   * `activeChunks` to `doneChunks` in the same conditional write. The tally it added, or undefined
   * if the chunk is not complete yet (or was added already).
   */
  async finishChunk(taskId: string, index: number): Promise<Tally | undefined> {
    const chunk = await this.getChunk(taskId, index);
    if (chunk === undefined) return undefined;
    const tally = tallyOf(chunk);
    if (tally.succeeded + tally.failed + tally.skipped < chunk.lineCount) return undefined;
    const added = await this.foldChunk(taskId, chunk, tally, 'NOT contains(doneChunks, :i)');
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
    const task = await this.foldChunk(taskId, chunk, tally, condition);
    return task === undefined ? undefined : { ...tally, task };
  }

  /**
   * Moves a chunk from `activeChunks` to `doneChunks`, adding its tally, in one conditional write;
   * never once the task has completed.
   */
  private async foldChunk(
    taskId: string,
    chunk: Chunk,
    tally: Tally,
    condition: string,
  ): Promise<BulkTask | undefined> {
    const problems = Object.entries(chunk.problemCounts ?? {});
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':s': tally.succeeded,
      ':f': tally.failed,
      ':k': tally.skipped,
      ':index': new Set([chunk.index]),
      ':i': chunk.index,
      ':now': now(),
      ':completed': 'Completed',
      ':withFailures': 'CompletedWithFailures',
    };
    // Codes are UPPER_SNAKE_CASE, but placeholders keep any name safe.
    const addProblems = problems.map(([code, n], i) => {
      names[`#p${i}`] = code;
      values[`:p${i}`] = n;
      return `, problemCounts.#p${i} :p${i}`;
    });
    return this.conditionalItem({
      Key: { pk: bulkPartition(taskId), sk: META },
      UpdateExpression: `ADD successCount :s, failureCount :f, skippedCount :k, doneChunks :index${addProblems.join('')} DELETE activeChunks :index SET lastModifiedDate = :now`,
      // A completed task's counts are final, the sum of every chunk's tally (completeIfDone): a
      // chunk folded after that adds nothing.
      ConditionExpression: `${condition} AND NOT #status IN (:completed, :withFailures)`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
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
    // A completed task's counts are the sum of every chunk's tally already (completeIfDone), even
    // of a chunk whose fold out of activeChunks had not been written yet.
    if (active.length === 0 || task.status === 'Completed' || task.status === 'CompletedWithFailures')
      return task;
    const chunks = await Promise.all(active.map((index) => this.getChunk(taskId, index)));
    const problemCounts = { ...task.problemCounts };
    let skippedCount = task.skippedCount ?? 0;
    for (const chunk of chunks) {
      if (chunk === undefined) continue;
      const tally = tallyOf(chunk);
      task.successCount += tally.succeeded;
      task.failureCount += tally.failed;
      skippedCount += tally.skipped;
      for (const [code, n] of Object.entries(chunk.problemCounts ?? {}))
        problemCounts[code] = (problemCounts[code] ?? 0) + n;
    }
    return {
      ...task,
      skippedCount,
      ...(task.problemCounts !== undefined ? { problemCounts } : {}),
    };
  }

  /**
   * Moves an InProgress task whose every chunk is complete to its final status, once, with the
   * counts summed from the chunks' own tallies (sets of line numbers: exact however often a line
   * was counted). The running counters on the task are only read to tell cheaply that the end may
   * have come; `exact` (the last chunks of the chain, which usually finish last) checks the chunks
   * whatever the counters say, so counters that fell behind can never leave a task InProgress.
   */
  async completeIfDone(taskId: string, options: { exact: boolean }): Promise<BulkTask | undefined> {
    const item = (await this.read(taskId, META)) as
      (BulkTask & { doneChunks?: Set<number>; activeChunks?: Set<number> }) | undefined;
    if (item === undefined) return undefined;
    const { doneChunks, activeChunks: _active, ...task } = item;
    const { totalCount, chunkCount } = task;
    if (task.status !== 'InProgress' || totalCount === undefined || chunkCount === undefined)
      return undefined;
    const counted = task.successCount + task.failureCount + (task.skippedCount ?? 0);
    const mayBeDone = (doneChunks?.size ?? 0) >= chunkCount || counted >= totalCount;
    if (!mayBeDone && !options.exact) return undefined;
    const tally = await this.chunkTallies(taskId);
    if (tally.complete < chunkCount) return undefined;
    const status: BulkStatus = tally.failed === 0 ? 'Completed' : 'CompletedWithFailures';
    // The same write makes the task's completion event due (`eventPublished` false).
    return this.conditionalItem({
      Key: { pk: bulkPartition(taskId), sk: META },
      UpdateExpression: `SET #status = :status, successCount = :s, failureCount = :f, skippedCount = :k, lastModifiedDate = :now, eventPublished = :no${task.problemCounts !== undefined ? ', problemCounts = :p' : ''}`,
      ConditionExpression: '#status = :running',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': status,
        ':running': 'InProgress',
        ':s': tally.succeeded,
        ':f': tally.failed,
        ':k': tally.skipped,
        ':now': now(),
        ':no': false,
        ...(task.problemCounts !== undefined ? { ':p': tally.problemCounts } : {}),
      },
    });
  }

  /** Every chunk's tally, summed, and how many chunks are complete: one read of the chunk items. */
  private async chunkTallies(taskId: string): Promise<{
    complete: number;
    succeeded: number;
    failed: number;
    skipped: number;
    problemCounts: Record<string, number>;
  }> {
    const sum = {
      complete: 0,
      succeeded: 0,
      failed: 0,
      skipped: 0,
      problemCounts: {} as Record<string, number>,
    };
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.dynamo.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :chunk)',
          ProjectionExpression: 'lineCount, succeeded, failed, skipped, problemCounts',
          ExpressionAttributeValues: { ':pk': bulkPartition(taskId), ':chunk': 'CHUNK#' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        const chunk = item as Chunk;
        const tally = tallyOf(chunk);
        sum.succeeded += tally.succeeded;
        sum.failed += tally.failed;
        sum.skipped += tally.skipped;
        if (tally.succeeded + tally.failed + tally.skipped >= chunk.lineCount) sum.complete += 1;
        for (const [code, n] of Object.entries(chunk.problemCounts ?? {}))
          sum.problemCounts[code] = (sum.problemCounts[code] ?? 0) + n;
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return sum;
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

  /**
   * Claims `thingName` for `line` of the task: the first line to claim a name holds it for good,
   * and a line claiming it again (a redelivery) finds it its own.
   */
  async claimName(taskId: string, thingName: string, line: number, expiresAt: number): Promise<NameClaim> {
    const key = { pk: bulkPartition(taskId), sk: nameKey(thingName) };
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, line, expiresAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { owner: 'this', before: false };
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
    const out = await this.dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    const owner = Number(out.Item?.line);
    return owner === line ? { owner: 'this', before: true } : { owner };
  }

  /**
   * Claims each name (`claims`: name → line) as `claimName` would, in batched calls instead of a
   * conditional write per name: one consistent read of the names (100 a call), then one write of
   * those nobody holds (25 a call). Answers each name's owner, the line that holds it.
   *
   * Only for a caller that is alone in claiming the task's names while it runs, as a dry run's
   * chunks are: they run one after another (plan.ts, `chunksInFlightOf`), so no other line can
   * claim a name between the read and the write, and a redelivered chunk writes the same lines
   * under the same names again. DynamoDB's TransactWriteItems would keep the check and the write
   * atomic without that, but the emulator copies the whole table for every transaction (8 s a
   * transaction with 5,000 items in it), which no dry run of any size survives.
   */
  async claimNamesInTurn(
    taskId: string,
    claims: ReadonlyMap<string, number>,
    expiresAt: number,
  ): Promise<Map<string, number>> {
    const owners = new Map<string, number>();
    const held = await this.batchGet(
      [...claims.keys()].map((name) => ({ pk: bulkPartition(taskId), sk: nameKey(name) })),
      `thing-name claim(s) of bulk task ${taskId}`,
    );
    for (const item of held) owners.set(String(item.sk).slice(nameKey('').length), Number(item.line));
    const unclaimed = [...claims].filter(([name]) => !owners.has(name));
    await this.batchPut(
      unclaimed.map(([name, line]) => ({ pk: bulkPartition(taskId), sk: nameKey(name), line, expiresAt })),
      `thing-name claim(s) of bulk task ${taskId}`,
    );
    for (const [name, line] of unclaimed) owners.set(name, line);
    return owners;
  }

  /** A line's item: its device task, its outcome, or undefined when nothing is recorded yet. */
  async lineItem(taskId: string, line: number): Promise<LineItem | undefined> {
    return (await this.read(taskId, lineSortKey(line))) as LineItem | undefined;
  }

  /** Records a line's outcome unless the line has an item already; answers what the line holds. */
  async recordOutcome(taskId: string, outcome: LineOutcome): Promise<LineItem> {
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: bulkPartition(taskId), sk: lineSortKey(outcome.line), ...outcome },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return outcome;
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
    const existing = await this.lineItem(taskId, outcome.line);
    // Expired by TTL between the two calls: vanishingly rare, and a retry resolves it.
    if (existing === undefined) throw new TransientError('BULK_LINE_VANISHED', 'Retry the chunk');
    return existing;
  }

  /** A dry run's findings, written as they are (a redelivery writes the same again). */
  async putOutcomes(taskId: string, outcomes: LineOutcome[]): Promise<void> {
    await this.batchPut(
      outcomes.map((o) => ({ pk: bulkPartition(taskId), sk: lineSortKey(o.line), ...o })),
      `line outcome(s) of bulk task ${taskId}`,
    );
  }

  /**
   * Line results in line order, a page at a time, optionally only those with one status. With a
   * status the page is filled from as many reads as it takes (a filter reads past what it drops).
   */
  async results(
    taskId: string,
    page: { limit: number; nextToken?: string; status?: ResultFilter },
  ): Promise<{ lines: LineItem[]; nextToken?: string }> {
    const lines: LineItem[] = [];
    let start: Record<string, string> | undefined =
      page.nextToken === undefined ? undefined : decodeToken(page.nextToken, taskId);
    do {
      const out = await this.dynamo.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :line)',
          ExpressionAttributeValues: {
            ':pk': bulkPartition(taskId),
            ':line': 'LINE#',
            ...(page.status !== undefined ? { ':status': page.status } : {}),
          },
          ...(page.status !== undefined
            ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }
            : {}),
          Limit: page.limit - lines.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) lines.push(withoutKey(item) as LineItem);
      start = out.LastEvaluatedKey as Record<string, string> | undefined;
      if (lines.length >= page.limit && start !== undefined) {
        // The page ends at its last line, wherever the read stopped.
        const last = lines[lines.length - 1];
        start = last === undefined ? start : { pk: bulkPartition(taskId), sk: lineSortKey(lineOf(last)) };
        break;
      }
    } while (start !== undefined);
    return {
      lines,
      ...(start?.sk !== undefined ? { nextToken: Buffer.from(start.sk).toString('base64url') } : {}),
    };
  }

  /** The numbers of a task's FAILED lines, in order, read a page at a time (a retry's plan). */
  async *failedLines(taskId: string): AsyncGenerator<number> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.dynamo.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :line)',
          FilterExpression: '#status = :failed',
          ProjectionExpression: 'sk',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': bulkPartition(taskId), ':line': 'LINE#', ':failed': 'FAILED' },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) yield Number(String(item.sk).slice('LINE#'.length));
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
  }

  /**
   * Removes the stored private keys of a task's devices, `concurrency` at a time, until done or
   * `deadline` (ms since the epoch) passes; the count removed, and whether any may be left.
   */
  async purgeKeys(
    taskId: string,
    options: { deadline: number; concurrency: number },
  ): Promise<{ purged: number; complete: boolean }> {
    let purged = 0;
    let start: Record<string, unknown> | undefined;
    do {
      if (Date.now() > options.deadline) return { purged, complete: false };
      const out = await this.dynamo.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :line)',
          FilterExpression: 'attribute_exists(privateKey)',
          ProjectionExpression: 'pk, sk',
          ExpressionAttributeValues: { ':pk': bulkPartition(taskId), ':line': 'LINE#' },
          ExclusiveStartKey: start,
        }),
      );
      const keys = (out.Items ?? []) as { pk: string; sk: string }[];
      for (let i = 0; i < keys.length; i += options.concurrency) {
        const removed = await Promise.all(
          keys.slice(i, i + options.concurrency).map((Key) =>
            this.conditional({
              Key,
              UpdateExpression: 'REMOVE privateKey',
              ConditionExpression: 'attribute_exists(privateKey)',
            }),
          ),
        );
        purged += removed.filter(Boolean).length;
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return { purged, complete: true };
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

  /** Consistent reads, 100 keys a call; keys DynamoDB leaves unprocessed are read again, backing off. */
  private async batchGet(keys: Record<string, string>[], what: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      await this.untilProcessed(
        keys.slice(i, i + 100),
        async (pending) => {
          const out = await this.dynamo.send(
            new BatchGetCommand({
              RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
            }),
          );
          items.push(...(out.Responses?.[this.tableName] ?? []));
          return out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
        },
        (left) =>
          new TransientError(
            'BULK_READ_UNPROCESSED',
            `DynamoDB left ${left} ${what} unread after ${UNPROCESSED_RETRY.attempts} attempts; the message will be retried`,
          ),
      );
    }
    return items;
  }

  /** Unconditional puts, 25 a call; items DynamoDB leaves unprocessed are written again, backing off. */
  private async batchPut(items: Record<string, unknown>[], what: string): Promise<void> {
    for (let i = 0; i < items.length; i += 25) {
      await this.untilProcessed(
        items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
        async (requests) => {
          const out = await this.dynamo.send(
            new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
          );
          return (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
        },
        (left) =>
          new TransientError(
            'BULK_WRITE_UNPROCESSED',
            `DynamoDB left ${left} ${what} unprocessed after ${UNPROCESSED_RETRY.attempts} attempts; the message will be retried`,
          ),
      );
    }
  }

  /**
   * Sends `first`, then whatever DynamoDB answers it left unprocessed, backing off between
   * attempts; after the last attempt, `gaveUp` with how many were left.
   */
  private async untilProcessed<T>(
    first: T[],
    send: (pending: T[]) => Promise<T[]>,
    gaveUp: (left: number) => TransientError,
  ): Promise<void> {
    let pending = first;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) {
        if (attempt > UNPROCESSED_RETRY.attempts) throw gaveUp(pending.length);
        await this.sleep(backoffMs(UNPROCESSED_RETRY, attempt - 1));
      }
      pending = await send(pending);
    }
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

function tallyOf(chunk: Chunk): { succeeded: number; failed: number; skipped: number } {
  return {
    succeeded: chunk.succeeded?.size ?? 0,
    failed: chunk.failed?.size ?? 0,
    skipped: chunk.skipped?.size ?? 0,
  };
}

/** A line item's line number: an outcome names it; a device task's id ends with it. */
export function lineOf(item: LineItem): number {
  if ('kind' in item) return item.line;
  return Number(item.taskId.slice(item.taskId.lastIndexOf(':') + 1));
}

/** The page token is the last line's sort key; anything else is the caller's mistake. */
function decodeToken(token: string, taskId: string): Record<string, string> {
  const sk = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^LINE#\d{9}$/.test(sk))
    throw new InvalidInputError('NEXT_TOKEN_INVALID', 'nextToken is not one this API issued');
  return { pk: bulkPartition(taskId), sk };
}
