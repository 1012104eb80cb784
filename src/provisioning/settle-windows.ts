import { DeleteCertificateCommand, UpdateCertificateCommand, type IoTClient } from '@aws-sdk/client-iot';
import { awsCall } from '../aws/classify-error.js';
import {
  listAttachedPolicies,
  listCertificatesCreatedBetween,
  listPrincipalThings,
} from '../aws/iot-lists.js';
import { unlessGone } from '../aws/unless-gone.js';
import { TransientError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CreateWindow, Task } from '../tasks/model.js';
import type { TaskStore } from '../tasks/task-store.js';

/** Our clock against AWS's `creationDate`: a certificate this far outside a window still counts. */
const CLOCK_SKEW_MS = 5_000;

/**
 * Settles the task's recorded windows (ambiguous-creates.ts): each must be at least
 * `settleSeconds` old, so that every certificate a live task of this service made in it is
 * recorded (the claim follows the create within milliseconds) and attached (soon after). Then a
 * certificate created in the window that is attached to no thing and no policy is nobody's: it is
 * deactivated and deleted.
 * The task's own certificate is never touched.
 *
 * What remains possible: another system's certificate, created in the same seconds and left
 * unattached for longer than the settle time, or one of this service's own whose task is stuck
 * retrying for that long before its first attachment, would be taken for an orphan.
 */
export async function settleWindows(
  task: Task,
  deps: { tasks: TaskStore; iot: IoTClient; settleSeconds: number; logger: Logger },
  now = Date.now(),
): Promise<Task> {
  const windows = task.unsettled ?? [];
  if (windows.length === 0) return task;
  const due = Math.max(...windows.map((w) => w.to)) + deps.settleSeconds * 1000;
  if (now < due) {
    throw new TransientError(
      'CERTIFICATE_WINDOW_SETTLING',
      `Task '${task.taskId}' waits until ${new Date(due).toISOString()} to remove any certificate an ` +
        'interrupted create left behind',
      { retryAfterSeconds: (due - now) / 1000 },
    );
  }
  const own = task.checkpoint.certificate?.certificateId;
  for (const window of windows)
    await removeUnowned(deps.iot, window, own, deps.logger.child({ taskId: task.taskId }));
  const settled = await deps.tasks.settleWindows(task.taskId, windows.length);
  if (settled !== undefined) return settled;
  throw new TransientError(
    'CERTIFICATE_WINDOW_SETTLING',
    `Task '${task.taskId}' recorded another interrupted create meanwhile; it is settled later`,
    { retryAfterSeconds: deps.settleSeconds },
  );
}

async function removeUnowned(iot: IoTClient, window: CreateWindow, own: string | undefined, logger: Logger) {
  const candidates = await listCertificatesCreatedBetween(
    iot,
    window.from - CLOCK_SKEW_MS,
    window.to + CLOCK_SKEW_MS,
  );
  for (const certificate of candidates) {
    const { certificateId = '', certificateArn = '', status } = certificate;
    if (certificateId === own || (status !== 'ACTIVE' && status !== 'INACTIVE')) continue;
    if ((await listPrincipalThings(iot, certificateArn)).length > 0) continue;
    if ((await listAttachedPolicies(iot, certificateArn)).length > 0) continue;
    await unlessGone(() =>
      awsCall(`deactivating unowned certificate '${certificateId}'`, () =>
        iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' })),
      ),
    );
    await unlessGone(() =>
      awsCall(`deleting unowned certificate '${certificateId}'`, () =>
        iot.send(new DeleteCertificateCommand({ certificateId, forceDelete: true })),
      ),
    );
    logger.warn('removed a certificate an interrupted create left behind', {
      certificateId,
      call: window.call,
    });
  }
}
