import { BulkMessage } from '../src/bulk/messages.js';
import type { BulkTask } from '../src/bulk/model.js';
import { planBulkTask, type PlanDeps } from '../src/bulk/plan.js';
import { runChunk, type ChunkDeps } from '../src/bulk/run-chunk.js';
import { isServiceError, type ServiceError } from '../src/errors.js';
import type { TaskError } from '../src/tasks/model.js';
import { validator } from '../src/validation.js';
import type { WorkerServices } from './compose.js';
import { deadLetter } from './dead-letter.js';
import type { InboundMessage } from './inbound-message.js';
import type { Handled } from './process-batch.js';

const bulkMessage = validator(BulkMessage);

/** A message from the bulk queue: a task to plan, or a chunk of devices to provision. */
export async function handleBulkMessage(message: InboundMessage, services: WorkerServices): Promise<Handled> {
  return dispatch(message, services, undefined);
}

/**
 * A bulk message that died: a plan fails its task; a chunk's devices are abandoned (what they made
 * is removed) and counted as failures, and the chain of chunks goes on, so the task still ends.
 */
export async function handleBulkDeadLetter(
  message: InboundMessage,
  services: WorkerServices,
): Promise<Handled> {
  return dispatch(message, services, {
    code: 'MESSAGE_DEAD_LETTERED',
    message: 'This device could not be provisioned: its chunk failed on every delivery (see the worker logs)',
    kind: 'internal',
  });
}

async function dispatch(
  message: InboundMessage,
  services: WorkerServices,
  abandon: TaskError | undefined,
): Promise<Handled> {
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch {
    body = undefined;
  }
  if (!bulkMessage.check(body)) {
    if (abandon !== undefined) return 'keep';
    return deadLetter(services, services.queues.bulkDlq, message, 'Not a bulk queue message');
  }
  if (body.type === 'bulk.plan') {
    const task = await services.bulk.get(body.bulkTaskId);
    if (task === undefined) return 'done';
    if (abandon !== undefined) {
      await failTask(services, task, {
        code: abandon.code,
        message: 'The bulk task could not be planned (see the worker logs)',
      });
      return 'done';
    }
    try {
      await planBulkTask(task, planDeps(services));
    } catch (e: unknown) {
      if (!isPermanent(e)) throw e;
      services.logger.warn('bulk task failed in planning', { bulkTaskId: task.taskId, code: e.code });
      await failTask(services, task, { code: e.code, message: e.message });
    }
    return 'done';
  }
  await runChunk(body.bulkTaskId, body.chunk, chunkDeps(services), { abandon });
  return 'done';
}

/** Fails the task (unless it ended meanwhile) and publishes its event if that is due. */
async function failTask(
  services: WorkerServices,
  task: BulkTask,
  error: { code: string; message: string },
): Promise<void> {
  const failed = (await services.bulk.fail(task.taskId, error)) ?? (await services.bulk.get(task.taskId));
  if (failed !== undefined) await services.bulkEvents.publishIfEnded(failed);
}

function isPermanent(e: unknown): e is ServiceError {
  return isServiceError(e) && e.kind !== 'transient';
}

function planDeps(services: WorkerServices): PlanDeps {
  return {
    objects: services.objects,
    queue: services.queues.bulk,
    bulk: services.bulk,
    chunkSize: services.config.bulk.chunkSize,
    chunksInFlight: services.config.bulk.chunksInFlight,
    bulkEvents: services.bulkEvents,
    fleetInput: services.fleetInput,
  };
}

function chunkDeps(services: WorkerServices): ChunkDeps {
  return {
    ...services,
    ...planDeps(services),
    lineConcurrency: services.config.bulk.lineConcurrency,
    ttlSeconds: services.config.resultTtlSeconds,
  };
}
