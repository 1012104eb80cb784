import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Envelope } from '../crypto/envelope.js';
import { LeaseLostError, TaskNotFoundError } from './errors.js';
import type {
  CertificateRecord,
  Checkpoint,
  CreateWindow,
  Plan,
  ProvisionResult,
  Task,
  TaskError,
} from './model.js';
import { listingKeys } from './listing-index.js';
import { isBulkLine, taskKey, withoutKey } from './task-key.js';
import { ExpressionBuilder, type UpdateParts } from './update-expression.js';

/**
 * Provisioning tasks in the service's one DynamoDB table. Every status change is a conditional
 * write, so concurrent workers and redelivered messages can race without corrupting a task: a
 * worker may only write while it holds the task's lease. A write whose condition fails answers
 * with the item as it is (`ReturnValuesOnConditionCheckFailure`), so no read follows it.
 *
 * A device costs three writes: the task recorded (the API) or created already claimed (a queue
 * message, a bulk line), the claim with everything that must be durable before the next AWS call,
 * and the result. Other writes happen only on rare paths (a lease about to run out, an ACM PCA
 * certificate issued, an ambiguous create, a failure).
 */
export type ClaimOutcome =
  | { kind: 'claimed'; task: Task }
  | { kind: 'finished'; task: Task }
  | { kind: 'busy'; task: Task }
  | { kind: 'missing' };

/** What the claim write records besides the lease: whatever must be durable before the run goes on. */
export interface ClaimRecord {
  plan?: Plan;
  certificate?: CertificateRecord;
  privateKey?: Envelope;
}

export interface Lease {
  owner: string;
  seconds: number;
}

type Guard = { condition: string; names?: Record<string, string>; values?: Record<string, unknown> };
type Written = { ok: true; task: Task } | { ok: false; current: Task | undefined };

const key = taskKey;
const CLAIMABLE =
  '(#status = :pending OR (#status = :running AND (attribute_not_exists(#leaseUntil) OR #leaseUntil < :now)))';

