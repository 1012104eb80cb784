import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Static } from 'typebox';
import { withoutKey } from '../tasks/task-key.js';
import { BackfillRunningError } from './errors.js';
import type { BackfillJob as BackfillJobSchema } from './schemas.js';

/** A backfill job as stored: its view plus where it is (the ListCertificates marker) and its claim. */
export type BackfillJob = Static<typeof BackfillJobSchema> & {
  marker?: string;
  claimOwner?: string;
  /** Epoch ms. */
  claimUntil?: number;
};

export interface PageCounts {
  examined: number;
  recorded: number;
  known: number;
  vanished: number;
}

/** How long a finished job stays readable. */
const FINISHED_RETENTION_SECONDS = 30 * 86_400;
const ACTIVE_KEY = { pk: 'BACKFILL', sk: 'ACTIVE' };
const jobKey = (jobId: string) => ({ pk: `BACKFILL#${jobId}`, sk: 'JOB' });

/**
 * Backfill jobs (`BACKFILL#<id>` / `JOB`) and the pointer to the latest one (`BACKFILL` /
 * `ACTIVE`), which makes one job at a time: a new job replaces the pointer only while the job it
 * names has finished, in the same transaction that creates the job. The lifecycle tick finds the
 * job to advance through the pointer (one read, no scan) and takes it with a claim, as it takes
 * scheduled retirements; progress is saved after each page of ListCertificates, so a job resumes
 * where it stopped after a crash.
 */
export class BackfillStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(jobId: string): Promise<BackfillJob | undefined> {
    return (await this.read(jobKey(jobId))) as BackfillJob | undefined;
  }

  /** The latest job, finished or not. */
  async latest(): Promise<BackfillJob | undefined> {
    const pointer = (await this.read(ACTIVE_KEY)) as { jobId: string } | undefined;
    return pointer === undefined ? undefined : this.get(pointer.jobId);
  }

  /** Creates a PENDING job; BackfillRunningError while the latest one has not finished. */
  async start(jobId: string, now: string): Promise<BackfillJob> {
    const latest = await this.latest();
    if (latest !== undefined && !finished(latest)) throw new BackfillRunningError(latest.jobId);
    const job: BackfillJob = {
      jobId,
      status: 'PENDING',
      createdAt: now,
      updatedAt: now,
      pages: 0,
      examined: 0,
      recorded: 0,
      known: 0,
      vanished: 0,
    };
    try {
      await this.dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...ACTIVE_KEY, jobId },
                ConditionExpression: latest === undefined ? 'attribute_not_exists(pk)' : 'jobId = :previous',
                ...(latest === undefined ? {} : { ExpressionAttributeValues: { ':previous': latest.jobId } }),
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...jobKey(jobId), ...job },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (e: unknown) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      // Another request started one between the read and the write.
      const other = await this.latest();
      throw new BackfillRunningError(other?.jobId ?? 'unknown');
    }
    return job;
  }

  /** Takes the job for `owner` until `leaseUntil`; undefined when it has finished or another has it. */
  async claim(
    jobId: string,
    owner: string,
    now: number,
    leaseUntil: number,
  ): Promise<BackfillJob | undefined> {
    try {
      const out = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: jobKey(jobId),
          UpdateExpression:
            'SET #status = :running, claimOwner = :owner, claimUntil = :until, updatedAt = :at, ' +
            'startedAt = if_not_exists(startedAt, :at)',
          ConditionExpression:
            '#status IN (:pending, :running) AND (attribute_not_exists(claimUntil) OR claimUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':running': 'RUNNING',
            ':pending': 'PENDING',
            ':owner': owner,
            ':until': leaseUntil,
            ':at': new Date(now).toISOString(),
            ':now': now,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes === undefined ? undefined : (withoutKey(out.Attributes) as BackfillJob);
    } catch (e: unknown) {
      if (e instanceof ConditionalCheckFailedException) return undefined;
      throw e;
    }
  }

  /** A page done: its counts added, the marker of the next page (none: the listing is done). */
  async pageDone(
    jobId: string,
    owner: string,
    next: { marker: string | undefined; counts: PageCounts; leaseUntil: number; now: string },
  ): Promise<boolean> {
    const { counts } = next;
    return this.conditional(jobId, owner, {
      UpdateExpression:
        `SET claimUntil = :until, updatedAt = :now${next.marker !== undefined ? ', marker = :marker' : ''} ` +
        'ADD pages :one, examined :examined, recorded :recorded, known :known, vanished :vanished' +
        (next.marker === undefined ? ' REMOVE marker' : ''),
      ExpressionAttributeValues: {
        ':until': next.leaseUntil,
        ':now': next.now,
        ':one': 1,
        ':examined': counts.examined,
        ':recorded': counts.recorded,
        ':known': counts.known,
        ':vanished': counts.vanished,
        ...(next.marker !== undefined ? { ':marker': next.marker } : {}),
      },
    });
  }

  async finish(
    jobId: string,
    owner: string,
    outcome: { status: 'COMPLETED' | 'FAILED'; error?: { code: string; message: string }; now: string },
  ): Promise<boolean> {
    return this.conditional(jobId, owner, {
      UpdateExpression:
        `SET #status = :status, finishedAt = :now, updatedAt = :now, expiresAt = :expires` +
        `${outcome.error !== undefined ? ', #error = :error' : ''} REMOVE claimOwner, claimUntil`,
      ExpressionAttributeNames: { '#status': 'status', ...(outcome.error ? { '#error': 'error' } : {}) },
      ExpressionAttributeValues: {
        ':status': outcome.status,
        ':now': outcome.now,
        ':expires': Math.floor(Date.parse(outcome.now) / 1000) + FINISHED_RETENTION_SECONDS,
        ...(outcome.error !== undefined ? { ':error': outcome.error } : {}),
      },
    });
  }

  /** Gives the job back, to be taken again from `retryAt` (epoch ms; 0: at once). */
  async release(jobId: string, owner: string, retryAt: number): Promise<boolean> {
    return this.conditional(jobId, owner, {
      UpdateExpression: 'SET claimUntil = :retryAt REMOVE claimOwner',
      ExpressionAttributeValues: { ':retryAt': retryAt },
    });
  }

  private async conditional(
    jobId: string,
    owner: string,
    update: {
      UpdateExpression: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues: Record<string, unknown>;
    },
  ): Promise<boolean> {
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: jobKey(jobId),
          ...update,
          ConditionExpression: 'claimOwner = :owner',
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':owner': owner },
        }),
      );
      return true;
    } catch (e: unknown) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  private async read(key: { pk: string; sk: string }): Promise<unknown> {
    const out = await this.dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    if (out.Item === undefined) return undefined;
    // The time to live is the table's business, not the job's.
    const { expiresAt: _expires, ...job } = withoutKey(out.Item) as Record<string, unknown>;
    return job;
  }
}

export const finished = (job: BackfillJob) => job.status === 'COMPLETED' || job.status === 'FAILED';
