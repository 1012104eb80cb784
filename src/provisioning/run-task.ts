import { randomUUID } from 'node:crypto';
import { classifyAwsError } from '../aws/classify-error.js';
import { InternalError, TransientError, type ServiceError } from '../errors.js';
import type { Metrics } from '../metrics/metrics.js';
import type { EventPublisher } from '../tasks/completion-events.js';
import { TaskBusyError, TaskConflictError, TaskNotFoundError } from '../tasks/errors.js';
import type { Task, TaskError } from '../tasks/model.js';
import { certificateModeOf, countTaskEnding } from '../tasks/task-metrics.js';
import type { Lease, TaskStore } from '../tasks/task-store.js';
import { suspectWindow, waitOutSuspect, type Delivery } from './ambiguous-creates.js';
import type { CertificateRecorder } from './certificate-recorder.js';
import { compensate } from './compensate.js';
import { leasedContext } from './context.js';
import { prepare, removeCertificate, type Preparation, type PreparationDeps } from './prepare.js';
import { provision, type ProvisioningDeps } from './provision.js';
import type { ReplacedCertificates } from './replaced-certificates.js';
import { templateOfTask } from './rotation-template.js';
import { settleWindows } from './settle-windows.js';

export interface TaskRunnerDeps extends ProvisioningDeps, PreparationDeps {
  tasks: TaskStore;
  events: EventPublisher;
  metrics: Metrics;
  leaseSeconds: number;
  /** The certificate inventory (src/inventory/task-recorder.ts). */
  certificates: CertificateRecorder;
  /** What a rotation does with the certificate it replaced (src/rotation/retire-replaced.ts). */
  replaced: ReplacedCertificates;
}

export interface RunOptions {
  /** Do not provision: remove what the task made so far and fail it (its message died). */
  abandon?: TaskError;
  delivery?: Delivery;
  /** The task of a queue message or bulk line: recorded already claimed, unless it exists. */
  create?: Task;
}

type Started =
  | { kind: 'finished'; task: Task }
  | { kind: 'claimed'; task: Task; before?: Task; preparation?: Preparation };

/**
 * Runs one task: prepare, claim, provision, SUCCEEDED; or on a permanent error record it, remove
 * what the task made, then FAILED. A device costs three writes (see TaskStore): its task recorded
 * (by the API), the claim, the result; a queue message or a bulk line records its task already
 * claimed, and, when its template makes a certificate or key first, writes the claim's record
 * second. Transient errors give the lease back and propagate, so the message comes back and the
 * next delivery resumes from what the claim recorded. A finished task is never run again, but its
 * completion event is published again: the delivery that ended it may have died before publishing
 * (at least once; consumers de-duplicate on the task id).
 */
export async function runTask(taskId: string, deps: TaskRunnerDeps, options: RunOptions = {}): Promise<Task> {
  const lease: Lease = { owner: randomUUID(), seconds: deps.leaseSeconds };
  const logged = { ...deps, logger: deps.logger.child({ taskId }) };
  let started: Started;
  try {
    started = await start(taskId, logged, options, lease);
  } catch (e: unknown) {
    throw classifyAwsError(e, 'starting the task');
  }
  if (started.kind === 'finished') return started.task;
  return runClaimed(started, logged, options, lease);
}

