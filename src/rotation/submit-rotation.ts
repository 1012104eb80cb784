import { randomUUID } from 'node:crypto';
import { parseCsr } from '../certificates/index.js';
import { InvalidInputError } from '../errors.js';
import type { ModeChecks } from '../provisioning/certificate-modes/certificate-mode.js';
import { ROTATION_CSR_PARAMETER, rotationTemplate } from '../provisioning/rotation-template.js';
import { TaskConflictError } from '../tasks/errors.js';
import type { Task } from '../tasks/model.js';
import { newTask, requestHash, taskIdForIdempotencyKey } from '../tasks/new-task.js';
import type { ProvisionRequest } from '../tasks/request.js';
import type { Rotation } from '../tasks/rotation.js';
import { recordAndEnqueue, type SubmitDeps } from '../tasks/submit-task.js';
import { resolveRotation, type ResolveDeps } from './resolve-rotation.js';
import type { RotationRequest } from './schemas.js';

export interface RotationSubmitDeps extends ResolveDeps, Omit<SubmitDeps, 'admission'> {
  /** The certificate modes' submit-time checks, as `POST /things` runs them. */
  checks: ModeChecks;
}

/**
 * Accepts `POST /things/{thingName}/certificates/rotations`: resolves the rotation (which
 * certificate, how, which policies), checks the mode's inputs as provisioning does, and records
 * and enqueues a provisioning task that carries it. With an Idempotency-Key, a retry is answered
 * the first task before anything is resolved again, since the first rotation may have changed
 * what "current" means (the thing now has two ACTIVE certificates); its hash is the request as
 * sent (the thing and body), so the same key for another request is still a 409.
 */
export async function submitRotation(
  thingName: string,
  body: RotationRequest,
  options: { idempotencyKey?: string; client?: string },
  deps: RotationSubmitDeps,
): Promise<{ task: Task; created: boolean }> {
  const hash = requestHash({ thingName, rotation: body });
  const taskId =
    options.idempotencyKey === undefined ? randomUUID() : taskIdForIdempotencyKey(options.idempotencyKey);
  if (options.idempotencyKey !== undefined) {
    const existing = await deps.tasks.get(taskId);
    if (existing !== undefined) {
      if (existing.requestHash !== hash) throw new TaskConflictError(taskId);
      // Answers the task, re-sending its message while it is still PENDING.
      return recordAndEnqueue(existing, deps);
    }
  }
  const { rotation, request } = await resolveRotation(thingName, body, deps);
  await checkMode(rotation, request, deps.checks);
  const task: Task = {
    ...newTask(taskId, request, {
      source: 'api',
      client: options.client,
      ttlSeconds: deps.config.resultTtlSeconds,
    }),
    requestHash: hash,
    rotation,
  };
  return recordAndEnqueue(task, deps);
}

/** The inputs of the mode the new certificate is made in, refused now rather than in the worker. */
export async function checkMode(
  rotation: Rotation,
  request: ProvisionRequest,
  checks: ModeChecks,
): Promise<void> {
  const template = rotationTemplate(rotation);
  const mode = template.certificateMode;
  if (mode === undefined) {
    const csr = request.parameters[ROTATION_CSR_PARAMETER];
    if (csr !== undefined) parseCsr(csr);
    return;
  }
  const check = checks[mode];
  if (check === undefined) {
    throw new InvalidInputError(
      'CERTIFICATE_MODE_UNAVAILABLE',
      `Certificate mode '${rotation.mode}' is not offered by this service`,
    );
  }
  await check(request, template.cdf);
}
