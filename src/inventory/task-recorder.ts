import { TransientError, describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CertificateRecorder } from '../provisioning/certificate-recorder.js';
import type { AcmPcaConfig } from '../provisioning/certificate-modes/acm-pca/input.js';
import { templateOfTask } from '../provisioning/rotation-template.js';
import type { ProvisionResult } from '../tasks/model.js';
import { expandTemplate } from '../templates/expand.js';
import type { TemplateStore } from '../templates/template-store.js';
import type { InventoryWriter } from './inventory-writer.js';
import { originOfMode, originOfTemplateCertificate, type TaskCertificateOrigin } from './origin.js';

export interface TaskRecorderDeps {
  writer: Pick<InventoryWriter, 'record'>;
  templates: TemplateStore;
  certificates: AcmPcaConfig;
  region: string;
  accountId: () => Promise<string>;
  logger: Logger;
}

type Provisioned = Parameters<CertificateRecorder['recordProvisioned']>[0];

/**
 * Records the certificate of every device the service provisions (every certificate mode, and a
 * template's own certificate resource), with one write, from the finished task: its certificate
 * (the result's, or the one a mode made when the template does not use it), the thing it was
 * attached to, and how it was made. The template is the cached one the task ran.
 *
 * A failure to record must never undo a device: a transient one (DynamoDB throttling) is thrown so
 * the task's message is redelivered and the record written then; anything else is logged and the
 * task succeeds without its record (the backfill finds the certificate later).
 */
export function taskRecorder(deps: TaskRecorderDeps): CertificateRecorder {
  return {
    async recordProvisioned(task, result) {
      const certificate = certificateOf(task, result);
      if (certificate === undefined) return;
      try {
        const { origin, status } = await originOf(task, deps);
        await deps.writer.record({
          ...certificate,
          origin,
          ...(status !== undefined ? { status } : {}),
          taskId: task.taskId,
          source: 'task',
        });
      } catch (e: unknown) {
        if (e instanceof TransientError) throw e;
        deps.logger.error('certificate not recorded in the inventory', {
          taskId: task.taskId,
          certificateId: certificate.certificateId,
          error: describeError(e),
        });
      }
    },
  };
}

/** The device certificate, and the thing when the template attached the two. */
function certificateOf(
  task: Provisioned,
  result: ProvisionResult,
): { certificateId: string; certificateArn: string; certificatePem: string; thingName?: string } | undefined {
  const made = task.checkpoint.certificate;
  const certificateArn = result.resourceArns.certificate ?? made?.certificateArn;
  const certificatePem = result.certificatePem ?? made?.certificatePem;
  if (certificateArn === undefined || certificateArn === '' || certificatePem === undefined) return undefined;
  const thingArn = result.resourceArns.thing;
  const attached = result.resourceArns.certificate !== undefined && thingArn !== undefined;
  return {
    certificateId: lastSegment(certificateArn),
    certificateArn,
    certificatePem,
    ...(attached ? { thingName: lastSegment(thingArn) } : {}),
  };
}

async function originOf(task: Provisioned, deps: TaskRecorderDeps): Promise<TaskCertificateOrigin> {
  const template = await templateOfTask(task, deps.templates);
  if (template.certificateMode !== undefined) {
    return originOfMode(template.certificateMode, task.request, template.cdf, deps.certificates);
  }
  // Which property gave the template's certificate is known only once the template is expanded
  // (an Fn::If may choose between them), as the task expanded it.
  const expanded = expandTemplate(template.parsed, task.request.parameters, {
    region: deps.region,
    accountId: await deps.accountId(),
    certificateId: task.checkpoint.certificate?.certificateId,
  });
  return expanded.certificate === undefined
    ? { origin: { mode: 'unknown' }, status: undefined }
    : originOfTemplateCertificate(expanded.certificate);
}

const lastSegment = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
