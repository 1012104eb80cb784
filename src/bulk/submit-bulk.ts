import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { classifyAwsError } from '../aws/classify-error.js';
import type { Config } from '../config.js';
import { isServiceError } from '../errors.js';
import type { MessageQueue } from '../queue/message-queue.js';
import type { ObjectLocation, ObjectReader, ObjectWriter } from '../storage/object-store.js';
import type { Admission } from '../tasks/admission.js';
import { TaskConflictError } from '../tasks/errors.js';
import { requestHash } from '../tasks/new-task.js';
import type { CdfProvisioningParameters } from '../tasks/request.js';
import type { BulkStore } from './bulk-store.js';
import type { BulkEvents } from './completion-event.js';
import { openCsv } from './csv-reader.js';
import { BulkInputError, BulkTaskNotFinishedError } from './errors.js';
import { bulkTaskIdForIdempotencyKey } from './idempotency.js';
import type { BulkMessage } from './messages.js';
import {
  BULK_FINISHED,
  inputFormat,
  type BulkSource,
  type BulkTask,
  type ExistingThings,
  type FleetRotation,
} from './model.js';

export interface SubmitBulkDeps {
  admission: Admission;
  bulk: BulkStore;
  objects: ObjectReader;
  objectWriter: ObjectWriter;
  queues: { bulk: MessageQueue };
  bulkEvents: BulkEvents;
  config: Pick<Config, 'resultTtlSeconds'> & { templates: Pick<Config['templates'], 'bucket'> };
}

/** Where a submission's lines are: one of the request's ways of giving them, or a retry's. */
export type BulkLines =
  | { source: 'parameters'; parameters: Record<string, string>[] }
  | { source: 'csv'; body: Uint8Array }
  | { source: 'inputFile'; inputFile: ObjectLocation }
  | { source: 'retry'; of: BulkTask }
  /** A fleet rotation's thing group or expiring certificates: the planner writes the input file. */
  | { source: 'selection' };

export interface BulkSubmission {
  provisioningTemplateId: string;
  cdfProvisioningParameters?: CdfProvisioningParameters;
  dryRun?: boolean;
  existingThings?: ExistingThings;
  /** A fleet rotation (src/rotation/submit-fleet-rotation.ts): each line rotates its thing's certificate. */
  rotation?: FleetRotation;
  lines: BulkLines;
}

/**
 * Records a bulk task and queues its plan message. Inline lines (JSON or a CSV body) are written
 * to S3 first, so the planner always reads a file; a named file is only checked to exist, and its
 * ETag kept (its lines are validated one by one: a bad line fails that device, not the task).
 *
 * With an Idempotency-Key the task id is derived from the key, and the request's hash is stored on
 * the task: the same key with the same request is the same task (`created: false`), with another
 * request a 409. For a file, "the same request" means the same content (its ETag), whatever its
 * key: the CLI uploads each run's file to a new key.
 */
export async function submitBulkTask(
  submission: BulkSubmission,
  options: { idempotencyKey?: string; client?: string },
  deps: SubmitBulkDeps,
): Promise<{ task: BulkTask; created: boolean }> {
  const { lines, rotation } = submission;
  // The template and the request-wide CDF parameters must be usable; lines are checked per device.
  // A rotation has no stored template: each device's is made from its current certificate.
  const { templateVersion } =
    rotation !== undefined
      ? { templateVersion: undefined }
      : await deps.admission.admit(
          {
            provisioningTemplateId: submission.provisioningTemplateId,
            parameters: {},
            cdfProvisioningParameters: submission.cdfProvisioningParameters,
          },
          { skipParameterCheck: true },
        );
  const content = await contentOf(lines, deps.objects);
  const existingThings = submission.existingThings ?? 'refuse';
  const hash = requestHash({
    provisioningTemplateId: submission.provisioningTemplateId,
    cdfProvisioningParameters: submission.cdfProvisioningParameters,
    dryRun: submission.dryRun === true,
    existingThings,
    ...(rotation !== undefined ? { rotation } : {}),
    lines: content,
  });

  const key = options.idempotencyKey;
  const taskId = key === undefined ? randomUUID() : bulkTaskIdForIdempotencyKey(key);
  if (key !== undefined) {
    const existing = await deps.bulk.get(taskId);
    if (existing !== undefined) return { task: await sameRequest(existing, hash, deps), created: false };
  }
  const input = await storeInput(lines, taskId, hash, deps);

  const at = new Date().toISOString();
  const task: BulkTask = {
    taskId,
    status: 'Pending',
    provisioningTemplateId: submission.provisioningTemplateId,
    ...(templateVersion !== undefined ? { templateVersion } : {}),
    ...(submission.cdfProvisioningParameters
      ? { cdfProvisioningParameters: submission.cdfProvisioningParameters }
      : {}),
    input,
    source: lines.source satisfies BulkSource,
    ...(submission.dryRun === true ? { dryRun: true, problemCounts: {} } : {}),
    existingThings,
    ...(lines.source === 'retry' ? { retryOf: lines.of.taskId } : {}),
    ...(rotation !== undefined ? { rotation } : {}),
    requestHash: hash,
    ...(options.client !== undefined ? { client: options.client } : {}),
    ...(lines.source === 'parameters' ? { totalCount: lines.parameters.length } : {}),
    successCount: 0,
    failureCount: 0,
    skippedCount: 0,
    creationDate: at,
    lastModifiedDate: at,
    expiresAt: Math.floor(Date.now() / 1000) + deps.config.resultTtlSeconds,
  };
  if (!(await deps.bulk.create(task))) {
    // The same key, submitted twice at once: the other submission recorded it first.
    const existing = await deps.bulk.get(taskId);
    if (existing === undefined) throw new TaskConflictError(taskId);
    return { task: await sameRequest(existing, hash, deps), created: false };
  }
  try {
    await enqueuePlan(deps.queues.bulk, taskId);
  } catch (e: unknown) {
    const failed = await deps.bulk.fail(taskId, {
      code: 'ENQUEUE_FAILED',
      message: 'The bulk task could not be queued; submit it again',
    });
    // Best effort: the caller is answered 503 either way, and the task records the failure.
    if (failed !== undefined) await deps.bulkEvents.publishIfEnded(failed).catch(() => undefined);
    throw classifyAwsError(e, 'queueing the bulk task');
  }
  return { task, created: true };
}