export class TaskStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Inserts the task unless one with that id exists; then returns the existing one instead. */
  async create(task: Task): Promise<{ created: true } | { created: false; existing: Task }> {
    const out = await this.put(task, 'attribute_not_exists(pk)');
    if (out.ok) return { created: true };
    // Expired by TTL between the two: vanishingly rare, and a retry resolves it.
    if (out.current === undefined) throw new TaskNotFoundError(task.taskId);
    return { created: false, existing: out.current };
  }

  async get(taskId: string): Promise<Task | undefined> {
    const out = await this.dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: key(taskId), ConsistentRead: true }),
    );
    return out.Item === undefined ? undefined : (withoutKey(out.Item) as Task);
  }

  async require(taskId: string): Promise<Task> {
    const task = await this.get(taskId);
    if (task === undefined) throw new TaskNotFoundError(taskId);
    return task;
  }

  /**
   * Records a new task already claimed by `lease` (a queue message, a bulk line): one conditional
   * write where creating it and then claiming it would be two.
   */
  async claimNew(task: Task, lease: Lease, record: ClaimRecord, now = Date.now()): Promise<ClaimOutcome> {
    const claimed: Task = {
      ...task,
      status: 'RUNNING',
      attempts: 1,
      claimedAt: now,
      leaseOwner: lease.owner,
      leaseUntil: now + lease.seconds * 1000,
      updatedAt: iso(now),
      ...(record.plan ? { plan: record.plan } : {}),
      ...(record.privateKey ? { privateKey: record.privateKey } : {}),
      checkpoint: record.certificate
        ? { ...task.checkpoint, certificate: record.certificate }
        : task.checkpoint,
    };
    const out = await this.put(claimed, 'attribute_not_exists(pk)');
    return out.ok ? { kind: 'claimed', task: claimed } : this.lost(out.current, lease);
  }

  /**
   * Takes the lease of the task as `seen` (PENDING, or RUNNING with a lease that ran out) with
   * whatever its run made before the claim: `attempts` must still be what was seen, so a worker
   * that prepared from an older state of the task never claims it.
   */
  async claim(seen: Task, lease: Lease, record: ClaimRecord, now = Date.now()): Promise<ClaimOutcome> {
    const set: Record<string, unknown> = {
      status: 'RUNNING',
      leaseOwner: lease.owner,
      leaseUntil: now + lease.seconds * 1000,
      claimedAt: now,
      updatedAt: iso(now),
    };
    if (record.plan) set.plan = record.plan;
    if (record.certificate) set['checkpoint.certificate'] = record.certificate;
    if (record.privateKey) set.privateKey = record.privateKey;
    const out = await this.update(
      seen.taskId,
      { set, add: { attempts: 1 } },
      {
        condition: `${CLAIMABLE} AND #attempts = :seen`,
        names: { '#status': 'status', '#leaseUntil': 'leaseUntil', '#attempts': 'attempts' },
        values: { ':pending': 'PENDING', ':running': 'RUNNING', ':now': now, ':seen': seen.attempts },
      },
    );
    return out.ok ? { kind: 'claimed', task: out.task } : this.lost(out.current, lease);
  }

  /** Writes what a run must not lose before its next AWS call (rare: see the class comment). */
  async record(taskId: string, lease: Lease, patch: ClaimRecord, now = Date.now()): Promise<number> {
    const leaseUntil = now + lease.seconds * 1000;
    const set: Record<string, unknown> = { leaseUntil, updatedAt: iso(now) };
    if (patch.plan) set.plan = patch.plan;
    if (patch.certificate) set['checkpoint.certificate'] = patch.certificate;
    if (patch.privateKey) set.privateKey = patch.privateKey;
    await this.updateAsOwner(taskId, lease.owner, { set });
    return leaseUntil;
  }

  async succeed(
    taskId: string,
    owner: string,
    outcome: { checkpoint: Checkpoint; result: ProvisionResult },
  ): Promise<Task> {
    return this.updateAsOwner(taskId, owner, {
      set: {
        status: 'SUCCEEDED',
        checkpoint: outcome.checkpoint,
        result: outcome.result,
        updatedAt: iso(Date.now()),
      },
      remove: ['leaseOwner', 'leaseUntil'],
    });
  }

  /** Notes why the task is failing before compensation starts, so a redelivery finishes the clean-up. */
  async recordError(taskId: string, owner: string, error: TaskError): Promise<void> {
    await this.updateAsOwner(taskId, owner, { set: { error, updatedAt: iso(Date.now()) } });
  }

  async fail(taskId: string, owner: string, error: TaskError, checkpoint: Checkpoint): Promise<Task> {
    return this.updateAsOwner(taskId, owner, {
      set: { status: 'FAILED', error, checkpoint, updatedAt: iso(Date.now()) },
      remove: ['leaseOwner', 'leaseUntil', 'privateKey'],
    });
  }

  /** Fails a task that no worker has started (it could not be enqueued, or its message died). */
  async failUnstarted(taskId: string, error: TaskError): Promise<Task | undefined> {
    const out = await this.update(
      taskId,
      { set: { status: 'FAILED', error, updatedAt: iso(Date.now()) }, remove: ['leaseOwner', 'leaseUntil'] },
      {
        condition: '#status IN (:pending, :running)',
        names: { '#status': 'status' },
        values: { ':pending': 'PENDING', ':running': 'RUNNING' },
      },
    );
    return out.ok ? out.task : undefined;
  }

  /** Gives the lease back after a transient error so the redelivered message can start at once. */
  async release(taskId: string, owner: string): Promise<void> {
    await this.update(
      taskId,
      { set: { leaseUntil: 0 } },
      {
        condition: '#leaseOwner = :owner',
        names: { '#leaseOwner': 'leaseOwner' },
        values: { ':owner': owner },
      },
    );
  }

  /**
   * Removes the task's stored private key; true if there was one. Throws TaskNotFoundError for an
   * unknown task; a task whose key is gone already (or never had one) is left as it is.
   */
  async purgePrivateKey(taskId: string): Promise<boolean> {
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(taskId),
          UpdateExpression: 'REMOVE privateKey',
          ConditionExpression: 'attribute_exists(privateKey)',
        }),
      );
      return true;
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      await this.require(taskId);
      return false;
    }
  }

  /**
   * Adds the window of an ambiguous create, whoever holds the lease: the window must not be lost
   * even when this worker lost (or never held) the task.
   */
  async recordWindow(taskId: string, window: CreateWindow): Promise<void> {
    const out = await this.write(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(taskId),
        UpdateExpression: 'SET #unsettled = list_append(if_not_exists(#unsettled, :none), :window)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#unsettled': 'unsettled' },
        ExpressionAttributeValues: { ':none': [], ':window': [window] },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    if (!out.ok) throw new TaskNotFoundError(taskId);
  }

  /** Drops the first `count` windows once they are reconciled; false if they changed meanwhile. */
  async settleWindows(taskId: string, count: number): Promise<Task | undefined> {
    const out = await this.update(
      taskId,
      { remove: ['unsettled'] },
      {
        condition: 'size(#unsettled) = :count',
        names: { '#unsettled': 'unsettled' },
        values: { ':count': count },
      },
    );
    return out.ok ? out.task : undefined;
  }

  /** A claim that did not happen: why, from the item as the failed write found it. */
  private lost(current: Task | undefined, lease: Lease): ClaimOutcome {
    if (current === undefined) return { kind: 'missing' };
    // The write went through and only its answer was lost: the SDK's retry then found our own claim.
    if (current.leaseOwner === lease.owner) return { kind: 'claimed', task: current };
    if (current.status === 'SUCCEEDED' || current.status === 'FAILED')
      return { kind: 'finished', task: current };
    return { kind: 'busy', task: current };
  }

  private async updateAsOwner(taskId: string, owner: string, parts: UpdateParts): Promise<Task> {
    const out = await this.update(taskId, parts, {
      condition: '#status = :running AND #leaseOwner = :owner',
      names: { '#status': 'status', '#leaseOwner': 'leaseOwner' },
      values: { ':running': 'RUNNING', ':owner': owner },
    });
    if (!out.ok) throw new LeaseLostError(taskId);
    return out.task;
  }

  private async put(task: Task, condition: string): Promise<Written> {
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(task.taskId), ...listing(task), ...task },
          ConditionExpression: condition,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { ok: true, task };
    } catch (e: unknown) {
      return { ok: false, current: conditionFailure(e) };
    }
  }

  /** A conditional update answering the new item, or the item as the failed condition found it. */
  private update(taskId: string, parts: UpdateParts, guard: Guard): Promise<Written> {
    const expr = new ExpressionBuilder();
    const UpdateExpression = expr.update(parts);
    const attributes = expr.attributes();
    return this.write(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(taskId),
        UpdateExpression,
        ConditionExpression: guard.condition,
        ExpressionAttributeNames: emptyAsUndefined({
          ...attributes.ExpressionAttributeNames,
          ...guard.names,
        }),
        ExpressionAttributeValues: emptyAsUndefined({
          ...attributes.ExpressionAttributeValues,
          ...guard.values,
        }),
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  }

  private async write(command: UpdateCommand): Promise<Written> {
    try {
      const out = await this.dynamo.send(command);
      return { ok: true, task: withoutKey(out.Attributes ?? {}) as Task };
    } catch (e: unknown) {
      return { ok: false, current: conditionFailure(e) };
    }
  }
}

/**
 * The item a failed condition found (lib-dynamodb leaves it marshalled), or undefined when there
 * was none; anything but a failed condition is rethrown.
 */
function conditionFailure(e: unknown): Task | undefined {
  if (!(e instanceof ConditionalCheckFailedException)) throw e;
  return e.Item === undefined ? undefined : (withoutKey(unmarshall(e.Item)) as Task);
}

const emptyAsUndefined = <T extends object>(o: T): T | undefined =>
  Object.keys(o).length > 0 ? o : undefined;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The listing index's attributes (listing-index.ts) for a single-device task, with its template id
 * at the top level where the index can project it. A bulk task's devices are not listed.
 */
function listing(task: Task): Record<string, string> {
  if (isBulkLine(task.taskId)) return {};
  return {
    ...listingKeys('task', task.createdAt, task.taskId),
    provisioningTemplateId: task.request.provisioningTemplateId,
  };
}
