import type { ProvisionResult } from '../tasks/model.js';
import type { ProvisioningContext } from './context.js';

/**
 * The port through which the task runner hands over the certificate of a device it has just
 * provisioned, once, at the point where the task's certificate is final (before the task is
 * marked SUCCEEDED, so a crash in between records it again on the redelivery rather than never).
 * The certificate inventory implements it (src/inventory/task-recorder.ts); the engine needs to
 * know nothing of it.
 */
export interface CertificateRecorder {
  recordProvisioned(
    task: Pick<ProvisioningContext, 'taskId' | 'request' | 'templateVersion' | 'checkpoint' | 'rotation'>,
    result: ProvisionResult,
  ): Promise<void>;
}
