import { InvalidInputError, NotFoundError } from '../errors.js';
import type { ProvisionRequest } from '../tasks/request.js';
import { requiredParameters } from '../templates/parse.js';
import type { ParsedTemplate } from '../templates/types.js';
import type { TemplateStore } from '../templates/template-store.js';
import { parseCdfBlock, selectCertificateMode, type CertificateModeName } from './cdf-block.js';
import type { CertificateMode } from './certificate-modes/certificate-mode.js';

/**
 * The checks a request must pass before a task is recorded, shared by the API and by messages
 * that upstream systems publish straight to the queue: the template exists and parses, its CDF
 * block is valid, the certificate mode's own inputs are usable, and no required parameter is
 * missing (parameters the certificate mode injects excepted).
 */
export async function admit(
  request: ProvisionRequest,
  deps: { templates: TemplateStore; modes: Partial<Record<CertificateModeName, CertificateMode>> },
  options: { skipParameterCheck?: boolean } = {},
): Promise<void> {
  const template = await loadForRequest(deps.templates, request.provisioningTemplateId);
  const cdf = parseCdfBlock(template.cdf);
  const modeName = selectCertificateMode(cdf);
  const mode = modeName === undefined ? undefined : deps.modes[modeName];
  if (modeName !== undefined && mode === undefined) {
    throw new InvalidInputError(
      'CERTIFICATE_MODE_UNAVAILABLE',
      `Template '${request.provisioningTemplateId}' uses certificate mode '${modeName}', which this service does not offer`,
    );
  }
  await mode?.validate(request, cdf);
  if (options.skipParameterCheck === true) return;
  const missing = callerParameters(template, mode).filter((p) => !Object.hasOwn(request.parameters, p));
  if (missing.length > 0) {
    throw new InvalidInputError(
      'TEMPLATE_PARAMETER_MISSING',
      `Template '${request.provisioningTemplateId}' needs parameter(s) ${missing.join(', ')} in 'parameters'`,
    );
  }
}

/** Parameters a caller must send: those without a Default that the certificate mode does not inject. */
export function callerParameters(template: ParsedTemplate, mode: CertificateMode | undefined): string[] {
  const injected = new Set(mode?.injects ?? []);
  return requiredParameters(template).filter((p) => !injected.has(p));
}

async function loadForRequest(templates: TemplateStore, templateId: string): Promise<ParsedTemplate> {
  try {
    return await templates.load(templateId);
  } catch (e: unknown) {
    // Unknown template in a request is the caller's input error (400), not a missing URL (404).
    if (e instanceof NotFoundError) {
      throw new InvalidInputError('TEMPLATE_NOT_FOUND', e.message, { cause: e });
    }
    throw e;
  }
}
