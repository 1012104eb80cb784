import { InvalidInputError } from '../errors.js';
import type { CdfProvisioningParameters } from '../tasks/request.js';
import { expandTemplate } from '../templates/expand.js';
import type { LoadedTemplate } from '../templates/loaded-template.js';
import { STAND_IN_ACCOUNT_ID, standInParameters } from './certificate-modes/stand-ins.js';

/**
 * What AWS IoT would refuse in the device that `parameters` describe with this template, or
 * undefined: a parameter the caller must send and did not, or a value the template, expanded with
 * them, gives AWS IoT and AWS IoT refuses (a thing name, an attribute, a group, a policy, a CSR or
 * certificate: iot-constraints.ts), named by the parameter it came from. What the certificate mode
 * will inject is stood in for (stand-ins.ts), so the template's use of it is checked too.
 *
 * Pure and cheap (no AWS call, and the same expansion the worker runs): admission runs it on every
 * request, the bulk line runner on every line before it becomes a device, and a dry run may run it
 * on lines it is shown. `cdfParameters` are the request's (a bulk task's, for all its lines).
 */
export function deviceProblem(
  template: LoadedTemplate,
  cdfParameters: CdfProvisioningParameters | undefined,
  parameters: Readonly<Record<string, string>>,
  context: { region: string },
): InvalidInputError | undefined {
  const missing = template.callerParameters.filter((name) => !Object.hasOwn(parameters, name));
  if (missing.length > 0) {
    return new InvalidInputError(
      'TEMPLATE_PARAMETER_MISSING',
      `The template needs parameter(s) ${missing.join(', ')}: send them in 'parameters'`,
    );
  }
  try {
    const mode = template.certificateMode;
    const injected =
      mode === undefined
        ? {}
        : standInParameters(mode, { cdfProvisioningParameters: cdfParameters }, context.region);
    expandTemplate(template.parsed, parameters, {
      region: context.region,
      accountId: STAND_IN_ACCOUNT_ID,
      injected,
      // A mode's certificate is known to the worker before it expands the template.
      certificateId: injected.CertificateId,
    });
    return undefined;
  } catch (e: unknown) {
    if (e instanceof InvalidInputError) return e;
    throw e;
  }
}
