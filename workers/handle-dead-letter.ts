import { runTask } from '../src/provisioning/run-task.js';
import { recordsRequest, upstreamTaskId } from '../src/tasks/accept-upstream.js';
import { DEAD_LETTERED, failDeadLetteredRequest } from '../src/tasks/dead-lettered-request.js';
import { TaskBusyError } from '../src/tasks/errors.js';
import { FINISHED } from '../src/tasks/model.js';
import { TaskReference } from '../src/tasks/request-message.js';
import { validator } from '../src/validation.js';
import type { WorkerServices } from './compose.js';
import { CLIENT_ATTRIBUTE, DEAD_LETTER_REASON, refuse } from './dead-letter.js';
import type { InboundMessage } from './inbound-message.js';
import type { Handled } from './process-batch.js';

const isReference = validator(TaskReference);

/**
 * A message that SQS moved to the DLQ after too many receives. Its task must not stay PENDING or
 * RUNNING forever, and its sender must hear of it:
 * - a task that is still open is abandoned (what it made so far is removed) and FAILED, with its
 *   completion event;
 * - a task that ended is announced again (the delivery that ended it may have died before it
 *   published);
 * - an upstream request that never got a task is recorded FAILED, with its event;
 * - a message no task accounts for (not a JSON object; a reference to a task that does not exist;
 *   a request whose task id is another request's task) gets a `request refused` event and is set
 *   aside with the reason, like those the worker refuses itself: another request's task is
 *   neither failed nor announced on its behalf.
 * The message is deleted only then: a task, or the set-aside copy, records what happened.
 * Messages set aside (with a `deadLetterReason`) are kept for a person and their senders were
 * told already: they are left alone.
 */
export async function handleDeadLetter(message: InboundMessage, services: WorkerServices): Promise<Handled> {
  if (message.attributes[DEAD_LETTER_REASON] !== undefined) return 'keep';
  const body = jsonObject(message.body);
  if (body === undefined) {
    return refuse(services, message, {
      code: DEAD_LETTERED.code,
      message: 'The message failed on every delivery and is not a JSON object, so it names no task',
    });
  }
  const taskId = upstreamTaskId(body, message.messageId);
  const client = message.attributes[CLIENT_ATTRIBUTE];
  const reference = isReference.check(body);
  const task = await services.tasks.get(taskId);
  if (task === undefined) {
    if (reference) {
      return refuse(services, message, {
        code: 'TASK_NOT_FOUND',
        message: `The message failed on every delivery and names task '${taskId}', which does not exist (expired, or never recorded)`,
        taskId,
        body,
      });
    }
    if ((await failDeadLetteredRequest(body, { taskId, client }, services)) !== undefined) return 'done';
    throw new TaskBusyError(taskId); // recorded meanwhile by another delivery: look again later
  }
  // Another request's task says nothing of this one, and must not be failed on its behalf.
  if (!reference && !recordsRequest(task, body)) {
    return refuse(services, message, {
      code: 'TASK_ID_REUSED',
      message: `The message failed on every delivery; Task id '${taskId}' is already used by a different request`,
      taskId,
      body,
    });
  }
  if (FINISHED.includes(task.status)) {
    await services.events.publish(task);
    return 'done';
  }
  // It was received maxReceiveCount times on the requests queue before it came here.
  await runTask(taskId, services, { delivery: { redelivered: true }, abandon: DEAD_LETTERED });
  return 'done';
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
