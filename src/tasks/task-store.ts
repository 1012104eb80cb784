import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Envelope } from '../crypto/envelope.js';
import { LeaseLostError, TaskNotFoundError } from './errors.js';
import type { Checkpoint, ProvisionResult, Task, TaskError } from './model.js';
import { taskKey, withoutKey } from './task-key.js';
import { ExpressionBuilder, type UpdateParts } from './update-expression.js';

/**
 * Provisioning tasks in the service's one DynamoDB table. Every status change is a conditional
 * write, so concurrent workers and redelivered messages can race without corrupting a task:
 * a worker may only write while it holds the task's lease.
 */
export type ClaimOutcome =
  | { kind: 'claimed'; task: Task }
  | { kind: 'finished'; task: Task }
  | { kind: 'busy'; task: Task }
  | { kind: 'missing' };

const key = taskKey;

export class TaskStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Inserts the task unless one with that id exists; then returns the existing one instead. */
  async create(task: Task): Promise<{ created: true } | { created: false; existing: Task }> {
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(task.taskId), ...task },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true };
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const existing = await this.get(task.taskId);
      // Expired by TTL between the two calls: vanishingly rare, and a retry resolves it.
      if (existing === undefined) throw e;
      return { created: false, existing };
    }
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

  /** Takes the task's lease: a PENDING task, or a RUNNING one whose worker stopped renewing it. */
  async claim(taskId: string, owner: string, leaseSeconds: number, now = Date.now()): Promise<ClaimOutcome> {
    const updated = await this.update(
      taskId,
      {
        set: {
          status: 'RUNNING',
          leaseOwner: owner,
          leaseUntil: now + leaseSeconds * 1000,
          updatedAt: iso(now),
        },
        add: { attempts: 1 },
      },
      {
        condition:
          'attribute_exists(pk) AND (#status = :pending OR (#status = :running AND #leaseUntil < :now))',
        names: { '#status': 'status', '#leaseUntil': 'leaseUntil' },
        values: { ':pending': 'PENDING', ':running': 'RUNNING', ':now': now },
      },
    );
    if (updated !== undefined) return { kind: 'claimed', task: updated };
    const task = await this.get(taskId);
    if (task === undefined) return { kind: 'missing' };
    if (task.status === 'SUCCEEDED' || task.status === 'FAILED') return { kind: 'finished', task };
    return { kind: 'busy', task };
  }

  /** Records one created resource (and renews the lease) before the next step may start. */
  async checkpoint(
    taskId: string,
    owner: string,
    leaseSeconds: number,
    patch: {
      certificate?: Checkpoint['certificate'];
      thing?: Checkpoint['thing'];
      policy?: { logicalId: string; value: Checkpoint['policies'][string] };
      privateKey?: Envelope;
    },
  ): Promise<void> {
    const now = Date.now();
    const set: Record<string, unknown> = { leaseUntil: now + leaseSeconds * 1000, updatedAt: iso(now) };
    if (patch.certificate) set['checkpoint.certificate'] = patch.certificate;
    if (patch.thing) set['checkpoint.thing'] = patch.thing;
    if (patch.policy) set[`checkpoint.policies.${patch.policy.logicalId}`] = patch.policy.value;
    if (patch.privateKey) set.privateKey = patch.privateKey;
    await this.updateAsOwner(taskId, owner, { set });
  }

  async succeed(taskId: string, owner: string, result: ProvisionResult): Promise<Task> {
    return this.updateAsOwner(taskId, owner, {
      set: { status: 'SUCCEEDED', result, eventPublished: false, updatedAt: iso(Date.now()) },
      remove: ['leaseOwner', 'leaseUntil'],
    });
  }

  /** Notes why the task is failing before compensation starts, so a redelivery finishes the clean-up. */
  async recordError(taskId: string, owner: string, error: TaskError): Promise<void> {
    await this.updateAsOwner(taskId, owner, { set: { error, updatedAt: iso(Date.now()) } });
  }

  async fail(taskId: string, owner: string, error: TaskError): Promise<Task> {
    return this.updateAsOwner(taskId, owner, {
      set: { status: 'FAILED', error, eventPublished: false, updatedAt: iso(Date.now()) },
      remove: ['leaseOwner', 'leaseUntil', 'privateKey'],
    });
  }

  /** Fails a task that no worker has started (it could not be enqueued, or its message died). */
  async failUnstarted(taskId: string, error: TaskError): Promise<Task | undefined> {
    return this.update(
      taskId,
      {
        set: { status: 'FAILED', error, eventPublished: false, updatedAt: iso(Date.now()) },
        remove: ['leaseOwner', 'leaseUntil'],
      },
      {
        condition: '#status IN (:pending, :running)',
        names: { '#status': 'status' },
        values: { ':pending': 'PENDING', ':running': 'RUNNING' },
      },
    );
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

  private async updateAsOwner(taskId: string, owner: string, parts: UpdateParts): Promise<Task> {
    const task = await this.update(taskId, parts, {
      condition: '#status = :running AND #leaseOwner = :owner',
      names: { '#status': 'status', '#leaseOwner': 'leaseOwner' },
      values: { ':running': 'RUNNING', ':owner': owner },
    });
    if (task === undefined) throw new LeaseLostError(taskId);
    return task;
  }

  /** A conditional update; undefined when the condition did not hold. */
  private async update(
    taskId: string,
    parts: UpdateParts,
    guard: { condition: string; names?: Record<string, string>; values?: Record<string, unknown> },
  ): Promise<Task | undefined> {
    const expr = new ExpressionBuilder();
    const UpdateExpression = expr.update(parts);
    const attributes = expr.attributes();
    try {
      const out = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(taskId),
          UpdateExpression,
          ConditionExpression: guard.condition,
          ExpressionAttributeNames: { ...attributes.ExpressionAttributeNames, ...guard.names },
          ExpressionAttributeValues: { ...attributes.ExpressionAttributeValues, ...guard.values },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return withoutKey(out.Attributes ?? {}) as Task;
    } catch (e: unknown) {
      if (e instanceof ConditionalCheckFailedException) return undefined;
      throw e;
    }
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
