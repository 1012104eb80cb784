import type { Config } from '../config.js';
import { InvalidInputError, isServiceError, type ServiceError } from '../errors.js';
import type { Logger } from '../logger.js';
import { validator } from '../validation.js';
import type { Admission } from './admission.js';
import type { EventPublisher } from './completion-events.js';
import type { Task } from './model.js';
import { newTask } from './new-task.js';
import { UpstreamRequest } from './request-message.js';
import { TaskId, type ProvisionRequest } from './request.js';
import type { TaskStore } from './task-store.js';

const upstream = validator(UpstreamRequest);
const taskIdShape = validator(TaskId);

export interface UpstreamDeps {
  admission: Admission;
  tasks: TaskStore;
  events: EventPublisher;
  logger: Logger;
  config: Pick<Config, 'resultTtlSeconds'>;
}

/**
 * What became of a request an upstream system published straight to the requests queue:
 * `accepted` (its task, to be recorded already claimed by the worker that runs it, or found
 * recorded by an earlier delivery), `refused` (recorded FAILED with the reason, its completion
 * event sent), or `conflict` (its task id belongs to a different request: nothing recorded, the
 * message is for a person).
 */
export type UpstreamOutcome =
  | { kind: 'accepted'; task: Task }
  | { kind: 'refused'; taskId: string }
  | { kind: 'conflict'; reason: string };

/**
 * The upstream counterpart of `submitTask`: the same admission, but a request that cannot work
 * becomes a FAILED task the publisher can read (by its own `taskId`, or the SQS message id), not
 * an HTTP error. Delivery is at-least-once, so a redelivered message finds its task again.
 */
export async function acceptUpstreamRequest(
  body: Record<string, unknown>,
  messageId: string,
  deps: UpstreamDeps,
): Promise<UpstreamOutcome> {
  const taskId = taskIdShape.check(body.taskId) ? body.taskId : messageId;

  let failure: ServiceError | undefined;
  let templateVersion: string | undefined;
  const problems = upstream.problems(body);
  if (problems.length > 0) {
    failure = new InvalidInputError(
      'MESSAGE_INVALID',
      `The message is not a valid provisioning request: ${problems.join('; ')}`,
    );
  } else {
    try {
      ({ templateVersion } = await deps.admission.admit(requestOf(body)));
    } catch (e: unknown) {
      if (!(isServiceError(e) && e.kind === 'invalid')) throw e;
      failure = e;
    }
  }

  const request = failure === undefined ? requestOf(body) : sanitised(body);
  const task = newTask(taskId, request, {
    source: 'queue',
    ttlSeconds: deps.config.resultTtlSeconds,
    templateVersion,
    error: failure && { code: failure.code, message: failure.message, kind: failure.kind },
  });
  if (failure === undefined) return { kind: 'accepted', task };
  const outcome = await deps.tasks.create(task);
  if (!outcome.created && outcome.existing.requestHash !== task.requestHash) {
    return { kind: 'conflict', reason: conflictReason(taskId) };
  }
  deps.logger.warn('upstream request refused', { taskId, code: failure.code, error: failure.message });
  // Sent again for a redelivered message: at-least-once, as for every completion event.
  await deps.events.publish(outcome.created ? task : outcome.existing);
  return { kind: 'refused', taskId };
}

/** Why a message whose task id belongs to another request is left for a person. */
export const conflictReason = (taskId: string) =>
  `Task id '${taskId}' is already used by a different request`;

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
