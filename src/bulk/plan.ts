import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Readable } from 'node:stream';
import type { BulkStore } from './bulk-store.js';
import { BulkInputError } from './errors.js';
import type { BulkMessage } from './messages.js';
import type { BulkTask, Chunk } from './model.js';

export interface PlanDeps {
  s3: S3Client;
  sqs: SQSClient;
  bulk: BulkStore;
  bulkQueueUrl: string;
  chunkSize: number;
  chunksInFlight: number;
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
    return;
  }
  const planned = await deps.bulk.get(task.taskId);
  const chunkCount = planned?.chunkCount ?? 0;
  if (planned?.status !== 'InProgress' || chunkCount === 0) return;
  // A redelivered plan message sends these again: chunk work is idempotent, so that is harmless.
  const first = Array.from({ length: Math.min(deps.chunksInFlight, chunkCount) }, (_, chunk) => chunk);
  await sendChunkMessages(deps, task.taskId, first);
}

async function cutIntoChunks(
  task: BulkTask,
  deps: PlanDeps,
): Promise<{ totalCount: number; chunks: number }> {
  const out = await deps.s3.send(new GetObjectCommand({ Bucket: task.input.bucket, Key: task.input.key }));
  if (out.Body === undefined)
    throw new BulkInputError('BULK_INPUT_UNREADABLE', 'The bulk input file is empty or unreadable');
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

  for await (const piece of out.Body as Readable) {
    const bytes = piece as Buffer;
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
  deps: Pick<PlanDeps, 'sqs' | 'bulkQueueUrl'>,
  bulkTaskId: string,
  chunks: number[],
): Promise<void> {
  for (let i = 0; i < chunks.length; i += 10) {
    const entries = chunks.slice(i, i + 10).map((chunk) => {
      const body: BulkMessage = { type: 'bulk.chunk', bulkTaskId, chunk };
      return { Id: String(chunk), MessageBody: JSON.stringify(body) };
    });
    const out = await deps.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: deps.bulkQueueUrl, Entries: entries }),
    );
    if ((out.Failed ?? []).length > 0) {
      throw new Error(`SQS refused ${out.Failed?.length} chunk message(s) for bulk task ${bulkTaskId}`);
    }
  }
}
