import { NotFoundError } from '../src/errors.js';
import { runTask } from '../src/provisioning/run-task.js';
import { acceptUpstreamRequest, conflictReason } from '../src/tasks/accept-upstream.js';
import { TaskConflictError } from '../src/tasks/errors.js';
import { TaskReference } from '../src/tasks/request-message.js';
import { validator } from '../src/validation.js';
import type { WorkerServices } from './compose.js';
import { CLIENT_ATTRIBUTE, refuse } from './dead-letter.js';
import { deliveryOf, type InboundMessage } from './inbound-message.js';
import type { Handled } from './process-batch.js';

const isReference = validator(TaskReference);

/**
 * One message from the requests queue: the API's reference to a recorded task, or a request an
 * upstream system published (src/tasks/accept-upstream.ts decides what becomes of it). Returns
 * 'done' when the message is dealt with (provisioned, failed as a task, or refused: its sender
 * told by a `request refused` event and the message moved to the DLQ with the reason); throws
 * when it should come back later.
 */
export async function handleRequestMessage(
  message: InboundMessage,
  services: WorkerServices,
): Promise<Handled> {
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch {
    return refuse(services, message, { code: 'MESSAGE_NOT_JSON', message: 'Message body is not JSON' });
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return refuse(services, message, {
      code: 'MESSAGE_NOT_OBJECT',
      message: 'Message body is not a JSON object',
      body,
    });
  }

  const delivery = deliveryOf(message);
  if (isReference.check(body)) {
    try {
      await runTask(body.taskId, services, { delivery });
    } catch (e: unknown) {
      // The task expired (TTL) or was never recorded: nothing to run, keep the message for a person.
      if (e instanceof NotFoundError && e.code === 'TASK_NOT_FOUND') {
        return refuse(services, message, { code: e.code, message: e.message, taskId: body.taskId, body });
      }
      throw e;
    }
    return 'done';
  }
  const outcome = await acceptUpstreamRequest(
    body as Record<string, unknown>,
    { messageId: message.messageId, client: message.attributes[CLIENT_ATTRIBUTE] },
    services,
  );
  const conflict = (taskId: string, reason: string) =>
    refuse(services, message, { code: 'TASK_ID_REUSED', message: reason, taskId, body });
  if (outcome.kind === 'conflict') return conflict(outcome.taskId, outcome.reason);
  if (outcome.kind === 'accepted') {
    const { task } = outcome;
    try {
      await runTask(task.taskId, services, { create: task, delivery });
    } catch (e: unknown) {
      // Recorded meanwhile for a different request (the task is created by the run, not before).
      if (e instanceof TaskConflictError) return conflict(task.taskId, conflictReason(task.taskId));
      throw e;
    }
  }
  return 'done';
}
