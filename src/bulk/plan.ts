import type { MessageQueue } from '../queue/message-queue.js';
import type { ObjectReader } from '../storage/object-store.js';
import type { BulkStore } from './bulk-store.js';
import type { BulkEvents } from './completion-event.js';
import { bulkInputGone } from './errors.js';
import type { BulkMessage } from './messages.js';
import type { BulkTask, Chunk } from './model.js';

export interface PlanDeps {
  objects: ObjectReader;
  /** The bulk queue, where the chunk messages go. */
  queue: MessageQueue;
  bulk: BulkStore;
  chunkSize: number;
  chunksInFlight: number;
  /** An empty input ends the task at once, with its completion event. */
  bulkEvents: BulkEvents;
}

/**
 * Reads a bulk task's input once, as a stream (memory stays flat however large the file), and
 * cuts it into chunks of `chunkSize` non-blank lines recorded by byte range. Only the first
 * `chunksInFlight` chunk messages are sent; each chunk sends its successor when it finishes. That
 * keeps every bulk task to a few messages on the queue at a time, so tasks running together take
 * turns instead of the first one's thousands of chunks holding up the rest.
 */
export async function planBulkTask(task: BulkTask, deps: PlanDeps): Promise<void> {
  if (task.status === 'Pending') {
    const { totalCount, chunks } = await cutIntoChunks(task, deps);
    await deps.bulk.planned(task.taskId, totalCount, chunks);
  } else if (task.status !== 'InProgress') {
    // A plan message delivered again after its task ended: its event may still be due.
    await deps.bulkEvents.publishIfEnded(task);
    return;
  }
  const planned = await deps.bulk.get(task.taskId);
  if (planned === undefined) return;
  if (planned.status !== 'InProgress') {
    // An empty input is Completed at once (or the task was cancelled meanwhile).
    await deps.bulkEvents.publishIfEnded(planned);
    return;
  }
  const chunkCount = planned.chunkCount ?? 0;
  if (chunkCount === 0) return;
  // A redelivered plan message sends these again: chunk work is idempotent, so that is harmless.
  const first = Array.from({ length: Math.min(deps.chunksInFlight, chunkCount) }, (_, chunk) => chunk);
  await sendChunkMessages(deps.queue, task.taskId, first);
}

async function cutIntoChunks(
  task: BulkTask,
  deps: PlanDeps,
): Promise<{ totalCount: number; chunks: number }> {
  const body = await deps.objects.stream(task.input);
  if (body === undefined) throw bulkInputGone(task.input);
  let pending: Chunk[] = [];
  let chunks = 0;
  let totalCount = 0;
  let offset = 0;
  let line = 1;
  let lineHasContent = false;
  let current = { start: 0, firstLine: 1, lines: 0 };

  const closeChunk = async (end: number) => {
    pending.push({
      index: chunks,
      start: current.start,
      end,
      firstLine: current.firstLine,
      lineCount: current.lines,
    });
    chunks += 1;
    if (pending.length === 25) {
      await deps.bulk.putChunks(task.taskId, pending);
      pending = [];
    }
  };

  for await (const bytes of body) {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 0x0a) {
        if (lineHasContent) current.lines += 1;
        lineHasContent = false;
        line += 1;
        if (current.lines === deps.chunkSize) {
          await closeChunk(offset + i + 1);
          totalCount += current.lines;
          current = { start: offset + i + 1, firstLine: line, lines: 0 };
        }
      } else if (b !== 0x20 && b !== 0x09 && b !== 0x0d) {
        lineHasContent = true;
      }
    }
    offset += bytes.length;
  }
  if (lineHasContent) current.lines += 1;
  if (current.lines > 0) {
    await closeChunk(offset);
    totalCount += current.lines;
  }
  if (pending.length > 0) await deps.bulk.putChunks(task.taskId, pending);
  return { totalCount, chunks };
}

export async function sendChunkMessages(
  queue: MessageQueue,
  bulkTaskId: string,
  chunks: number[],
): Promise<void> {
  await queue.sendBatch(
    chunks.map((chunk) => {
      const message: BulkMessage = { type: 'bulk.chunk', bulkTaskId, chunk };
      return JSON.stringify(message);
    }),
  );
}
