import type { Static } from 'typebox';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Task } from '../tasks/model.js';
import type { BulkTask } from './model.js';
import type { BulkDeviceResult, BulkRegistrationTask } from './schemas.js';

export type BulkTaskView = Static<typeof BulkRegistrationTask>;
export type DeviceResult = Static<typeof BulkDeviceResult>;

/** CDF's `BulkRegistrationTask`, with the counts a caller needs to follow progress. */
export function bulkTaskView(task: BulkTask): BulkTaskView {
  const done = task.successCount + task.failureCount;
  const total = task.totalCount;
  return {
    taskId: task.taskId,
    status: task.status,
    percentageProgress:
      total === undefined || total === 0
        ? task.status === 'Completed'
          ? 100
          : 0
        : Math.floor((done * 100) / total),
    successCount: task.successCount,
    failureCount: task.failureCount,
    totalCount: total ?? null,
    creationDate: task.creationDate,
    lastModifiedDate: task.lastModifiedDate,
    ...(task.error !== undefined ? { error: task.error } : {}),
  };
}

/** One device's outcome; its private key decrypted for the caller, when the service made one. */
export async function deviceResult(device: Task, secrets: SecretBox): Promise<DeviceResult> {
  const line = Number(device.taskId.slice(device.taskId.lastIndexOf(':') + 1));
  const { checkpoint } = device;
  return {
    line,
    status: device.status,
    thingName: checkpoint.thing?.thingName ?? device.request.parameters.ThingName ?? null,
    certificateId: checkpoint.certificate?.certificateId ?? null,
    ...(device.status === 'SUCCEEDED'
      ? {
          certificatePem: checkpoint.certificate?.certificatePem ?? device.result?.certificatePem ?? null,
          privateKey: device.privateKey ? await secrets.open(device.privateKey, device.taskId) : null,
          resourceArns: device.result?.resourceArns ?? {},
        }
      : {}),
    ...(device.error !== undefined
      ? { error: { code: device.error.code, message: device.error.message } }
      : {}),
  };
}
