import { randomUUID } from 'node:crypto';
import { classifyAwsError } from '../aws/classify-error.js';
import type { Config } from '../config.js';
import { isServiceError } from '../errors.js';
import type { MessageQueue } from '../queue/message-queue.js';
import type { ObjectLocation, ObjectReader, ObjectWriter } from '../storage/object-store.js';
import type { Admission } from '../tasks/admission.js';
import type { BulkStore } from './bulk-store.js';
import type { BulkEvents } from './completion-event.js';
import { BulkInputError } from './errors.js';
import type { BulkMessage } from './messages.js';
import type { BulkTask } from './model.js';
import type { BulkRegistrationRequest } from './request.js';

export interface SubmitBulkDeps {
  admission: Admission;
  bulk: BulkStore;
  objects: ObjectReader;
  objectWriter: ObjectWriter;
  queues: { bulk: MessageQueue };
  bulkEvents: BulkEvents;
  config: Pick<Config, 'resultTtlSeconds'> & { templates: Pick<Config['templates'], 'bucket'> };
}

/**
 * Records a bulk task and queues its plan message. Inline lines are written to S3 as UTF-8 NDJSON
 * first, so the planner always reads one kind of input; a named file is only checked to exist
 * (its lines are validated one by one as devices: a bad line fails that device, not the task).
 */
export async function submitBulkTask(
  request: BulkRegistrationRequest,
  deps: SubmitBulkDeps,
  options: { client?: string } = {},
): Promise<BulkTask> {
  if ((request.parameters === undefined) === (request.inputFile === undefined)) {
    throw new BulkInputError(
      'BULK_INPUT_INVALID',
      "Give either 'parameters' (a list of parameter maps) or 'inputFile', not both",
    );
  }
  // The template and the request-wide CDF parameters must be usable; per-line parameters are checked per device.
  const { templateVersion } = await deps.admission.admit(
    {
      provisioningTemplateId: request.provisioningTemplateId,
      parameters: {},
      cdfProvisioningParameters: request.cdfProvisioningParameters,
    },
    { skipParameterCheck: true },
  );

  const taskId = randomUUID();
  const input = request.inputFile ?? {
    bucket: deps.config.templates.bucket,
    key: `bulk-inputs/${taskId}.ndjson`,
  };
  if (request.parameters !== undefined) {
    const body = request.parameters.map((line) => JSON.stringify(line)).join('\n') + '\n';
    await deps.objectWriter.put(input, Buffer.from(body, 'utf8'), 'application/x-ndjson; charset=utf-8');
  } else {
    await checkReadable(deps.objects, input);
  }

  const at = new Date().toISOString();
  const task: BulkTask = {
    taskId,
    status: 'Pending',
    provisioningTemplateId: request.provisioningTemplateId,
    ...(templateVersion !== undefined ? { templateVersion } : {}),
    ...(request.cdfProvisioningParameters
      ? { cdfProvisioningParameters: request.cdfProvisioningParameters }
      : {}),
    input,
    ...(options.client !== undefined ? { client: options.client } : {}),
    ...(request.parameters ? { totalCount: request.parameters.length } : {}),
    successCount: 0,
    failureCount: 0,
    creationDate: at,
    lastModifiedDate: at,
    expiresAt: Math.floor(Date.now() / 1000) + deps.config.resultTtlSeconds,
  };
  await deps.bulk.create(task);
  try {
    const message: BulkMessage = { type: 'bulk.plan', bulkTaskId: taskId };
    await deps.queues.bulk.send(JSON.stringify(message));
  } catch (e: unknown) {
    const failed = await deps.bulk.fail(taskId, {
      code: 'ENQUEUE_FAILED',
      message: 'The bulk task could not be queued; submit it again',
    });
    // Best effort: the caller is answered 503 either way, and the task records the failure.
    if (failed !== undefined) await deps.bulkEvents.publishIfEnded(failed).catch(() => undefined);
    throw classifyAwsError(e, 'queueing the bulk task');
  }
  return task;
}

/** A missing file, or one S3 refuses to show us (403), is the caller's to fix. */
async function checkReadable(reader: ObjectReader, input: ObjectLocation): Promise<void> {
  const found = await reader.head(input).catch((e: unknown) => {
    if (isServiceError(e) && e.kind === 'invalid') return undefined;
    throw e;
  });
  if (found === undefined) {
    throw new BulkInputError(
      'BULK_INPUT_NOT_FOUND',
      `The input file s3://${input.bucket}/${input.key} does not exist or cannot be read`,
    );
  }
}
