import type { Tally } from './bulk-store.js';
import type { ChunkDeps } from './chunk-deps.js';
import type { BulkTask } from './model.js';
import { chunksInFlightOf } from './plan.js';

type FinishDeps = Pick<ChunkDeps, 'bulk' | 'chunksInFlight' | 'bulkEvents' | 'logger' | 'metrics'>;

/**
 * After a chunk is added up: counts its devices (metrics) and ends the task if every chunk is
 * complete, publishing its completion event. The chain's last chunks (the last `chunksInFlight`,
 * which finish last but for retries) check the chunks themselves, the others only when the task's
 * counters say it may be done.
 */
export async function finishTaskIfDone(
  task: BulkTask,
  index: number,
  deps: FinishDeps,
  tally?: Tally,
): Promise<void> {
  if (tally !== undefined) countDevices(deps, tally);
  const tail = index >= (task.chunkCount ?? 0) - chunksInFlightOf(task, deps.chunksInFlight);
  const finished = await deps.bulk.completeIfDone(task.taskId, { exact: tail });
  if (finished === undefined) return;
  deps.logger.info('bulk task finished', { bulkTaskId: task.taskId, status: finished.status });
  await deps.bulkEvents.publishIfEnded(finished);
}

/**
 * The chunk of a task that is no longer InProgress: if the task was cancelled (or failed) while
 * this chunk was active, the lines it counted are added to the task and the chunk stops; the task
 * ends when its last active chunk has stopped. Whoever finds the task ended with its completion
 * event still due publishes it, which also repairs a crash between an ending and its event.
 */
export async function settleChunk(task: BulkTask, index: number, deps: FinishDeps): Promise<void> {
  let latest: BulkTask | undefined = task;
  if (task.activeChunks?.has(index) === true) {
    const stopped = await deps.bulk.stopChunk(task.taskId, index);
    if (stopped !== undefined) countDevices(deps, stopped);
    latest = stopped?.task ?? (await deps.bulk.get(task.taskId));
  }
  if (latest !== undefined) await deps.bulkEvents.publishIfEnded(latest);
}

function countDevices(deps: Pick<ChunkDeps, 'metrics'>, tally: Tally): void {
  for (const status of ['SUCCEEDED', 'FAILED', 'SKIPPED'] as const) {
    const n = tally[status === 'SUCCEEDED' ? 'succeeded' : status === 'FAILED' ? 'failed' : 'skipped'];
    if (n > 0) deps.metrics.count('bulkDevices', { status }, n);
  }
}
