import type { ObjectReader } from '../storage/object-store.js';
import { csvLinesOf } from './csv-reader.js';
import { bulkInputGone, BulkInputError } from './errors.js';
import type { InputLine } from './input-line.js';
import { inputFormat, type BulkTask, type Chunk } from './model.js';
import { ndjsonLinesOf } from './ndjson-reader.js';

/**
 * The lines of one chunk, read from its byte range of the input with the reader the planner used
 * (so they are the lines, with the numbers, the planner counted); a retry's chunk keeps only the
 * lines it was planned with.
 */
export async function readChunkLines(
  objects: ObjectReader,
  task: BulkTask,
  chunk: Chunk,
): Promise<InputLine[]> {
  if (chunk.end <= chunk.start) return [];
  const slice = await objects.readRange(task.input, chunk.start, chunk.end);
  if (slice === undefined) throw bulkInputGone(task.input);
  let lines: Iterable<InputLine>;
  if (inputFormat(task.input.key) === 'csv') {
    if (task.csv === undefined)
      throw new BulkInputError(
        'BULK_INPUT_UNREADABLE',
        `Bulk task ${task.taskId} has no CSV header recorded`,
      );
    lines = csvLinesOf(task.csv, slice, chunk.firstLine, chunk.start);
  } else {
    lines = ndjsonLinesOf(slice, chunk.firstLine, chunk.start);
  }
  const only = chunk.lines === undefined ? undefined : new Set(chunk.lines);
  return [...lines].filter((line) => only === undefined || only.has(line.line));
}
