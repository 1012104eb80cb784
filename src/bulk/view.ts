import type { Static } from 'typebox';
import type { ResultReaders } from '../provisioning/result-readers.js';
import type { Task } from '../tasks/model.js';
import type { LineItem } from './bulk-store.js';
import { isLineOutcome, type BulkTask, type FleetRotation } from './model.js';
import type { BulkDeviceResult, BulkRegistrationTask } from './schemas.js';

export type BulkTaskView = Static<typeof BulkRegistrationTask>;
export type DeviceResult = Static<typeof BulkDeviceResult>;

/** CDF's `BulkRegistrationTask`, with the counts and choices a caller needs to follow it. */
export function bulkTaskView(task: BulkTask): BulkTaskView {
  const skipped = task.skippedCount ?? 0;
  const done = task.successCount + task.failureCount + skipped;
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
    skippedCount: skipped,
    totalCount: total ?? null,
    creationDate: task.creationDate,
    lastModifiedDate: task.lastModifiedDate,
    provisioningTemplateId: task.provisioningTemplateId,
    source: task.source ?? (task.input.key.startsWith('bulk-inputs/') ? 'parameters' : 'inputFile'),
    dryRun: task.dryRun === true,
    existingThings: task.existingThings ?? 'refuse',
    ...(task.retryOf !== undefined ? { retryOf: task.retryOf } : {}),
    ...(task.rotation !== undefined ? { rotation: fleetRotationView(task.rotation) } : {}),
    ...(task.dryRun === true ? { problemCounts: task.problemCounts ?? {} } : {}),
    ...(task.error !== undefined ? { error: task.error } : {}),
  };
}

function fleetRotationView(rotation: FleetRotation): NonNullable<BulkTaskView['rotation']> {
  const { selection } = rotation;
  return {
    selection: selection.kind,
    ...(selection.kind === 'thingGroup'
      ? { thingGroupName: selection.thingGroupName, recursive: selection.recursive }
      : {}),
    ...(selection.kind === 'expiring' ? { expiringWithinDays: selection.withinDays } : {}),
    ...(rotation.mode !== undefined ? { mode: rotation.mode } : {}),
    retireOldCertificate: rotation.retire,
  };
}

/**
 * One line's outcome; a device's private key decrypted for the caller, when the service made one,
 * and its CA chain, when the service knows it (one read per chain, shared by the lines of a page).
 */
export async function deviceResult(item: LineItem, readers: ResultReaders): Promise<DeviceResult> {
  if (isLineOutcome(item)) {
    return {
      line: item.line,
      status: item.status,
      thingName: item.thingName ?? null,
      certificateId: null,
      ...(item.error !== undefined ? { error: item.error } : {}),
      ...(item.warning !== undefined ? { warning: item.warning } : {}),
    };
  }
  return taskResult(item, readers);
}

async function taskResult(device: Task, { secrets, chains }: ResultReaders): Promise<DeviceResult> {
  const line = Number(device.taskId.slice(device.taskId.lastIndexOf(':') + 1));
  const { checkpoint } = device;
  const chainId = device.status === 'SUCCEEDED' ? checkpoint.certificate?.chainId : undefined;
  const certificateChainPem = chainId === undefined ? undefined : await chains.pem(chainId);
  return {
    line,
    status: device.status,
    thingName: checkpoint.thing?.thingName ?? device.request.parameters.ThingName ?? null,
    certificateId: checkpoint.certificate?.certificateId ?? null,
    ...(device.status === 'SUCCEEDED'
      ? {
          certificatePem: checkpoint.certificate?.certificatePem ?? device.result?.certificatePem ?? null,
          ...(certificateChainPem !== undefined ? { certificateChainPem } : {}),
          privateKey: device.privateKey ? await secrets.open(device.privateKey, device.taskId) : null,
          resourceArns: device.result?.resourceArns ?? {},
          ...(device.result?.rotation !== undefined ? { rotation: device.result.rotation } : {}),
        }
      : {}),
    ...(device.error !== undefined
      ? { error: { code: device.error.code, message: device.error.message } }
      : {}),
  };
}

/** How many private keys a page of results hands out (for the audit log). */
export function keysIn(results: DeviceResult[]): number {
  return results.filter((r) => typeof r.privateKey === 'string').length;
}
