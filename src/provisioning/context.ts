import type { IoTClient } from '@aws-sdk/client-iot';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Logger } from '../logger.js';
import type { Checkpoint, Task } from '../tasks/model.js';
import type { TaskStore } from '../tasks/task-store.js';
import type { Envelope } from '../crypto/envelope.js';
import type { ProvisionRequest } from '../tasks/request.js';

export type CheckpointPatch = Parameters<TaskStore['checkpoint']>[3];

/**
 * What one provisioning run works with. `checkpoint` is the task's record of what exists so far;
 * `save` writes a patch to the task (guarded by this worker's lease) *before* the run moves on,
 * and only then updates the in-memory copy.
 */
export interface ProvisioningContext {
  taskId: string;
  request: ProvisionRequest;
  /** The template version the task was accepted with; undefined: the latest. */
  templateVersion: string | undefined;
  iot: IoTClient;
  secrets: SecretBox;
  logger: Logger;
  checkpoint: Checkpoint;
  privateKey: Envelope | undefined;
  save(patch: CheckpointPatch): Promise<void>;
}

/**
 * The context for running `task` under `owner`'s lease: a private copy of its checkpoint, and a
 * `save` that writes each patch to the task (failing once the lease is lost) before applying it
 * to that copy.
 */
export function leasedContext(
  deps: { tasks: TaskStore; iot: IoTClient; secrets: SecretBox; logger: Logger; leaseSeconds: number },
  task: Pick<Task, 'taskId' | 'request' | 'templateVersion' | 'checkpoint' | 'privateKey'>,
  owner: string,
): ProvisioningContext {
  const ctx: ProvisioningContext = {
    taskId: task.taskId,
    request: task.request,
    templateVersion: task.templateVersion,
    iot: deps.iot,
    secrets: deps.secrets,
    logger: deps.logger,
    checkpoint: { ...task.checkpoint, policies: { ...task.checkpoint.policies } },
    privateKey: task.privateKey,
    async save(patch) {
      await deps.tasks.checkpoint(task.taskId, owner, deps.leaseSeconds, patch);
      if (patch.certificate) ctx.checkpoint.certificate = patch.certificate;
      if (patch.thing) ctx.checkpoint.thing = patch.thing;
      if (patch.policy) ctx.checkpoint.policies[patch.policy.logicalId] = patch.policy.value;
      if (patch.privateKey) ctx.privateKey = patch.privateKey;
    },
  };
  return ctx;
}
