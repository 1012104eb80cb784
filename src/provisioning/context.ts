import type { IoTClient } from '@aws-sdk/client-iot';
import type { Envelope } from '../crypto/envelope.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Logger } from '../logger.js';
import type { CertificateRecord, Checkpoint, Plan, Task } from '../tasks/model.js';
import type { ProvisionRequest } from '../tasks/request.js';
import type { Rotation } from '../tasks/rotation.js';
import type { ClaimRecord, Lease, TaskStore } from '../tasks/task-store.js';
import type { PolicyDirectory } from './policy-directory.js';

/** What both halves of a run reach AWS and the task's secrets with. */
export interface ProvisioningClients {
  iot: IoTClient;
  /** For the calls that create something and must never be repeated blindly (src/aws/clients.ts). */
  iotCreate: IoTClient;
  secrets: SecretBox;
  logger: Logger;
  policies: PolicyDirectory;
  region: string;
  accountId: () => Promise<string>;
}

/**
 * What one provisioning run works with once it holds the task's lease. `checkpoint` is what the
 * task has made or uses so far: the claim's record, then each step's outcome, kept in memory and
 * written with the result. `earlier` is the task as it was before this run claimed it, which tells
 * a resource an earlier run of this task made from one somebody else made.
 */
export interface ProvisioningContext extends ProvisioningClients {
  taskId: string;
  request: ProvisionRequest;
  /** The template version the task was accepted with; undefined: the latest. */
  templateVersion: string | undefined;
  /** A certificate rotation's, whose template is made from it (rotation-template.ts). */
  rotation: Rotation | undefined;
  checkpoint: Checkpoint;
  privateKey: Envelope | undefined;
  plan: Plan;
  earlier: { plan: Plan | undefined; certificate: CertificateRecord | undefined };
  /** Writes what must not be lost before the next AWS call (a rare extra write), renewing the lease. */
  record(patch: ClaimRecord): Promise<void>;
  /** Renews the lease when less than a third of it is left: a long run keeps it, a short one writes nothing. */
  keepLease(): Promise<void>;
}

/** The context for running `claimed` under `lease`, `before` being the task as seen before the claim. */
export function leasedContext(
  deps: ProvisioningClients & { tasks: TaskStore },
  claimed: Task,
  before: Pick<Task, 'plan' | 'checkpoint'> | undefined,
  lease: Lease,
): ProvisioningContext {
  let leaseUntil = claimed.leaseUntil ?? 0;
  const ctx: ProvisioningContext = {
    ...deps,
    taskId: claimed.taskId,
    request: claimed.request,
    templateVersion: claimed.templateVersion,
    rotation: claimed.rotation,
    checkpoint: { ...claimed.checkpoint, policies: { ...claimed.checkpoint.policies } },
    privateKey: claimed.privateKey,
    plan: claimed.plan ?? { policies: [] },
    earlier: { plan: before?.plan, certificate: before?.checkpoint.certificate },
    async record(patch) {
      leaseUntil = await deps.tasks.record(claimed.taskId, lease, patch);
      if (patch.certificate) ctx.checkpoint.certificate = patch.certificate;
      if (patch.plan) ctx.plan = patch.plan;
      if (patch.privateKey) ctx.privateKey = patch.privateKey;
    },
    async keepLease() {
      if (Date.now() > leaseUntil - (lease.seconds * 1000) / 3) await ctx.record({});
    },
  };
  return ctx;
}
