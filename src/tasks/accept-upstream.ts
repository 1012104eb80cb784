import type { Config } from '../config.js';
import { InvalidInputError, isServiceError, type ServiceError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { validator } from '../validation.js';
import type { Admission } from './admission.js';
import type { EventPublisher } from './completion-events.js';
import { isClientTag } from './client-tag.js';
import { ClientTagError } from './errors.js';
import type { Task } from './model.js';
import { newTask, requestHash } from './new-task.js';
import { UpstreamRequest } from './request-message.js';
import { TaskId, type ProvisionRequest } from './request.js';
import { countTaskEnding } from './task-metrics.js';
import type { TaskStore } from './task-store.js';

const upstream = validator(UpstreamRequest);
const taskIdShape = validator(TaskId);

export interface UpstreamDeps {
  admission: Admission;
  tasks: TaskStore;
  events: EventPublisher;
  metrics: Metrics;
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
  | { kind: 'conflict'; taskId: string; reason: string };

/**
 * The upstream counterpart of `submitTask`: the same admission, but a request that cannot work
 * becomes a FAILED task the publisher can read (by its own `taskId`, or the SQS message id), not
 * an HTTP error. Delivery is at-least-once, so a redelivered message finds its task again.
 */
export async function acceptUpstreamRequest(
  body: Record<string, unknown>,
  message: { messageId: string; client: string | undefined },
  deps: UpstreamDeps,
): Promise<UpstreamOutcome> {
  const taskId = upstreamTaskId(body, message.messageId);

  let failure: ServiceError | undefined;
  let templateVersion: string | undefined;
  // A malformed tag refuses the request, and is not carried on the task or its event.
  const client = message.client !== undefined && isClientTag(message.client) ? message.client : undefined;
  const problems = upstream.problems(body);
  if (client !== message.client) {
    failure = new ClientTagError("The message attribute 'client'");
  } else if (problems.length > 0) {
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
    client,
    ttlSeconds: deps.config.resultTtlSeconds,
    templateVersion,
    error: failure && { code: failure.code, message: failure.message, kind: failure.kind },
  });
  if (failure === undefined) return { kind: 'accepted', task };
  const outcome = await deps.tasks.create(task);
  if (!outcome.created && outcome.existing.requestHash !== task.requestHash) {
    return { kind: 'conflict', taskId, reason: conflictReason(taskId) };
  }
  deps.logger.warn('upstream request refused', { taskId, code: failure.code, error: failure.message });
  if (outcome.created) countTaskEnding(deps.metrics, task, { template: '(unchecked)' });
  // A redelivered message publishes again: the delivery that recorded the task may have died first.
  await deps.events.publish(outcome.created ? task : outcome.existing);
  return { kind: 'refused', taskId };
}

/** Why a message whose task id belongs to another request is left for a person. */
export const conflictReason = (taskId: string) =>
  `Task id '${taskId}' is already used by a different request`;

/** The task id of an upstream message: its own `taskId` if it has a usable one, else the SQS message id. */
export function upstreamTaskId(body: Record<string, unknown>, messageId: string): string {
  return taskIdShape.check(body.taskId) ? body.taskId : messageId;
}

/**
 * Whether `task` records this message's request (as `acceptUpstreamRequest` or a dead letter
 * recorded it: the request, or what is safe to keep of it), not another request under its id.
 */
export function recordsRequest(task: Pick<Task, 'requestHash'>, body: Record<string, unknown>): boolean {
  return (
    task.requestHash === requestHash(recordedRequest(body)) ||
    task.requestHash === requestHash(sanitised(body))
  );
}

/** The request a message's task records: the request itself when valid, else what is safe to keep. */
export function recordedRequest(body: Record<string, unknown>): ProvisionRequest {
  return upstream.check(body) ? requestOf(body) : sanitised(body);
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
