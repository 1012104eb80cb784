import type { CheckpointPatch, ProvisioningContext } from '../../src/provisioning/context.js';
import { leasedContext } from '../../src/provisioning/context.js';
import { awsCertificateRun } from '../../src/provisioning/certificate-modes/aws-certificate/run.js';
import type { ProvisionRequest } from '../../src/tasks/request.js';
import type { TestStack } from './stack.js';

/** Workers that die part way through a task, so tests can check what the next delivery does. */

/** Claims the task as `owner` and gives the context a worker would run it with. */
async function claimedContext(
  stack: TestStack,
  taskId: string,
  request: ProvisionRequest,
  owner: string,
  leaseSeconds: number,
): Promise<ProvisioningContext> {
  const claim = await stack.services.tasks.claim(taskId, owner, leaseSeconds);
  if (claim.kind !== 'claimed') throw new Error(`could not claim ${taskId}: ${claim.kind}`);
  return leasedContext({ ...stack.services, leaseSeconds }, { ...claim.task, request }, owner);
}

/**
 * Plays a worker that claimed a task, made its AWS certificate (checkpointed, as the real worker
 * does) and then died. Returns what it made, so a test can check it is reused or removed.
 */
export async function crashAfterCertificate(
  stack: TestStack,
  taskId: string,
  request: ProvisionRequest,
  leaseSeconds = 1,
): Promise<{ certificateId: string; certificateArn: string }> {
  const ctx = await claimedContext(stack, taskId, request, 'crashed-worker', leaseSeconds);
  await awsCertificateRun(ctx, {});
  const made = ctx.checkpoint.certificate;
  if (made === undefined) throw new Error('the certificate mode made nothing');
  return { certificateId: made.certificateId, certificateArn: made.certificateArn };
}

export class Crash extends Error {}

/**
 * Plays a worker that claims the task, runs `work` and dies at the first checkpoint `at` matches:
 * `after` it was written, or `before` (the AWS call before it went through, its record did not).
 * The lease is already over, so the next delivery may claim the task at once.
 */
export async function crashDuring(
  stack: TestStack,
  taskId: string,
  body: ProvisionRequest,
  work: (ctx: ProvisioningContext) => Promise<unknown>,
  at: { when: 'before' | 'after'; patch: (patch: CheckpointPatch) => boolean },
): Promise<ProvisioningContext> {
  const ctx = await claimedContext(stack, taskId, body, 'crashing-worker', 0);
  const save = ctx.save.bind(ctx);
  ctx.save = async (patch) => {
    const matches = at.patch(patch);
    if (matches && at.when === 'before') throw new Crash('worker died before the checkpoint');
    await save(patch);
    if (matches) throw new Crash('worker died after the checkpoint');
  };
  await expectCrash(work(ctx));
  return ctx;
}

async function expectCrash(run: Promise<unknown>): Promise<void> {
  try {
    await run;
  } catch (e: unknown) {
    if (e instanceof Crash) return;
    throw e;
  }
  throw new Error('the worker was meant to die but finished');
}
