import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { classifyAwsError } from '../aws/classify-error.js';
import { admit } from '../provisioning/admission.js';
import type { Services } from '../services.js';
import { TaskConflictError } from './errors.js';
import type { Task } from './model.js';
import { newTask, taskIdForIdempotencyKey } from './new-task.js';
import type { ProvisionRequest } from './request.js';

/**
 * Records a task for a validated request and enqueues it. With an Idempotency-Key the task id is
 * derived from the key, and the conditional insert makes a retry return the first task instead of
 * starting a second device. A task that could not be enqueued is failed at once, never left
 * PENDING; a retry of a still-PENDING task re-sends its message (the worker's claim makes a
 * duplicate harmless), which also recovers a task whose first send was lost.
 */
export async function submitTask(
  request: ProvisionRequest,
  options: { idempotencyKey?: string },
  services: Pick<Services, 'tasks' | 'templates' | 'modes' | 'config' | 'clients' | 'queues'>,
): Promise<{ task: Task; created: boolean }> {
  await admit(request, services);
  const taskId =
    options.idempotencyKey === undefined ? randomUUID() : taskIdForIdempotencyKey(options.idempotencyKey);
  const task = newTask(taskId, request, { source: 'api', ttlSeconds: services.config.resultTtlSeconds });
  const outcome = await services.tasks.create(task);
  if (!outcome.created) {
    if (outcome.existing.requestHash !== task.requestHash) throw new TaskConflictError(taskId);
    if (outcome.existing.status === 'PENDING')
      await enqueue(services.clients.sqs, services.queues.requests, taskId);
    return { task: outcome.existing, created: false };
  }
  try {
    await enqueue(services.clients.sqs, services.queues.requests, taskId);
  } catch (e: unknown) {
    await services.tasks.failUnstarted(taskId, {
      code: 'ENQUEUE_FAILED',
      message: 'The task could not be queued; submit it again',
      kind: 'transient',
    });
    throw classifyAwsError(e, 'queueing the task');
  }
  return { task, created: true };
}

async function enqueue(sqs: SQSClient, queueUrl: string, taskId: string): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ taskId }) }));
}