async function start(
  taskId: string,
  deps: TaskRunnerDeps,
  options: RunOptions,
  lease: Lease,
): Promise<Started> {
  let seen: Task | undefined;
  if (options.create !== undefined) {
    const created = await startNew(options.create, deps, options, lease);
    if (created.kind !== 'exists') return created;
    seen = created.task;
  } else {
    seen = await deps.tasks.get(taskId);
    if (seen === undefined) throw new TaskNotFoundError(taskId);
  }

  const hadWindows = (seen.unsettled ?? []).length > 0;
  seen = await settleWindows(seen, deps);
  if (isFinished(seen)) {
    await deps.events.publish(seen);
    return { kind: 'finished', task: seen };
  }
  if (holdsLiveLease(seen)) throw new TaskBusyError(taskId);
  // A window settled just now covers whatever an earlier delivery could have made.
  const suspect = hadWindows ? undefined : suspectWindow(seen, options.delivery);

  let preparation: Preparation | undefined;
  if (options.abandon === undefined) {
    preparation = await prepare(seen, deps, { make: true, suspect });
    if (preparation.failure instanceof TransientError && !madeAnything(preparation))
      throw preparation.failure;
  } else if (suspect !== undefined && (await mayMakeUnfindable(seen, deps))) {
    // Before abandoning, the same wait and clean-up as before making a new certificate.
    await waitOutSuspect(deps, taskId, suspect);
  }
  const claim = await deps.tasks.claim(seen, lease, preparation?.record ?? {});
  if (claim.kind === 'claimed') return { kind: 'claimed', task: claim.task, before: seen, preparation };

  // Another worker claimed the task first (a duplicate delivery): what this one made is nobody's.
  if (preparation?.unfindable !== undefined) {
    const window = { from: preparation.startedAt, to: Date.now(), call: 'a claim lost to another worker' };
    await removeCertificate(deps, taskId, preparation.unfindable, window);
  }
  if (claim.kind === 'finished') return { kind: 'finished', task: claim.task };
  if (claim.kind === 'missing') throw new TaskNotFoundError(taskId);
  throw new TaskBusyError(taskId);
}

/**
 * A queue message's or bulk line's task: recorded already claimed, in one conditional write. When
 * its template makes nothing before the claim, the plan goes into that same write; otherwise the
 * certificate or key is made next and recorded with the plan in a second one.
 */
async function startNew(
  fresh: Task,
  deps: TaskRunnerDeps,
  options: RunOptions,
  lease: Lease,
): Promise<Started | Existing> {
  const refused = fresh.status === 'FAILED' ? fresh : undefined;
  let preparation: Preparation | undefined;
  if (refused === undefined && options.abandon === undefined) {
    preparation = await prepare(fresh, deps, { make: false });
    if (preparation.failure instanceof TransientError) throw preparation.failure;
  }
  const failure = preparation?.failure ?? options.abandon;
  const failed = refused ?? (failure === undefined ? undefined : failedTask(fresh, failure));
  if (failed !== undefined) {
    const outcome = await deps.tasks.create(failed);
    if (outcome.created) {
      countTaskEnding(
        deps.metrics,
        failed,
        refused ? {} : { mode: await certificateModeOf(failed, deps.templates) },
      );
      await deps.events.publish(failed);
      return { kind: 'finished', task: failed };
    }
    return existing(fresh, outcome.existing);
  }

  const claim = await deps.tasks.claimNew(
    fresh,
    lease,
    preparation?.incomplete === true ? {} : (preparation?.record ?? {}),
  );
  if (claim.kind === 'claimed') {
    if (preparation?.incomplete !== true) return { kind: 'claimed', task: claim.task, preparation };
    const made = await prepare(claim.task, deps, { make: true });
    if (made.failure instanceof TransientError && !madeAnything(made)) {
      return { kind: 'claimed', task: claim.task, preparation: made };
    }
    await deps.tasks.record(fresh.taskId, lease, made.record);
    return { kind: 'claimed', task: withRecord(claim.task, made), preparation: made };
  }
  if (claim.kind === 'missing') throw new TaskNotFoundError(fresh.taskId);
  return existing(fresh, claim.task);
}

type Existing = { kind: 'exists'; task: Task };

/** The task the message names exists already: the same request goes on; another is a conflict. */
function existing(fresh: Task, task: Task): Existing {
  if (task.requestHash !== fresh.requestHash) throw new TaskConflictError(fresh.taskId);
  return { kind: 'exists', task };
}

async function runClaimed(
  started: Extract<Started, { kind: 'claimed' }>,
  deps: TaskRunnerDeps,
  options: RunOptions,
  lease: Lease,
): Promise<Task> {
  const { task } = started;
  const logger = deps.logger;
  logger.info('task started', { attempt: task.attempts, templateId: task.request.provisioningTemplateId });
  let ended: Task;
  try {
    ended = await end(started, deps, options, lease);
  } catch (e: unknown) {
    const failure = classifyAwsError(e, 'provisioning the device');
    if (failure instanceof TransientError) {
      logger.warn('task interrupted; will retry', { code: failure.code, error: failure.message });
      await deps.tasks.release(task.taskId, lease.owner).catch(() => undefined);
    }
    throw failure;
  }
  countTaskEnding(deps.metrics, ended, { mode: await certificateModeOf(ended, deps.templates) });
  // After the final write, outside the provisioning's error handling: an event that cannot be
  // published fails the delivery, not the device, and the next delivery publishes it.
  await deps.events.publish(ended);
  return ended;
}

