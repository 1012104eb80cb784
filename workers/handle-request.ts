import { InvalidInputError, NotFoundError, isServiceError, type ServiceError } from '../src/errors.js';
import { admit } from '../src/provisioning/admission.js';
import { runTask } from '../src/provisioning/run-task.js';
import { TaskReference, UpstreamRequest } from '../src/queue/request-message.js';
import type { Services } from '../src/services.js';
import { TaskId, type ProvisionRequest } from '../src/tasks/request.js';
import { newTask } from '../src/tasks/new-task.js';
import { validator } from '../src/validation.js';
import { deadLetter } from './dead-letter.js';
import type { InboundMessage } from './inbound-message.js';
import type { Handled } from './process-batch.js';

const isReference = validator(TaskReference);
const upstream = validator(UpstreamRequest);
const taskIdShape = validator(TaskId);

/**
 * One message from the requests queue. Returns 'done' when the message is dealt with (provisioned,
 * failed as a task, or moved to the DLQ with a reason); throws when it should come back later.
 */
export async function handleRequestMessage(message: InboundMessage, services: Services): Promise<Handled> {
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch {
    return deadLetter(services, message, 'Message body is not JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return deadLetter(services, message, 'Message body is not a JSON object');
  }

  if (isReference.check(body)) {
    try {
      await runTask(body.taskId, services);
    } catch (e: unknown) {
      // The task expired (TTL) or was never recorded: nothing to run, keep the message for a person.
      if (e instanceof NotFoundError && e.code === 'TASK_NOT_FOUND') {
        return deadLetter(services, message, e.message);
      }
      throw e;
    }
    return 'done';
  }
  return handleUpstreamRequest(message, body as Record<string, unknown>, services);
}

async function handleUpstreamRequest(
  message: InboundMessage,
  body: Record<string, unknown>,
  services: Services,
): Promise<Handled> {
  const taskId = taskIdShape.check(body.taskId) ? body.taskId : message.messageId;
  const ttlSeconds = services.config.resultTtlSeconds;

  let failure: ServiceError | undefined;
  const problems = upstream.problems(body);
  if (problems.length > 0) {
    failure = new InvalidInputError(
      'MESSAGE_INVALID',
      `The message is not a valid provisioning request: ${problems.join('; ')}`,
    );
  } else {
    try {
      await admit(requestOf(body), services);
    } catch (e: unknown) {
      if (!(isServiceError(e) && e.kind === 'invalid')) throw e;
      failure = e;
    }
  }

  const request = failure === undefined ? requestOf(body) : sanitised(body);
  const task = newTask(taskId, request, {
    source: 'queue',
    ttlSeconds,
    error: failure && { code: failure.code, message: failure.message, kind: failure.kind },
  });
  const outcome = await services.tasks.create(task);
  if (!outcome.created && outcome.existing.requestHash !== task.requestHash) {
    const reason = `Task id '${taskId}' is already used by a different request`;
    return deadLetter(services, message, reason);
  }
  if (failure !== undefined) {
    services.logger.warn('upstream request refused', { taskId, code: failure.code, error: failure.message });
    if (outcome.created || outcome.existing.eventPublished === false) await services.events.publish(task);
    return 'done';
  }
  await runTask(taskId, services);
  return 'done';
}

function requestOf(body: Record<string, unknown>): ProvisionRequest {
  const { taskId: _taskId, ...request } = body;
  return request as ProvisionRequest;
}

/** What an invalid message can safely be recorded as: its template id, if it has a usable one. */
function sanitised(body: Record<string, unknown>): ProvisionRequest {
  const id = body.provisioningTemplateId;
  // Well-formed, so that an unpaired surrogate (or a pair cut in two) cannot break the task's write.
  const shown = typeof id === 'string' ? id.slice(0, 128).toWellFormed() : '(missing)';
  return { provisioningTemplateId: shown, parameters: {} };
}
