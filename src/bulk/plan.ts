import type { MessageQueue } from '../queue/message-queue.js';
import type { ObjectReader } from '../storage/object-store.js';
import type { BulkStore } from './bulk-store.js';
import type { BulkEvents } from './completion-event.js';
import { openCsv, type CsvColumns } from './csv-reader.js';
import { bulkInputGone } from './errors.js';
import type { InputLine } from './input-line.js';
import type { BulkMessage } from './messages.js';
import { inputFormat, type BulkTask, type Chunk } from './model.js';
import { readNdjsonLines } from './ndjson-reader.js';

export interface PlanDeps {
  objects: ObjectReader;
  /** The bulk queue, where the chunk messages go. */
  queue: MessageQueue;
  bulk: BulkStore;
  chunkSize: number;
  chunksInFlight: number;
  /** An empty input ends the task at once, with its completion event. */
  bulkEvents: BulkEvents;
  /** Writes a fleet rotation's input file from its selection (src/rotation/fleet-input.ts). */
  fleetInput: FleetInput;
}

/** The port through which the planner turns a fleet rotation's selection into its input file. */
export interface FleetInput {
  /** Writes `task.input`, one NDJSON line per thing to rotate; the same task always the same file. */
  write(task: BulkTask): Promise<void>;
}

/** A retry's chunk spans at most this many bytes of the original file, however sparse its lines. */
const MAX_CHUNK_SPAN = 4 * 1024 * 1024;

/**
 * Reads a bulk task's input once, as a stream (memory stays flat however large the file), and
 * cuts it into chunks of `chunkSize` lines recorded by byte range; a CSV file is read with the
 * shared CSV reader, which knows where each record starts (quotes may hold line breaks), and its
 * header is recorded on the task for the chunk workers. A retry reads its original's input and
 * keeps only the lines that failed there (both in line order: a merge, in flat memory).
 *
 * Only the first `chunksInFlight` chunk messages are sent (one for a dry run, whose chunks run in
 * line order); each chunk sends its successor when it finishes. That keeps every bulk task to a
 * few messages on the queue at a time, so tasks running together take turns instead of the first
 * one's thousands of chunks holding up the rest.
 */
export async function planBulkTask(task: BulkTask, deps: PlanDeps): Promise<void> {
  if (task.status === 'Pending') {
    await deps.bulk.planned(task.taskId, await cutIntoChunks(task, deps));
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
  const inFlight = chunksInFlightOf(planned, deps.chunksInFlight);
  const first = Array.from({ length: Math.min(inFlight, chunkCount) }, (_, chunk) => chunk);
  await sendChunkMessages(deps.queue, task.taskId, first);
}

/**
 * A dry run's chunks run one after the other, so the first line naming a thing always claims the
 * name before any later line does (a later one is the duplicate, as the report must say).
 */
export function chunksInFlightOf(task: BulkTask, configured: number): number {
  return task.dryRun === true ? 1 : configured;
}

async function cutIntoChunks(
  task: BulkTask,
  deps: PlanDeps,
): Promise<{ totalCount: number; chunkCount: number; csv?: CsvColumns }> {
  let body = await deps.objects.stream(task.input);
  // A redelivered plan message finds the file it wrote: the lines stay what they were.
  if (body === undefined && task.source === 'selection') {
    await deps.fleetInput.write(task);
    body = await deps.objects.stream(task.input);
  }
  if (body === undefined) throw bulkInputGone(task.input);
  let csv: CsvColumns | undefined;
  let lines: AsyncIterable<InputLine>;
  if (inputFormat(task.input.key) === 'csv') {
    const opened = await openCsv(body);
    csv = { delimiter: opened.layout.delimiter, columns: opened.layout.columns };
    lines = opened.lines;
  } else {
    lines = readNdjsonLines(body);
  }
  if (task.retryOf !== undefined) lines = onlyLines(lines, deps.bulk.failedLines(task.retryOf));

  let pending: Chunk[] = [];
  let chunkCount = 0;
  let totalCount = 0;
  let current: Span[] = [];
  const close = async () => {
    const first = current[0];
    const last = current[current.length - 1];
    if (first === undefined || last === undefined) return;
    pending.push({
      index: chunkCount,
      start: first.start,
      end: last.end,
      firstLine: first.line,
      lineCount: current.length,
      ...(task.retryOf !== undefined ? { lines: current.map((l) => l.line) } : {}),
    });
    chunkCount += 1;
    totalCount += current.length;
    current = [];
    if (pending.length === 25) {
      await deps.bulk.putChunks(task.taskId, pending);
      pending = [];
    }
  };
  for await (const line of lines) {
    const first = current[0];
    if (first !== undefined && line.end - first.start > MAX_CHUNK_SPAN) await close();
    // Only what a chunk needs is kept: its lines' numbers and offsets, not their bytes.
    current.push({ line: line.line, start: line.start, end: line.end });
    if (current.length === deps.chunkSize) await close();
  }
  await close();
  if (pending.length > 0) await deps.bulk.putChunks(task.taskId, pending);
  return { totalCount, chunkCount, ...(csv ? { csv } : {}) };
}

type Span = Pick<InputLine, 'line' | 'start' | 'end'>;

/** The lines whose numbers `wanted` yields (both ascending), read side by side. */
async function* onlyLines(
  lines: AsyncIterable<InputLine>,
  wanted: AsyncIterator<number>,
): AsyncGenerator<InputLine> {
  let next = await wanted.next();
  for await (const line of lines) {
    while (next.done !== true && next.value < line.line) next = await wanted.next();
    if (next.done === true) return;
    if (next.value === line.line) yield line;
  }
}

/**
 * Sends a chunk's successor in the chain (the chunk `chunksInFlight` further on), once: recorded
 * after the send, so a redelivery of this chunk does not send it again.
 */
export async function sendSuccessor(
  task: BulkTask,
  chunk: Chunk,
  deps: Pick<PlanDeps, 'queue' | 'bulk' | 'chunksInFlight'>,
): Promise<void> {
  const successor = chunk.index + chunksInFlightOf(task, deps.chunksInFlight);
  if (chunk.successorSent === true || successor >= (task.chunkCount ?? 0)) return;
  await sendChunkMessages(deps.queue, task.taskId, [successor]);
  await deps.bulk.markSuccessorSent(task.taskId, chunk.index);
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
