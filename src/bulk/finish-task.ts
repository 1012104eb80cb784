import type { ChunkDeps } from './chunk-deps.js';
import type { BulkTask } from './model.js';
import { chunksInFlightOf } from './plan.js';

/**
 * After a chunk is added up: ends the task if every chunk is complete. The chain's last chunks
 * (the last `chunksInFlight`, which finish last but for retries) check the chunks themselves,
 * the others only when the task's counters say it may be done.
 */
export async function finishTaskIfDone(
  task: BulkTask,
  index: number,
  deps: Pick<ChunkDeps, 'bulk' | 'chunksInFlight' | 'onFinished'>,
): Promise<void> {
  const tail = index >= (task.chunkCount ?? 0) - chunksInFlightOf(task, deps.chunksInFlight);
  const finished = await deps.bulk.completeIfDone(task.taskId, { exact: tail });
  if (finished !== undefined) await deps.onFinished(finished);
}
