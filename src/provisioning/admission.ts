import { InvalidInputError, NotFoundError } from '../errors.js';
import type { Admission, Admitted } from '../tasks/admission.js';
import type { ProvisionRequest } from '../tasks/request.js';
import type { LoadedTemplate } from '../templates/loaded-template.js';
import type { TemplateStore } from '../templates/template-store.js';
import type { ModeChecks } from './certificate-modes/certificate-mode.js';

/**
 * The checks a request must pass before a task is recorded, shared by the API and by messages
 * that upstream systems publish straight to the queue: the template exists and parses, its CDF
 * block is valid, the certificate mode's own inputs are usable, and no required parameter is
 * missing (parameters the certificate mode injects excepted).
 */
export function createAdmission(deps: { templates: TemplateStore; checks: ModeChecks }): Admission {
  return {
    async admit(request: ProvisionRequest, options = {}): Promise<Admitted> {
      const template = await loadForRequest(deps.templates, request.provisioningTemplateId);
      const modeName = template.certificateMode;
      if (modeName !== undefined) {
        const check = deps.checks[modeName];
        if (check === undefined) {
          throw new InvalidInputError(
            'CERTIFICATE_MODE_UNAVAILABLE',
            `Template '${request.provisioningTemplateId}' uses certificate mode '${modeName}', which this service does not offer`,
          );
        }
        await check(request, template.cdf);
      }
      if (options.skipParameterCheck !== true) {
        const missing = template.callerParameters.filter((p) => !Object.hasOwn(request.parameters, p));
        if (missing.length > 0) {
          throw new InvalidInputError(
            'TEMPLATE_PARAMETER_MISSING',
            `Template '${request.provisioningTemplateId}' needs parameter(s) ${missing.join(', ')} in 'parameters'`,
          );
        }
      }
      return { templateVersion: template.version };
    },
  };
}

async function loadForRequest(templates: TemplateStore, templateId: string): Promise<LoadedTemplate> {
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
