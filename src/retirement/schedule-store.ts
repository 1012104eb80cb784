import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import {
  LIFECYCLE_INDEX,
  RETIREMENT_ITEM,
  allPartitions,
  certificatePartition,
  lifecycleKeys,
} from '../inventory/lifecycle-index.js';
import { mergePartitions } from '../inventory/shard-merge.js';
import { withoutKey } from '../tasks/task-key.js';
import type { RetirementState, ScheduledRetirement } from './model.js';

/** How long a finished schedule item stays readable before the table's time to live removes it. */
const FINISHED_RETENTION_SECONDS = 90 * 86_400;

export type Finish =
  | { kind: 'then-delete'; retiredAt: string; deleteAt: string; outcome: string }
  | { kind: 'end'; state: Exclude<RetirementState, 'SCHEDULED'>; outcome: string; retiredAt?: string };

/**
 * The schedule of retirements and deletions in the service's table. Each due item is taken by one
 * conditional write (its claim: still scheduled, still due at the time that was read, no live
 * claim), so concurrent ticks and a tick racing a restart act on it once; every later write is
 * conditional on holding the claim. A claim that dies with its worker expires and the item is
 * taken again: what it does is idempotent, so the effect happens once.
 */
export class ScheduleStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(certificateId: string): Promise<ScheduledRetirement | undefined> {
    const out = await this.dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: key(certificateId), ConsistentRead: true }),
    );
    return out.Item === undefined ? undefined : toRetirement(out.Item);
  }

  /**
   * Schedules a retirement unless one is scheduled already, or the same requester scheduled one
   * before (a redelivered rotation): then that one is returned, unchanged.
   */
  async schedule(request: {
    certificateId: string;
    thingName: string;
    dueAt: string;
    requestedBy?: string;
    now: string;
  }): Promise<{ created: boolean; retirement: ScheduledRetirement }> {
    const retirement: ScheduledRetirement = {
      certificateId: request.certificateId,
      thingName: request.thingName,
      action: 'retire',
      dueAt: request.dueAt,
      state: 'SCHEDULED',
      ...(request.requestedBy !== undefined ? { requestedBy: request.requestedBy } : {}),
      createdAt: request.now,
      updatedAt: request.now,
      runs: 0,
    };
    const created = await this.put(retirement, {
      condition:
        'attribute_not_exists(pk) OR (#state <> :scheduled AND (attribute_not_exists(requestedBy) OR requestedBy <> :requestedBy))',
      names: { '#state': 'state' },
      values: { ':scheduled': 'SCHEDULED', ':requestedBy': request.requestedBy ?? '' },
    });
    if (created) return { created, retirement };
    const existing = await this.get(request.certificateId);
    // Removed by its time to live between the two calls: vanishingly rare; a retry resolves it.
    if (existing === undefined) return this.schedule(request);
    return { created: false, retirement: existing };
  }

  /**
   * After a retirement by hand: its deletion is scheduled (unless one is, from an earlier
   * retirement of the same certificate: the first date stands), or, with no deletion configured,
   * a retirement still scheduled for it is done.
   */
  async afterRetirement(request: {
    certificateId: string;
    thingName: string;
    retiredAt: string;
    deleteAt: string | undefined;
    now: string;
  }): Promise<void> {
    if (request.deleteAt !== undefined) {
      await this.put(
        {
          certificateId: request.certificateId,
          thingName: request.thingName,
          action: 'delete',
          dueAt: request.deleteAt,
          state: 'SCHEDULED',
          createdAt: request.now,
          updatedAt: request.now,
          runs: 0,
          retiredAt: request.retiredAt,
        },
        {
          condition: 'attribute_not_exists(pk) OR NOT (#state = :scheduled AND #action = :delete)',
          names: { '#state': 'state', '#action': 'action' },
          values: { ':scheduled': 'SCHEDULED', ':delete': 'delete' },
        },
      );
      return;
    }
    await this.conditional({
      Key: key(request.certificateId),
      UpdateExpression:
        'SET #state = :done, outcome = :outcome, retiredAt = :retiredAt, updatedAt = :now, expiresAt = :expires ' +
        'REMOVE lifecyclePk, lifecycleSk, claimOwner, claimUntil',
      ConditionExpression: '#state = :scheduled AND #action = :retire',
      ExpressionAttributeNames: { '#state': 'state', '#action': 'action' },
      ExpressionAttributeValues: {
        ':done': 'DONE',
        ':outcome': 'retired by hand before its time',
        ':retiredAt': request.retiredAt,
        ':now': request.now,
        ':expires': expiresAfter(request.now),
        ':scheduled': 'SCHEDULED',
        ':retire': 'retire',
      },
    });
  }

  /** What is due at `now`, earliest first, at most `limit`. */
  async due(now: string, limit: number): Promise<ScheduledRetirement[]> {
    const merged = await mergePartitions(
      allPartitions('DUE'),
      async (partition, start, pageLimit) => {
        const out = await this.dynamo.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: LIFECYCLE_INDEX,
            KeyConditionExpression: 'lifecyclePk = :p AND lifecycleSk <= :now',
            ExpressionAttributeValues: { ':p': partition, ':now': now },
            ExclusiveStartKey: start,
            Limit: pageLimit,
          }),
        );
        return { items: out.Items ?? [], next: out.LastEvaluatedKey };
      },
      (item) => String(item.lifecycleSk),
      limit,
    );
    return merged.items.map(toRetirement);
  }

  /** Takes a due item for `owner` until `leaseUntil` (epoch ms); undefined when another has it. */
  async claim(
    retirement: ScheduledRetirement,
    owner: string,
    now: number,
    leaseUntil: number,
  ): Promise<ScheduledRetirement | undefined> {
    try {
      const out = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(retirement.certificateId),
          UpdateExpression: 'SET claimOwner = :owner, claimUntil = :until, updatedAt = :at ADD runs :one',
          ConditionExpression:
            '#state = :scheduled AND lifecycleSk = :sk AND (attribute_not_exists(claimUntil) OR claimUntil < :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':owner': owner,
            ':until': leaseUntil,
            ':at': new Date(now).toISOString(),
            ':one': 1,
            ':scheduled': 'SCHEDULED',
            ':sk': lifecycleKeys('DUE', retirement.dueAt, retirement.certificateId).lifecycleSk,
            ':now': now,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes === undefined ? undefined : toRetirement(out.Attributes);
    } catch (e: unknown) {
      if (e instanceof ConditionalCheckFailedException) return undefined;
      throw e;
    }
  }

  /** Records what the claimed run did; false when the claim was lost meanwhile. */
  async finish(certificateId: string, owner: string, finish: Finish, now: string): Promise<boolean> {
    if (finish.kind === 'then-delete') {
      const keys = lifecycleKeys('DUE', finish.deleteAt, certificateId);
      return this.conditional({
        Key: key(certificateId),
        UpdateExpression:
          'SET #action = :delete, dueAt = :due, lifecyclePk = :pk, lifecycleSk = :sk, retiredAt = :retiredAt, ' +
          'outcome = :outcome, updatedAt = :now REMOVE claimOwner, claimUntil, lastError',
        ConditionExpression: 'claimOwner = :owner',
        ExpressionAttributeNames: { '#action': 'action' },
        ExpressionAttributeValues: {
          ':delete': 'delete',
          ':due': finish.deleteAt,
          ':pk': keys.lifecyclePk,
          ':sk': keys.lifecycleSk,
          ':retiredAt': finish.retiredAt,
          ':outcome': finish.outcome,
          ':now': now,
          ':owner': owner,
        },
      });
    }
    return this.conditional({
      Key: key(certificateId),
      UpdateExpression:
        `SET #state = :state, outcome = :outcome, updatedAt = :now, expiresAt = :expires` +
        `${finish.retiredAt !== undefined ? ', retiredAt = :retiredAt' : ''} ` +
        'REMOVE lifecyclePk, lifecycleSk, claimOwner, claimUntil',
      ConditionExpression: 'claimOwner = :owner',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':state': finish.state,
        ':outcome': finish.outcome,
        ':now': now,
        ':expires': expiresAfter(now),
        ':owner': owner,
        ...(finish.retiredAt !== undefined ? { ':retiredAt': finish.retiredAt } : {}),
      },
    });
  }

  /** A run that failed for now: the item is tried again after `retryAt` (epoch ms). */
  async release(
    certificateId: string,
    owner: string,
    retryAt: number,
    error: { code: string; message: string },
  ): Promise<void> {
    await this.conditional({
      Key: key(certificateId),
      UpdateExpression: 'SET claimUntil = :retryAt, lastError = :error REMOVE claimOwner',
      ConditionExpression: 'claimOwner = :owner',
      ExpressionAttributeValues: { ':retryAt': retryAt, ':error': error, ':owner': owner },
    });
  }

  private async put(
    retirement: ScheduledRetirement,
    guard: { condition: string; names: Record<string, string>; values: Record<string, unknown> },
  ): Promise<boolean> {
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key(retirement.certificateId),
            ...retirement,
            ...lifecycleKeys('DUE', retirement.dueAt, retirement.certificateId),
          },
          ConditionExpression: guard.condition,
          ExpressionAttributeNames: guard.names,
          ExpressionAttributeValues: guard.values,
        }),
      );
      return true;
    } catch (e: unknown) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
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

const key = (certificateId: string) => ({ pk: certificatePartition(certificateId), sk: RETIREMENT_ITEM });

const expiresAfter = (now: string) => Math.floor(Date.parse(now) / 1000) + FINISHED_RETENTION_SECONDS;

function toRetirement(item: Record<string, unknown>): ScheduledRetirement {
  const {
    lifecyclePk: _p,
    lifecycleSk: _s,
    expiresAt: _e,
    ...rest
  } = withoutKey(item) as Record<string, unknown>;
  return rest as unknown as ScheduledRetirement;
}
