import Type, { type Static } from 'typebox';
import type { MessageQueue } from '../queue/message-queue.js';
import type { BulkTask } from './model.js';

/** Sent to the results queue once per bulk task, when its last device is counted. */
export const BulkCompletionEvent = Type.Object(
  {
    type: Type.Literal('provisioning.bulk.finished'),
    taskId: Type.String(),
    status: Type.String(),
    provisioningTemplateId: Type.String(),
    successCount: Type.Integer(),
    failureCount: Type.Integer(),
    totalCount: Type.Integer(),
    finishedAt: Type.String({ format: 'date-time' }),
  },
  {
    title: 'BulkCompletionEvent',
    description: 'Body of a bulk task completion message on the results queue',
  },
);
export type BulkCompletionEvent = Static<typeof BulkCompletionEvent>;

export async function publishBulkCompletion(results: MessageQueue, task: BulkTask): Promise<void> {
  const event: BulkCompletionEvent = {
    type: 'provisioning.bulk.finished',
    taskId: task.taskId,
    status: task.status,
    provisioningTemplateId: task.provisioningTemplateId,
    successCount: task.successCount,
    failureCount: task.failureCount,
    totalCount: task.totalCount ?? task.successCount + task.failureCount,
    finishedAt: new Date().toISOString(),
  };
  await results.send(JSON.stringify(event));
}
