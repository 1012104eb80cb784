import { deviceProblem } from '../provisioning/device-check.js';
import { runTask, type TaskRunnerDeps } from '../provisioning/run-task.js';
import type { MessageQueue } from '../queue/message-queue.js';
import type { ObjectReader } from '../storage/object-store.js';
import { silentEvents } from '../tasks/completion-events.js';
import { TransientError } from '../errors.js';
import { TaskBusyError } from '../tasks/errors.js';
import type { Task, TaskError } from '../tasks/model.js';
import { newTask } from '../tasks/new-task.js';
import { lineTaskId } from '../tasks/task-key.js';
import type { LoadedTemplate } from '../templates/loaded-template.js';
import type { BulkStore, Tally } from './bulk-store.js';
import type { BulkEvents } from './completion-event.js';
import { bulkInputGone } from './errors.js';
import type { BulkTask, Chunk } from './model.js';
import { linesOf, parseLine } from './parse-line.js';
import { sendChunkMessages } from './plan.js';

export interface ChunkDeps extends TaskRunnerDeps {
  objects: ObjectReader;
  /** The bulk queue, where a chunk's successor goes. */
  queue: MessageQueue;
  bulk: BulkStore;
  chunksInFlight: number;
  lineConcurrency: number;
  ttlSeconds: number;
  /** Publishes the task's completion event once it has ended. */
  bulkEvents: BulkEvents;
}

const STATUS_REFRESH_MS = 1000;

/**
 * Provisions the devices of one chunk, a few at a time, each as an ordinary provisioning task
 * (same engine, claim and compensation as POST /things), and counts each finished device
 * exactly once in the chunk's tally; then it sends the chunk's successor and, when every device
 * is counted, adds the chunk's tally to the task. With `abandon` (the chunk's message died),
 * devices are not provisioned: what they made is removed and they are counted as failures.
 */
export async function runChunk(
  bulkTaskId: string,
  index: number,
  deps: ChunkDeps,
  options: { abandon?: TaskError } = {},
): Promise<void> {
  const task = await deps.bulk.get(bulkTaskId);
  const chunk = await deps.bulk.getChunk(bulkTaskId, index);
  if (task === undefined || chunk === undefined) return;
  if (task.status !== 'InProgress') {
    await settle(task, index, deps);
    return;
  }
  if (!(await deps.bulk.startChunk(bulkTaskId, index))) {
    const now = await deps.bulk.get(bulkTaskId);
    if (now !== undefined && now.status !== 'InProgress') {
      await settle(now, index, deps);
      return;
    }
    // Already added up by an earlier delivery, which may have died before sending the successor.
    await sendSuccessor(task, chunk, deps);
    return;
  }

  const isRunning = statusWatcher(deps.bulk, bulkTaskId);
  const lines = [...linesOf(await readSlice(deps.objects, task, chunk), chunk.firstLine)];
  const template = await deps.templates.load(task.provisioningTemplateId, task.templateVersion);
  const runner = { ...deps, events: silentEvents, logger: deps.logger.child({ bulkTaskId }) };

  let next = 0;
  let retryAfterSeconds = 0;
  const worker = async () => {
    while (next < lines.length) {
      const item = lines[next++];
      if (item === undefined || !(await isRunning())) return;
      const waiting = await provisionLine(task, index, item, { ...runner, template }, options.abandon);
      if (waiting !== undefined) retryAfterSeconds = Math.max(retryAfterSeconds, waiting);
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.lineConcurrency, lines.length) }, worker));
  await sendSuccessor(task, chunk, deps);

  const tally = await deps.bulk.finishChunk(bulkTaskId, index);
  if (tally !== undefined) {
    countDevices(deps, tally);
    const finished = await deps.bulk.completeIfDone(bulkTaskId);
    if (finished !== undefined) {
      deps.logger.info('bulk task finished', { bulkTaskId, status: finished.status });
      await deps.bulkEvents.publishIfEnded(finished);
    }
  } else if (await isRunning(true)) {
    // A device was busy under another delivery of this chunk, or must wait: come back for it.
    throw new TransientError(
      'BULK_CHUNK_INCOMPLETE',
      `Chunk ${index} of bulk task ${bulkTaskId} is not complete yet`,
      { retryAfterSeconds },
    );
  } else {
    const stopped = await deps.bulk.get(bulkTaskId);
    if (stopped !== undefined) await settle(stopped, index, deps);
  }
}

/**
 * The chunk of a task that is no longer InProgress: if the task was cancelled (or failed) while
 * this chunk was active, the devices it ran are added to the task and the chunk stops; the task
 * ends when its last active chunk has stopped. Whoever finds the task ended with its completion
 * event still due publishes it, which also repairs a crash between an ending and its event.
 */
