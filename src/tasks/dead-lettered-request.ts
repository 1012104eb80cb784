import type { Config } from '../config.js';
import type { Metrics } from '../metrics/metrics.js';
import { recordedRequest } from './accept-upstream.js';
import { isClientTag } from './client-tag.js';
import type { EventPublisher } from './completion-events.js';
import type { Task, TaskError } from './model.js';
import { newTask } from './new-task.js';
import { countTaskEnding } from './task-metrics.js';
import type { TaskStore } from './task-store.js';

export interface DeadLetteredDeps {
  tasks: TaskStore;
  events: EventPublisher;
  metrics: Metrics;
  config: Pick<Config, 'resultTtlSeconds'>;
}

export const DEAD_LETTERED: TaskError = {
  code: 'MESSAGE_DEAD_LETTERED',
  message:
    'The request failed on every delivery of its message and was moved to the dead-letter queue; see the worker logs for this task id',
  kind: 'internal',
};

/**
 * A message SQS moved to the dead-letter queue before any task was recorded for it (an upstream
 * request whose admission kept failing): records its task FAILED with the reason and publishes
 * the task's event, so the sender can poll and hear what happened. Undefined when a task with
 * that id exists after all (another delivery recorded it meanwhile).
 */
export async function failDeadLetteredRequest(
  body: Record<string, unknown>,
  message: { taskId: string; client: string | undefined },
  deps: DeadLetteredDeps,
): Promise<Task | undefined> {
  const task = newTask(message.taskId, recordedRequest(body), {
    source: 'queue',
    client: message.client !== undefined && isClientTag(message.client) ? message.client : undefined,
    ttlSeconds: deps.config.resultTtlSeconds,
    error: DEAD_LETTERED,
  });
  const outcome = await deps.tasks.create(task);
  if (!outcome.created) return undefined;
  countTaskEnding(deps.metrics, task, { template: '(unchecked)' });
  await deps.events.publish(task);
  return task;
}