/**
 * A retry's submission: the FAILED lines of a finished task, provisioned again by a new task with
 * the same template, CDF parameters and `existingThings`, their line numbers kept.
 */
export function retrySubmission(original: BulkTask): BulkSubmission {
  if (!BULK_FINISHED.includes(original.status))
    throw new BulkTaskNotFinishedError(original.taskId, original.status);
  if (original.dryRun === true)
    throw new BulkInputError(
      'BULK_RETRY_OF_DRY_RUN',
      `Bulk task '${original.taskId}' is a dry run: it provisioned nothing to retry; submit the input without dryRun`,
    );
  if (original.failureCount === 0)
    throw new BulkInputError(
      'BULK_NOTHING_TO_RETRY',
      `Bulk task '${original.taskId}' has no failed lines to retry`,
    );
  return {
    provisioningTemplateId: original.provisioningTemplateId,
    ...(original.cdfProvisioningParameters
      ? { cdfProvisioningParameters: original.cdfProvisioningParameters }
      : {}),
    existingThings: original.existingThings ?? 'refuse',
    ...(original.rotation !== undefined ? { rotation: original.rotation } : {}),
    lines: { source: 'retry', of: original },
  };
}

/** What identifies the lines: their content (a file's by its ETag), or the task a retry is of. */
async function contentOf(lines: BulkLines, objects: ObjectReader): Promise<unknown> {
  switch (lines.source) {
    case 'parameters':
      return { parameters: lines.parameters };
    case 'csv':
      await checkCsvHeader(lines.body);
      return { csv: createHash('sha256').update(lines.body).digest('hex') };
    case 'inputFile': {
      const found = await objects.head(lines.inputFile).catch((e: unknown) => {
        // A file S3 refuses to show us (403) is the caller's to fix too.
        if (isServiceError(e) && e.kind === 'invalid') return undefined;
        throw e;
      });
      if (found === undefined)
        throw new BulkInputError(
          'BULK_INPUT_NOT_FOUND',
          `The input file s3://${lines.inputFile.bucket}/${lines.inputFile.key} does not exist or cannot be read`,
        );
      return {
        file: found.etag ?? `${lines.inputFile.bucket}/${lines.inputFile.key}@${found.versionId ?? ''}`,
        format: inputFormat(lines.inputFile.key),
      };
    }
    case 'retry':
      return { retryOf: lines.of.taskId };
    case 'selection':
      return { selection: true };
  }
}

/** A CSV body whose header cannot work is refused now, not found by the planner later. */
async function checkCsvHeader(body: Uint8Array): Promise<void> {
  await openCsv(Readable.from([body], { objectMode: true }));
}

async function storeInput(
  lines: BulkLines,
  taskId: string,
  hash: string,
  deps: SubmitBulkDeps,
): Promise<ObjectLocation> {
  if (lines.source === 'inputFile') return lines.inputFile;
  if (lines.source === 'retry') return lines.of.input;
  // Named by the request too: two different requests under one key never overwrite each other's.
  const at = (ext: string) => ({
    bucket: deps.config.templates.bucket,
    key: `bulk-inputs/${taskId}-${hash.slice(0, 16)}.${ext}`,
  });
  // Written by the planner, from the selection, when it first reads the task.
  if (lines.source === 'selection') return at('ndjson');
  if (lines.source === 'csv') {
    const input = at('csv');
    await deps.objectWriter.put(input, lines.body, 'text/csv; charset=utf-8');
    return input;
  }
  const input = at('ndjson');
  const body = lines.parameters.map((line) => JSON.stringify(line)).join('\n') + '\n';
  await deps.objectWriter.put(input, Buffer.from(body, 'utf8'), 'application/x-ndjson; charset=utf-8');
  return input;
}

/** The task an Idempotency-Key already made, if this is its request; a lost plan message is resent. */
async function sameRequest(existing: BulkTask, hash: string, deps: SubmitBulkDeps): Promise<BulkTask> {
  if (existing.requestHash !== hash) throw new TaskConflictError(existing.taskId);
  if (existing.status === 'Pending') await enqueuePlan(deps.queues.bulk, existing.taskId);
  return existing;
}

async function enqueuePlan(queue: MessageQueue, bulkTaskId: string): Promise<void> {
  const message: BulkMessage = { type: 'bulk.plan', bulkTaskId };
  await queue.send(JSON.stringify(message));
}