async function settle(task: BulkTask, index: number, deps: ChunkDeps): Promise<void> {
  let latest: BulkTask | undefined = task;
  if (task.activeChunks?.has(index) === true) {
    const stopped = await deps.bulk.stopChunk(task.taskId, index);
    if (stopped !== undefined) countDevices(deps, stopped);
    latest = stopped?.task ?? (await deps.bulk.get(task.taskId));
  }
  if (latest !== undefined) await deps.bulkEvents.publishIfEnded(latest);
}

function countDevices(deps: ChunkDeps, tally: Tally): void {
  if (tally.succeeded > 0) deps.metrics.count('bulkDevices', { status: 'SUCCEEDED' }, tally.succeeded);
  if (tally.failed > 0) deps.metrics.count('bulkDevices', { status: 'FAILED' }, tally.failed);
}

/**
 * One device. Most lines are new: the device's task is recorded already claimed by its first
 * write (runTask's `create`), and is only read when it exists already. A device that cannot finish
 * now (another delivery of this chunk is on it, or it waits for AWS) is left uncounted, and the
 * seconds it asks to wait are returned; the other devices go on.
 */
async function provisionLine(
  bulk: BulkTask,
  chunkIndex: number,
  item: { line: number; bytes: Uint8Array },
  deps: ChunkDeps & { template: LoadedTemplate },
  abandon: TaskError | undefined,
): Promise<number | undefined> {
  const taskId = lineTaskId(bulk.taskId, item.line);
  let device: Task;
  try {
    device = await runTask(taskId, deps, { abandon, create: recordLine(bulk, taskId, item.bytes, deps) });
  } catch (e: unknown) {
    if (!(e instanceof TransientError)) throw e;
    if (!(e instanceof TaskBusyError)) deps.logger.warn('device will be retried', { taskId, code: e.code });
    return e.retryAfterSeconds ?? 0;
  }
  await deps.bulk.countLine(
    bulk.taskId,
    chunkIndex,
    item.line,
    device.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
  );
  return undefined;
}

/** A device's task, from its line: to be run, or FAILED at once when the line itself is unusable. */
function recordLine(
  bulk: BulkTask,
  taskId: string,
  bytes: Uint8Array,
  deps: ChunkDeps & { template: LoadedTemplate },
): Task {
  const parsed = parseLine(bytes);
  const parameters = 'parameters' in parsed ? parsed.parameters : {};
  // The checks POST /things makes, with the same code and message.
  const problem =
    'error' in parsed
      ? { code: 'BULK_LINE_INVALID', message: parsed.error }
      : deviceProblem(deps.template, bulk.cdfProvisioningParameters, parameters, deps);
  const error: TaskError | undefined = problem && {
    code: problem.code,
    message: `Line ${lineOf(taskId)}: ${problem.message}`,
    kind: 'invalid',
  };
  const request = {
    provisioningTemplateId: bulk.provisioningTemplateId,
    parameters,
    ...(bulk.cdfProvisioningParameters ? { cdfProvisioningParameters: bulk.cdfProvisioningParameters } : {}),
  };
  return newTask(taskId, request, {
    source: 'queue',
    ttlSeconds: deps.ttlSeconds,
    templateVersion: bulk.templateVersion,
    error,
  });
}

const lineOf = (taskId: string) => taskId.slice(taskId.lastIndexOf(':') + 1);

async function readSlice(objects: ObjectReader, task: BulkTask, chunk: Chunk): Promise<Uint8Array> {
  if (chunk.end <= chunk.start) return new Uint8Array();
  const slice = await objects.readRange(task.input, chunk.start, chunk.end);
  if (slice === undefined) throw bulkInputGone(task.input);
  return slice;
}

async function sendSuccessor(task: BulkTask, chunk: Chunk, deps: ChunkDeps): Promise<void> {
  const successor = chunk.index + deps.chunksInFlight;
  if (chunk.successorSent === true || successor >= (task.chunkCount ?? 0)) return;
  await sendChunkMessages(deps.queue, task.taskId, [successor]);
  await deps.bulk.markSuccessorSent(task.taskId, chunk.index);
}

/** Cancellation is noticed within a second, without a read per device. */
function statusWatcher(bulk: BulkStore, taskId: string): (fresh?: boolean) => Promise<boolean> {
  let checkedAt = Date.now();
  let running = true;
  return async (fresh = false) => {
    if (running && (fresh || Date.now() - checkedAt > STATUS_REFRESH_MS)) {
      checkedAt = Date.now();
      running = (await bulk.get(taskId))?.status === 'InProgress';
    }
    return running;
  };
}
