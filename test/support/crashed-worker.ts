import type { ProvisioningContext } from '../../src/provisioning/context.js';
import { contextSaver } from '../../src/provisioning/context.js';
import { awsCertificateMode } from '../../src/provisioning/certificate-modes/aws-certificate.js';
import type { ProvisionRequest } from '../../src/tasks/request.js';
import type { TestStack } from './stack.js';

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
  const owner = 'crashed-worker';
  const claim = await stack.services.tasks.claim(taskId, owner, leaseSeconds);
  if (claim.kind !== 'claimed') throw new Error(`could not claim ${taskId}: ${claim.kind}`);
  const ctx: ProvisioningContext = {
    taskId,
    request,
    iot: stack.clients.iot,
    secrets: stack.services.secrets,
    logger: stack.services.logger,
    checkpoint: { policies: {} },
    privateKey: undefined,
    save: () => Promise.resolve(),
  };
  ctx.save = contextSaver(stack.services.tasks, taskId, owner, leaseSeconds, ctx);
  await awsCertificateMode.run(ctx, {});
  const made = ctx.checkpoint.certificate;
  if (made === undefined) throw new Error('the certificate mode made nothing');
  return { certificateId: made.certificateId, certificateArn: made.certificateArn };
}
