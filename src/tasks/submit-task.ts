import { randomUUID } from 'node:crypto';
import { classifyAwsError } from '../aws/classify-error.js';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics/metrics.js';
import type { MessageQueue } from '../queue/message-queue.js';
import type { Admission } from './admission.js';
import type { EventPublisher } from './completion-events.js';
import { TaskConflictError } from './errors.js';
import type { Task } from './model.js';
import { newTask, taskIdForIdempotencyKey } from './new-task.js';
import type { TaskReference } from './request-message.js';
import type { ProvisionRequest } from './request.js';
import { countTaskEnding } from './task-metrics.js';
import type { TaskStore } from './task-store.js';

export interface SubmitDeps {
  admission: Admission;
  tasks: TaskStore;
  queues: { requests: MessageQueue };
  events: EventPublisher;
  metrics: Metrics;
  config: Pick<Config, 'resultTtlSeconds'>;
}

/**
 * Records a task for a validated request and enqueues it. With an Idempotency-Key the task id is
 * derived from the key, and the conditional insert makes a retry return the first task instead of
 * starting a second device. A task that could not be enqueued is failed at once (and its event
 * published), never left PENDING; a retry of a still-PENDING task re-sends its message (the worker's claim makes a
 * duplicate harmless), which also recovers a task whose first send was lost.
 */
export async function submitTask(
  request: ProvisionRequest,
  options: { idempotencyKey?: string; client?: string },
  deps: SubmitDeps,
): Promise<{ task: Task; created: boolean }> {
  const { templateVersion } = await deps.admission.admit(request);
  const taskId =
    options.idempotencyKey === undefined ? randomUUID() : taskIdForIdempotencyKey(options.idempotencyKey);
  const task = newTask(taskId, request, {
    source: 'api',
    client: options.client,
    ttlSeconds: deps.config.resultTtlSeconds,
    templateVersion,
  });
  return recordAndEnqueue(task, deps);
}

/**
 * Records a new task (a retry under the same Idempotency-Key is answered the first one) and
 * enqueues it; shared by every kind of task the API accepts (submit-rotation.ts too).
 */
export async function recordAndEnqueue(
  task: Task,
  deps: Omit<SubmitDeps, 'admission' | 'config'>,
): Promise<{ task: Task; created: boolean }> {
  const { taskId } = task;
  const outcome = await deps.tasks.create(task);
  if (!outcome.created) {
    if (outcome.existing.requestHash !== task.requestHash) throw new TaskConflictError(taskId);
    if (outcome.existing.status === 'PENDING') await enqueue(deps.queues.requests, taskId);
    return { task: outcome.existing, created: false };
  }
  try {
    await enqueue(deps.queues.requests, taskId);
  } catch (e: unknown) {
    const failed = await deps.tasks.failUnstarted(taskId, {
      code: 'ENQUEUE_FAILED',
      message: 'The task could not be queued; submit it again',
      kind: 'transient',
    });
    if (failed !== undefined) {
      countTaskEnding(deps.metrics, failed);
      // Best effort: the caller is answered 503 either way, and the task records the failure.
      await deps.events.publish(failed).catch(() => undefined);
    }
    throw classifyAwsError(e, 'queueing the task');
  }
  return { task, created: true };
}

async function enqueue(queue: MessageQueue, taskId: string): Promise<void> {
  const reference: TaskReference = { taskId };
  await queue.send(JSON.stringify(reference));
}
