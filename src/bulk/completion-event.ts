import Type, { type Static } from 'typebox';
import { attributesOf, eventSchemaOptions, type EventBus } from '../events/event-bus.js';
import type { Metrics } from '../metrics/metrics.js';
import { ClientTag } from '../tasks/client-tag.js';
import type { BulkStore } from './bulk-store.js';
import { BULK_FINISHED, type BulkTask } from './model.js';

export const BULK_TASK_FINISHED = 'provisioning.bulk.finished';

/**
 * The event a bulk task publishes once it has ended, whatever its final status, with its counts.
 * `successCount + failureCount + skippedCount` is `totalCount` except for a task that was
 * cancelled or failed part way (devices never started are in no count). A dry run's event says
 * `dryRun: true`: its counts are of lines checked, and nothing was provisioned.
 */
export const BulkCompletionEvent = Type.Object(
  {
    type: Type.Literal(BULK_TASK_FINISHED),
    version: Type.Literal(1),
    taskId: Type.String(),
    status: Type.Union(BULK_FINISHED.map((s) => Type.Literal(s))),
    source: Type.Literal('api'),
    client: Type.Optional(ClientTag),
    provisioningTemplateId: Type.String(),
    successCount: Type.Integer(),
    failureCount: Type.Integer(),
    /** Lines left alone because their thing already had a certificate (`existingThings: skip`). */
    skippedCount: Type.Optional(Type.Integer()),
    totalCount: Type.Integer(),
    dryRun: Type.Optional(Type.Literal(true)),
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
    finishedAt: Type.String({ format: 'date-time' }),
  },
  eventSchemaOptions(
    'BulkCompletionEvent',
    'A bulk task ended (Completed, CompletedWithFailures, Failed or Cancelled)',
  ),
);
export type BulkCompletionEvent = Static<typeof BulkCompletionEvent>;

/**
 * Whether the task has ended: a final status, and no chunk still at work. A cancelled (or failed)
 * task stops starting devices at once, but the devices its active chunks are running finish and
 * are counted: it ends when the last of those chunks stops.
 */
export function hasEnded(task: BulkTask): boolean {
  return BULK_FINISHED.includes(task.status) && (task.activeChunks?.size ?? 0) === 0;
}

export function bulkCompletionEvent(task: BulkTask): BulkCompletionEvent {
  return {
    type: BULK_TASK_FINISHED,
    version: 1,
    taskId: task.taskId,
    status: task.status as BulkCompletionEvent['status'],
    source: 'api',
    ...(task.client !== undefined ? { client: task.client } : {}),
    provisioningTemplateId: task.provisioningTemplateId,
    successCount: task.successCount,
    failureCount: task.failureCount,
    skippedCount: task.skippedCount ?? 0,
    totalCount: task.totalCount ?? task.successCount + task.failureCount + (task.skippedCount ?? 0),
    ...(task.dryRun === true ? { dryRun: true as const } : {}),
    ...(task.error !== undefined ? { error: task.error } : {}),
    finishedAt: task.lastModifiedDate,
  };
}

/** Publishes a bulk task's completion event when it is due (see `publishIfEnded`). */
export interface BulkEvents {
  publishIfEnded(task: BulkTask): Promise<void>;
}

/**
 * Whoever writes a bulk task's final status (or stops its last chunk) publishes its event and then
 * records that it did (`eventPublished`); whoever later finds an ended task whose event is still
 * due (a redelivered plan or chunk message, the dead-letter handler, a repeated cancel) publishes
 * it. So every ending sends its event at least once, and a crash between the ending and the
 * publishing is repaired by the next delivery of the message that ended it.
 */
export class BulkEventPublisher implements BulkEvents {
  constructor(
    private readonly bus: EventBus,
    private readonly bulk: Pick<BulkStore, 'markEventPublished'>,
    private readonly metrics: Metrics,
  ) {}

  async publishIfEnded(task: BulkTask): Promise<void> {
    if (task.eventPublished !== false || !hasEnded(task)) return;
    const event = bulkCompletionEvent(task);
    await this.bus.publish(event, attributesOf(event));
    this.observeRate(task);
    await this.bulk.markEventPublished(task.taskId);
  }

  private observeRate(task: BulkTask): void {
    const devices = task.successCount + task.failureCount;
    const seconds = (Date.parse(task.lastModifiedDate) - Date.parse(task.creationDate)) / 1000;
    if (devices > 0 && seconds > 0) {
      this.metrics.observe('bulkTaskRate', { template: task.provisioningTemplateId }, devices / seconds);
    }
  }
}
