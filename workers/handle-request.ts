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
  const client = message.attributes[CLIENT_ATTRIBUTE];
  const outcome = await acceptUpstreamRequest(
    body as Record<string, unknown>,
    { messageId: message.messageId, client },
    services,
  );
  // One audit line per request, once its fate is known (a run that throws comes back with it).
  const audit = (taskId: string, refused: boolean, code?: string) => {
    services.audit.record({
      action: 'device.provision',
      actor: message.senderId ?? 'unknown',
      actorType: 'queue',
      via: 'queue',
      ...(client !== undefined ? { client } : {}),
      outcome: refused ? 'refused' : 'succeeded',
      taskId,
      ...(code !== undefined ? { code } : {}),
      ...thingOf(body),
    });
  };
  const conflict = (taskId: string, reason: string) => {
    audit(taskId, true, 'TASK_ID_REUSED');
    return refuse(services, message, { code: 'TASK_ID_REUSED', message: reason, taskId, body });
  };
  if (outcome.kind === 'conflict') return conflict(outcome.taskId, outcome.reason);
  // Refused: recorded as a FAILED task with the reason.
  if (outcome.kind === 'refused') audit(outcome.taskId, true);
  if (outcome.kind === 'accepted') {
    const { task } = outcome;
    try {
      await runTask(task.taskId, services, { create: task, delivery });
    } catch (e: unknown) {
      // Recorded meanwhile for a different request (the task is created by the run, not before).
      if (e instanceof TaskConflictError) return conflict(task.taskId, conflictReason(task.taskId));
      throw e;
    }
    audit(task.taskId, false);
  }
  return 'done';
}

function thingOf(body: object): { thingName?: string } {
  const parameters = (body as { parameters?: unknown }).parameters;
  const name = (parameters as Record<string, unknown> | undefined)?.ThingName;
  return typeof name === 'string' ? { thingName: name.slice(0, 128) } : {};
}