/** Provisions and records SUCCEEDED; or records why the task fails, compensates, and records FAILED. */
async function end(
  started: Extract<Started, { kind: 'claimed' }>,
  deps: TaskRunnerDeps,
  options: RunOptions,
  lease: Lease,
): Promise<Task> {
  const { task, preparation } = started;
  const { taskId } = task;
  const logger = deps.logger;
  const ctx = leasedContext(deps, task, started.before, lease);
  // A previous run decided to fail and was cut off while cleaning up: finish that first.
  let error: TaskError | undefined = task.error;
  if (error === undefined && options.abandon !== undefined) error = options.abandon;
  const prepared = preparation?.failure;
  if (error === undefined && prepared !== undefined) {
    if (prepared instanceof TransientError) throw prepared;
    error = taskError(prepared);
  }
  if (error === undefined && preparation !== undefined) {
    try {
      const outcome = await provision(ctx, deps, preparation);
      // The certificate is final here; recorded before SUCCEEDED, so a crash between the two
      // records it again on the redelivery rather than never (the inventory's write is idempotent).
      await deps.certificates.recordProvisioned({ ...ctx, checkpoint: outcome.checkpoint }, outcome.result);
      // The new certificate is ACTIVE and attached: only now may anything happen to the old one.
      if (task.rotation !== undefined) {
        outcome.result.rotation = await deps.replaced.retireReplaced(task.rotation, taskId);
      }
      const done = await deps.tasks.succeed(taskId, lease.owner, outcome);
      logger.info('task succeeded', { resourceArns: outcome.result.resourceArns });
      return done;
    } catch (e: unknown) {
      const failure = classifyAwsError(e, 'provisioning the device');
      if (failure instanceof TransientError) throw failure;
      error = taskError(failure);
    }
  }
  if (error === undefined) throw new InternalError('TASK_NOT_PREPARED', 'The run has nothing to do');
  if (task.error === undefined) {
    logger.warn('task failing', { ...error });
    await deps.tasks.recordError(taskId, lease.owner, error);
  }
  const leftBehind = await compensate(ctx);
  const message =
    leftBehind.length === 0
      ? error.message
      : `${error.message} (clean-up incomplete: ${leftBehind.join('; ')})`;
  const failed = await deps.tasks.fail(taskId, lease.owner, { ...error, message }, ctx.checkpoint);
  logger.info('task failed', { code: error.code, leftBehind });
  return failed;
}

const isFinished = (task: Task) => task.status === 'SUCCEEDED' || task.status === 'FAILED';

const holdsLiveLease = (task: Task, now = Date.now()) =>
  task.status === 'RUNNING' && task.leaseUntil !== undefined && task.leaseUntil >= now;

const madeAnything = (preparation: Preparation) =>
  preparation.record.certificate !== undefined || preparation.record.privateKey !== undefined;

const taskError = (e: ServiceError): TaskError => ({ code: e.code, message: e.message, kind: e.kind });

const failedTask = (task: Task, failure: ServiceError | TaskError): Task => ({
  ...task,
  status: 'FAILED',
  error: { code: failure.code, message: failure.message, kind: failure.kind },
});

function withRecord(task: Task, preparation: Preparation): Task {
  const { plan, certificate, privateKey } = preparation.record;
  return {
    ...task,
    ...(plan ? { plan } : {}),
    ...(privateKey ? { privateKey } : {}),
    checkpoint: certificate ? { ...task.checkpoint, certificate } : task.checkpoint,
  };
}

/** Whether the template can make a certificate AWS cannot find again (when it cannot be read: assume so). */
async function mayMakeUnfindable(task: Task, deps: TaskRunnerDeps): Promise<boolean> {
  try {
    const template = await templateOfTask(task, deps.templates);
    if (template.certificateMode === 'createDeviceAWSCertificate') return true;
    return Object.values(template.parsed.aws.Resources).some(
      (r) => r.Type === 'AWS::IoT::Certificate' && Object.hasOwn(r.Properties, 'CertificateSigningRequest'),
    );
  } catch {
    return true;
  }
}
