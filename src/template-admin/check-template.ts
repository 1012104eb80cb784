import { CERTIFICATE_MODE_INJECTS, type CdfBlock, type CertificateModeName } from '../templates/cdf-block.js';
import { loadedTemplate, type LoadedTemplate } from '../templates/loaded-template.js';
import { parseTemplate } from '../templates/parse.js';
import type { ResourceDefinition } from '../templates/types.js';
import { CertificateModeUnavailableError, TemplateCannotProvisionError } from './errors.js';
import { checkLiteralValues } from './literal-values.js';
import { referencedNames } from './references.js';

/**
 * Everything that can be known about a template before a device is provisioned with it: AWS's
 * template rules, the CDF block, a certificate mode this service offers, a certificate for that
 * mode's (and `attachAdditionalPolicies`') output to go to, and the values written in the
 * template itself. A template that fails here could never provision; the error says why.
 */
export function checkTemplate(body: string, offered: readonly CertificateModeName[]): LoadedTemplate {
  const template = loadedTemplate(parseTemplate(body), undefined);
  const { parsed, cdf, certificateMode } = template;
  if (certificateMode !== undefined && !offered.includes(certificateMode)) {
    throw new CertificateModeUnavailableError(certificateMode, offered);
  }
  const certificate = Object.entries(parsed.aws.Resources).find(
    ([, r]) => r.Type === 'AWS::IoT::Certificate',
  );
  if (certificateMode !== undefined) {
    checkModeCertificateUsed(certificateMode, CERTIFICATE_MODE_INJECTS[certificateMode], certificate);
  }
  if (additionalPolicies(cdf) > 0 && certificate === undefined) {
    throw new TemplateCannotProvisionError(
      'TEMPLATE_CERTIFICATE_MISSING',
      'CDF.attachAdditionalPolicies attaches policies to the device certificate, but the template ' +
        'declares no AWS::IoT::Certificate resource',
    );
  }
  checkLiteralValues(parsed.aws);
  return template;
}

/** The certificate a mode makes must reach the template's certificate, or it is made for nothing. */
function checkModeCertificateUsed(
  modeName: CertificateModeName,
  injects: readonly string[],
  certificate: [string, ResourceDefinition] | undefined,
): void {
  const example = injects.includes('CertificatePem')
    ? '{"CertificatePem": {"Ref": "CertificatePem"}}'
    : `{"CertificateId": {"Ref": "${injects[0] ?? 'CertificateId'}"}}`;
  if (certificate === undefined) {
    throw new TemplateCannotProvisionError(
      'TEMPLATE_CERTIFICATE_UNUSED',
      `CDF.${modeName} makes the device certificate, but the template declares no AWS::IoT::Certificate ` +
        `resource to register it: add one with Properties ${example}`,
    );
  }
  const [logicalId, resource] = certificate;
  const used = referencedNames(resource.Properties);
  if (![...injects, 'AWS::IoT::Certificate::Id'].some((name) => used.has(name))) {
    throw new TemplateCannotProvisionError(
      'TEMPLATE_CERTIFICATE_UNUSED',
      `Resources.${logicalId}.Properties: CDF.${modeName} makes the device certificate, but this certificate ` +
        `does not use it, so it would be made for nothing: refer to ${injects.join(' or ')}, e.g. ${example}`,
    );
  }
}

function additionalPolicies(cdf: CdfBlock): number {
  const policies = cdf.attachAdditionalPolicies;
  if (policies === undefined) return 0;
  return Array.isArray(policies) ? policies.length : policies.policies.length;
}
