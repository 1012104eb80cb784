import { randomUUID } from 'node:crypto';
import { classifyAwsError } from '../aws/classify-error.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { TransientError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { IoTClient } from '@aws-sdk/client-iot';
import type { EventPublisher } from '../tasks/completion-events.js';
import { TaskBusyError, TaskNotFoundError } from '../tasks/errors.js';
import type { Task, TaskError } from '../tasks/model.js';
import { certificateModeOf, countTaskEnding } from '../tasks/task-metrics.js';
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
  metrics: Metrics;
  logger: Logger;
  leaseSeconds: number;
  /** The certificate inventory (src/inventory/task-recorder.ts). */
  certificates: CertificateRecorder;
}

/**
 * Runs one task under a lease: provision, then SUCCEEDED; or on a permanent error record it,
 * remove what the task created, then FAILED. Transient errors give the lease back and propagate,
 * so the message is redelivered and the next run resumes from the checkpoint. A finished task
 * is never run again, but its completion event is published again: the delivery that ended it
 * may have died before publishing (at least once; consumers de-duplicate on the task id).
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
    await deps.events.publish(claim.task);
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
    const outcome = await provisionOrRecordError(ctx, owner, deps);
    if ('succeeded' in outcome) {
      const done = outcome.succeeded;
      countTaskEnding(deps.metrics, done, { mode: await certificateModeOf(done, deps.templates) });
      // After the final write, outside the provisioning's error handling: an event that cannot be
      // published fails the delivery, not the device, and the next delivery publishes it.
      await deps.events.publish(done);
      return done;
    }
    error = outcome.error;
  }

  const leftBehind = await compensate(ctx);
  const message =
    leftBehind.length === 0
      ? error.message
      : `${error.message} (clean-up incomplete: ${leftBehind.join('; ')})`;
  const failed = await deps.tasks.fail(taskId, owner, { ...error, message });
  logger.info('task failed', { code: error.code, leftBehind });
  countTaskEnding(deps.metrics, failed, { mode: await certificateModeOf(failed, deps.templates) });
  await deps.events.publish(failed);
  return failed;
}

/** Provisions and records SUCCEEDED; or records why the task fails, for compensation to follow. */
async function provisionOrRecordError(
  ctx: ProvisioningContext,
  owner: string,
  deps: TaskRunnerDeps,
): Promise<{ succeeded: Task } | { error: TaskError }> {
  const { taskId, logger } = ctx;
  try {
    const result = await provision(ctx, deps);
    await deps.certificates.recordProvisioned(ctx, result);
    const succeeded = await deps.tasks.succeed(taskId, owner, result);
    logger.info('task succeeded', { resourceArns: result.resourceArns });
    return { succeeded };
  } catch (e: unknown) {
    const failure = classifyAwsError(e, 'provisioning the device');
    if (failure instanceof TransientError) throw failure;
    const error = { code: failure.code, message: failure.message, kind: failure.kind };
    logger.warn('task failing', { ...error });
    await deps.tasks.recordError(taskId, owner, error);
    return { error };
  }
}
