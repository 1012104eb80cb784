import type { InvalidInputError, ServiceError } from '../errors.js';
import type { CdfProvisioningParameters } from '../tasks/request.js';
import { TemplateError } from '../templates/errors.js';
import type { LoadedTemplate } from '../templates/loaded-template.js';
import { deviceProblem, deviceThingName } from '../provisioning/device-check.js';
import type { TemplateStore } from '../templates/template-store.js';
import type { InputLine } from './input-line.js';
import type { BulkTask } from './model.js';

/** A line's problem as results show it. */
export interface LineProblem {
  code: string;
  message: string;
}

/**
 * What a line of a bulk input is before anything is made: a problem that fails it (unreadable,
 * a parameter missing, a value AWS IoT would refuse once the template is expanded), or its
 * parameters with the thing it names, and the parameters the template does not declare.
 */
export type LineVerdict =
  | { problem: LineProblem }
  | { parameters: Record<string, string>; thingName: string | undefined; undeclared: string[] };

/** Admission's per-device check (src/provisioning/device-check.ts), bound to the runtime's region. */
export type DeviceCheck = (
  template: LoadedTemplate,
  cdfParameters: CdfProvisioningParameters | undefined,
  parameters: Readonly<Record<string, string>>,
) => InvalidInputError | undefined;

export interface LineCheckContext {
  template: LoadedTemplate;
  cdfParameters: CdfProvisioningParameters | undefined;
  deviceProblem: DeviceCheck;
  thingName(parameters: Readonly<Record<string, string>>): string | undefined;
}

/**
 * The line check of a bulk task's template (at the version it was accepted with), bound to the
 * runtime's region as admission checks a device: what a chunk and a dry run's chunk both use.
 */
export async function templateLineCheck(
  task: Pick<BulkTask, 'provisioningTemplateId' | 'templateVersion' | 'cdfProvisioningParameters'>,
  deps: { templates: TemplateStore; region: string },
): Promise<LineCheckContext> {
  const template = await deps.templates.load(task.provisioningTemplateId, task.templateVersion);
  const region = { region: deps.region };
  return {
    template,
    cdfParameters: task.cdfProvisioningParameters,
    deviceProblem: (t, cdf, parameters) => deviceProblem(t, cdf, parameters, region),
    thingName: (parameters) => deviceThingName(template, task.cdfProvisioningParameters, parameters, region),
  };
}

export function checkLine(line: InputLine, context: LineCheckContext): LineVerdict {
  if ('error' in line) return { problem: { code: 'BULK_LINE_INVALID', message: line.error } };
  const { parameters } = line;
  const problem = context.deviceProblem(context.template, context.cdfParameters, parameters);
  if (problem !== undefined) return { problem: { code: lineProblemCode(problem), message: problem.message } };
  const declared = context.template.parsed.parameterNames;
  return {
    parameters,
    thingName: context.thingName(parameters),
    undeclared: Object.keys(parameters).filter((name) => !declared.includes(name)),
  };
}

/** A column the template does not declare: the real run ignores it, which is rarely what was meant. */
export function undeclaredProblem(names: string[]): LineProblem {
  return {
    code: 'TEMPLATE_PARAMETER_UNKNOWN',
    message: `The template declares no parameter ${names.map((n) => `'${n}'`).join(', ')}; it would be ignored (a misspelt column?)`,
  };
}

/**
 * Which value AWS IoT would refuse, as a code of its own: the template engine reports every
 * refused property as TEMPLATE_PROPERTY_INVALID at the property's path, and the path says which.
 */
const PROPERTY_CODES: [RegExp, string][] = [
  [/\.ThingName$/, 'THING_NAME_INVALID'],
  [/\.ThingTypeName$/, 'THING_TYPE_NAME_INVALID'],
  [/\.ThingGroups(\[\d+\])?$/, 'THING_GROUP_NAME_INVALID'],
  [/\.BillingGroup$/, 'BILLING_GROUP_NAME_INVALID'],
  [/\.AttributePayload($|[.[])/, 'ATTRIBUTE_INVALID'],
  [/\.PolicyName$/, 'POLICY_NAME_INVALID'],
  [/\.PolicyDocument$/, 'POLICY_DOCUMENT_INVALID'],
];

export function lineProblemCode(problem: ServiceError): string {
  if (!(problem instanceof TemplateError) || problem.code !== 'TEMPLATE_PROPERTY_INVALID')
    return problem.code;
  return PROPERTY_CODES.find(([path]) => path.test(problem.path))?.[1] ?? problem.code;
}
