import type { Rotation } from '../tasks/rotation.js';
import type { Task } from '../tasks/model.js';
import { loadedTemplate, type LoadedTemplate } from '../templates/loaded-template.js';
import { parseTemplate } from '../templates/parse.js';
import type { TemplateStore } from '../templates/template-store.js';

/** The template parameter a rotation in `aws-csr` mode carries the device's CSR in. */
export const ROTATION_CSR_PARAMETER = 'CSR';

/**
 * The provisioning template a rotation runs: the thing as it is (no attributes, type or groups,
 * so nothing about it changes), the new certificate made the rotation's way, and the replaced
 * certificate's policies by name. The engine runs it like any template: the certificate is made
 * and recorded once (the claim), the thing is found existing (so compensation never removes it),
 * the policies exist (never removed either), and the policies and the thing are attached to the
 * new certificate; a failure removes only the certificate the rotation made.
 */
export function rotationTemplate(rotation: Rotation): LoadedTemplate {
  const byId = { CertificateId: { Ref: 'CertificateId' }, Status: 'ACTIVE' };
  const certificate =
    rotation.mode === 'aws-csr'
      ? { CertificateSigningRequest: { Ref: ROTATION_CSR_PARAMETER }, Status: 'ACTIVE' }
      : byId;
  const policies = Object.fromEntries(
    rotation.policies.map((policyName, i) => [
      `policy${i + 1}`,
      { Type: 'AWS::IoT::Policy', Properties: { PolicyName: policyName } },
    ]),
  );
  const body = {
    Parameters: {
      ThingName: { Type: 'String' },
      ...(rotation.mode === 'aws-csr'
        ? { [ROTATION_CSR_PARAMETER]: { Type: 'String' } }
        : { CertificateId: { Type: 'String' } }),
    },
    Resources: {
      thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } },
      certificate: { Type: 'AWS::IoT::Certificate', Properties: certificate },
      ...policies,
    },
    ...cdfBlock(rotation),
  };
  return loadedTemplate(parseTemplate(body), undefined);
}

function cdfBlock(rotation: Rotation): { CDF?: Record<string, unknown> } {
  switch (rotation.mode) {
    case 'own-ca':
      return { CDF: { createDeviceCertificate: true } };
    case 'aws':
      return { CDF: { createDeviceAWSCertificate: true } };
    case 'registered':
      return { CDF: { registerDeviceCertificateWithoutCA: true } };
    case 'acm-pca':
      return { CDF: { acmpca: { mode: rotation.acmpcaMode ?? 'REGISTER_WITHOUT_CA' } } };
    case 'aws-csr':
      return {};
  }
}

/** The template a task runs: its rotation's, or the one it was accepted with from the bucket. */
export function templateOfTask(
  task: Pick<Task, 'request' | 'templateVersion' | 'rotation'>,
  templates: Pick<TemplateStore, 'load'>,
): Promise<LoadedTemplate> {
  if (task.rotation !== undefined) return Promise.resolve(rotationTemplate(task.rotation));
  return templates.load(task.request.provisioningTemplateId, task.templateVersion);
}
