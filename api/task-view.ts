import { X509Certificate } from 'node:crypto';
import type { Static } from 'typebox';
import type { ResultReaders } from '../src/provisioning/result-readers.js';
import type { Task } from '../src/tasks/model.js';
import type {
  ProvisionResponse as ProvisionResponseSchema,
  TaskSummary as TaskSummarySchema,
  TaskView as TaskViewSchema,
} from './openapi/response-schemas.js';

/**
 * What `GET /provisioningtasks/{taskId}` shows: the task's state, and when it succeeded the CDF
 * `ProvisionResponse` fields at the top level (so CDF clients parse it as before), with the
 * private key decrypted for the caller and the CA chain where the service knows it. The key is
 * never logged or sent anywhere else.
 */
export type ProvisionResponse = Static<typeof ProvisionResponseSchema>;
export type TaskView = Static<typeof TaskViewSchema>;
export type TaskSummary = Static<typeof TaskSummarySchema>;

export async function provisionResponse(
  task: Task,
  { secrets, chains }: ResultReaders,
): Promise<ProvisionResponse> {
  const result = task.result ?? { resourceArns: {} };
  // The certificate is stored once, with the task's checkpoint (results written before that kept a copy).
  const certificatePem = task.checkpoint.certificate?.certificatePem ?? result.certificatePem;
  const chainId = task.checkpoint.certificate?.chainId;
  const certificateChainPem = chainId === undefined ? undefined : await chains.pem(chainId);
  // The service made the key pair: its public key is the certificate's.
  const publicKey =
    task.privateKey === undefined || certificatePem === undefined
      ? result.publicKey
      : new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    ...(certificatePem !== undefined ? { certificatePem } : {}),
    ...(certificateChainPem !== undefined ? { certificateChainPem } : {}),
    ...(publicKey !== undefined ? { publicKey } : {}),
    ...(task.privateKey !== undefined
      ? { privateKey: await secrets.open(task.privateKey, task.taskId) }
      : {}),
    resourceArns: result.resourceArns,
    ...(result.rotation !== undefined ? { rotation: result.rotation } : {}),
  };
}

export async function taskView(task: Task, readers: ResultReaders): Promise<TaskView> {
  return {
    ...taskSummary(task),
    ...(task.status === 'SUCCEEDED' ? await provisionResponse(task, readers) : {}),
  };
}

/** A task as lists show it: what it is, where it came from, how it stands; no certificate or key. */
export function taskSummary(task: Task): TaskSummary {
  const thingName = task.checkpoint.thing?.thingName ?? task.request.parameters.ThingName;
  return {
    taskId: task.taskId,
    status: task.status,
    provisioningTemplateId: task.request.provisioningTemplateId,
    source: task.source,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    ...(thingName !== undefined ? { thingName } : {}),
    ...(task.error !== undefined ? { error: { code: task.error.code, message: task.error.message } } : {}),
  };
}
