import type { Rotation, RotationOutcome } from '../tasks/rotation.js';

/**
 * The port through which the task runner finishes a rotation: once the new certificate is ACTIVE
 * and attached to the thing, and before the task is marked SUCCEEDED, the replaced certificate is
 * retired as the rotation asked (now, on a schedule, or never). It must be idempotent: a
 * redelivered rotation calls it again. src/rotation/retire-replaced.ts implements it over the
 * certificate retirement of src/retirement/; the engine needs to know nothing of that.
 */
export interface ReplacedCertificates {
  retireReplaced(rotation: Rotation, taskId: string): Promise<RotationOutcome>;
}
