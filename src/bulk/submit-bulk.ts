import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { classifyAwsError } from '../aws/classify-error.js';
import { NotFoundError } from '../errors.js';
import { admit } from '../provisioning/admission.js';
import type { Services } from '../services.js';
import type { BulkStore } from './bulk-store.js';
import { BulkInputError } from './errors.js';
import type { BulkMessage } from './messages.js';
import type { BulkTask } from './model.js';
import type { BulkRegistrationRequest } from './request.js';

/**
 * Records a bulk task and queues its plan message. Inline lines are written to S3 as UTF-8 NDJSON
 * first, so the planner always reads one kind of input; a named file is only checked to exist
 * (its lines are validated one by one as devices: a bad line fails that device, not the task).
 */
export async function submitBulkTask(
  request: BulkRegistrationRequest,
  services: Pick<Services, 'templates' | 'modes' | 'config' | 'clients' | 'queues'> & { bulk: BulkStore },
): Promise<BulkTask> {
  if ((request.parameters === undefined) === (request.inputFile === undefined)) {
    throw new BulkInputError(
      'BULK_INPUT_INVALID',
      "Give either 'parameters' (a list of parameter maps) or 'inputFile', not both",
    );
  }
  // The template and the request-wide CDF parameters must be usable; per-line parameters are checked per device.
  await admit(
    {
      provisioningTemplateId: request.provisioningTemplateId,
      parameters: {},
      cdfProvisioningParameters: request.cdfProvisioningParameters,
    },
    services,
    { skipParameterCheck: true },
  );

  const taskId = randomUUID();
  const { s3 } = services.clients;
  const input = request.inputFile ?? {
    bucket: services.config.templates.bucket,
    key: `bulk-inputs/${taskId}.ndjson`,
  };
  if (request.parameters !== undefined) {
    const body = request.parameters.map((line) => JSON.stringify(line)).join('\n') + '\n';
    await s3.send(
      new PutObjectCommand({
        Bucket: input.bucket,
        Key: input.key,
        Body: Buffer.from(body, 'utf8'),
        ContentType: 'application/x-ndjson; charset=utf-8',
      }),
    );
  } else {
    try {
      await s3.send(new HeadObjectCommand({ Bucket: input.bucket, Key: input.key }));
    } catch (e: unknown) {
      const error = classifyAwsError(e, `reading s3://${input.bucket}/${input.key}`);
      if (error instanceof NotFoundError || error.kind === 'invalid') {
        throw new BulkInputError(
          'BULK_INPUT_NOT_FOUND',
          `The input file s3://${input.bucket}/${input.key} does not exist or cannot be read`,
          { cause: e },
        );
      }
      throw error;
    }
  }

  const at = new Date().toISOString();
  const task: BulkTask = {
    taskId,
    status: 'Pending',
    provisioningTemplateId: request.provisioningTemplateId,
    ...(request.cdfProvisioningParameters
      ? { cdfProvisioningParameters: request.cdfProvisioningParameters }
      : {}),
    input,
    ...(request.parameters ? { totalCount: request.parameters.length } : {}),
    successCount: 0,
    failureCount: 0,
    creationDate: at,
    lastModifiedDate: at,
    expiresAt: Math.floor(Date.now() / 1000) + services.config.resultTtlSeconds,
  };
  await services.bulk.create(task);
  try {
    const message: BulkMessage = { type: 'bulk.plan', bulkTaskId: taskId };
    await services.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: services.queues.bulk, MessageBody: JSON.stringify(message) }),
    );
  } catch (e: unknown) {
    await services.bulk.fail(taskId, {
      code: 'ENQUEUE_FAILED',
      message: 'The bulk task could not be queued; submit it again',
    });
    throw classifyAwsError(e, 'queueing the bulk task');
  }
  return task;
}
