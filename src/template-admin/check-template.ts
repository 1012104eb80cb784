import {
  parseCdfBlock,
  selectCertificateMode,
  type CdfBlock,
  type CertificateModeName,
} from '../provisioning/cdf-block.js';
import type { CertificateMode } from '../provisioning/certificate-modes/certificate-mode.js';
import { parseTemplate, requiredParameters } from '../templates/parse.js';
import type { ParsedTemplate, ResourceDefinition } from '../templates/types.js';
import { CertificateModeUnavailableError, TemplateCannotProvisionError } from './errors.js';
import { checkLiteralValues } from './literal-values.js';
import { referencedNames } from './references.js';

export type Modes = Partial<Record<CertificateModeName, Pick<CertificateMode, 'injects'>>>;

export interface CheckedTemplate {
  parsed: ParsedTemplate;
  cdf: CdfBlock;
  certificateMode: CertificateModeName | undefined;
  /** What a `POST /things` for this template must send in `parameters`. */
  requiredParameters: string[];
}

/**
 * Everything that can be known about a template before a device is provisioned with it: AWS's
 * template rules, the CDF block, a certificate mode this service offers, a certificate for that
 * mode's (and `attachAdditionalPolicies`') output to go to, and the values written in the
 * template itself. A template that fails here could never provision; the error says why.
 */
export function checkTemplate(body: string, modes: Modes): CheckedTemplate {
  const parsed = parseTemplate(body);
  const cdf = parseCdfBlock(parsed.cdf);
  const certificateMode = selectCertificateMode(cdf);
  const mode = certificateMode === undefined ? undefined : modes[certificateMode];
  if (certificateMode !== undefined && mode === undefined) {
    throw new CertificateModeUnavailableError(certificateMode, Object.keys(modes));
  }
  const certificate = Object.entries(parsed.aws.Resources).find(
    ([, r]) => r.Type === 'AWS::IoT::Certificate',
  );
  if (certificateMode !== undefined && mode !== undefined) {
    checkModeCertificateUsed(certificateMode, mode.injects, certificate);
  }
  if (additionalPolicies(cdf) > 0 && certificate === undefined) {
    throw new TemplateCannotProvisionError(
      'TEMPLATE_CERTIFICATE_MISSING',
      'CDF.attachAdditionalPolicies attaches policies to the device certificate, but the template ' +
        'declares no AWS::IoT::Certificate resource',
    );
  }
  checkLiteralValues(parsed.aws);
  const injected = new Set(mode?.injects ?? []);
  return {
    parsed,
    cdf,
    certificateMode,
    requiredParameters: requiredParameters(parsed).filter((name) => !injected.has(name)),
  };
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
