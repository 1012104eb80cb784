import { randomUUID } from 'node:crypto';
import { classifyAwsError } from '../aws/classify-error.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { TransientError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { IoTClient } from '@aws-sdk/client-iot';
import type { EventPublisher } from '../tasks/completion-events.js';
import { TaskBusyError, TaskNotFoundError } from '../tasks/errors.js';
import type { Task, TaskError } from '../tasks/model.js';
import type { TaskStore } from '../tasks/task-store.js';
import type { CertificateRecorder } from './certificate-recorder.js';
import { compensate } from './compensate.js';
import { leasedContext, type ProvisioningContext } from './context.js';
import { provision, type ProvisioningDeps } from './provision.js';

export interface TaskRunnerDeps extends ProvisioningDeps {
  tasks: TaskStore;
  iot: IoTClient;
  secrets: SecretBox;
  events: EventPublisher;
  logger: Logger;
  leaseSeconds: number;
  /** The certificate inventory (src/inventory/task-recorder.ts). */
  certificates: CertificateRecorder;
}

/**
 * Runs one task under a lease: provision, then SUCCEEDED; or on a permanent error record it,
 * remove what the task created, then FAILED. Transient errors give the lease back and propagate,
 * so the message is redelivered and the next run resumes from the checkpoint. A finished task
 * is never run again; only its completion event is re-sent if that had not gone out.
 * With `abandon`, the task is not provisioned: what it made so far is removed and it fails.
 */
export async function runTask(
  taskId: string,
  deps: TaskRunnerDeps,
  options: { abandon?: TaskError } = {},
): Promise<Task> {
  const owner = randomUUID();
  const claim = await deps.tasks.claim(taskId, owner, deps.leaseSeconds);
  if (claim.kind === 'missing') throw new TaskNotFoundError(taskId);
  if (claim.kind === 'busy') throw new TaskBusyError(taskId);
  if (claim.kind === 'finished') {
    if (claim.task.eventPublished === false) await deps.events.publish(claim.task);
    return claim.task;
  }

  const task = claim.task;
  const logger = deps.logger.child({ taskId });
  const ctx = leasedContext({ ...deps, logger }, task, owner);
  logger.info('task started', { attempt: task.attempts, templateId: task.request.provisioningTemplateId });

  try {
    if (options.abandon !== undefined && task.error === undefined) {
      // Give up on the task (its message died): compensate and fail it instead of provisioning.
      await deps.tasks.recordError(taskId, owner, options.abandon);
      task.error = options.abandon;
    }
    return await finish(ctx, task, owner, deps);
  } catch (e: unknown) {
    const failure = classifyAwsError(e, 'provisioning the device');
    if (failure instanceof TransientError) {
      logger.warn('task interrupted; will retry', { code: failure.code, error: failure.message });
      await deps.tasks.release(taskId, owner).catch(() => undefined);
    }
    throw failure;
  }
}

async function finish(
  ctx: ProvisioningContext,
  task: Task,
  owner: string,
  deps: TaskRunnerDeps,
): Promise<Task> {
  const { taskId, logger } = ctx;
  // A previous run decided to fail and was cut off while cleaning up: finish that first.
  let error: TaskError | undefined = task.error;
  if (error === undefined) {
    try {
      const result = await provision(ctx, deps);
      await deps.certificates.recordProvisioned(ctx, result);
      const done = await deps.tasks.succeed(taskId, owner, result);
      logger.info('task succeeded', { resourceArns: result.resourceArns });
      await deps.events.publish(done);
      return done;
    } catch (e: unknown) {
      const failure = classifyAwsError(e, 'provisioning the device');
      if (failure instanceof TransientError) throw failure;
      error = { code: failure.code, message: failure.message, kind: failure.kind };
      logger.warn('task failing', { ...error });
      await deps.tasks.recordError(taskId, owner, error);
    }
  }

  const leftBehind = await compensate(ctx);
  const message =
    leftBehind.length === 0
      ? error.message
      : `${error.message} (clean-up incomplete: ${leftBehind.join('; ')})`;
  const failed = await deps.tasks.fail(taskId, owner, { ...error, message });
  logger.info('task failed', { code: error.code, leftBehind });
  await deps.events.publish(failed);
  return failed;
}
