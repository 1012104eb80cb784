import { InvalidInputError, NotFoundError } from '../errors.js';
import type { Admission, Admitted } from '../tasks/admission.js';
import type { ProvisionRequest } from '../tasks/request.js';
import type { LoadedTemplate } from '../templates/loaded-template.js';
import type { TemplateStore } from '../templates/template-store.js';
import type { ModeChecks } from './certificate-modes/certificate-mode.js';
import { deviceProblem } from './device-check.js';

/**
 * The checks a request must pass before a task is recorded, shared by the API and by messages
 * that upstream systems publish straight to the queue: the template exists and parses, its CDF
 * block is valid, the device the request describes is one AWS IoT would accept (every parameter
 * the caller must send is there, and the template expanded with them gives AWS IoT only values it
 * takes: `deviceProblem`), and the certificate mode's own inputs are usable. The pure checks come
 * before the mode's, which read from AWS.
 */
export function createAdmission(deps: {
  templates: TemplateStore;
  checks: ModeChecks;
  region: string;
}): Admission {
  return {
    async admit(request: ProvisionRequest, options = {}): Promise<Admitted> {
      const template = await loadForRequest(deps.templates, request.provisioningTemplateId);
      const modeName = template.certificateMode;
      const check = modeName === undefined ? undefined : deps.checks[modeName];
      if (modeName !== undefined && check === undefined) {
        throw new InvalidInputError(
          'CERTIFICATE_MODE_UNAVAILABLE',
          `Template '${request.provisioningTemplateId}' uses certificate mode '${modeName}', which this service does not offer`,
        );
      }
      if (options.skipParameterCheck !== true) {
        const problem = deviceProblem(template, request.cdfProvisioningParameters, request.parameters, deps);
        if (problem !== undefined) throw problem;
      }
      await check?.(request, template.cdf);
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
