import type { ServiceError } from '../errors.js';
import type { CdfProvisioningParameters } from '../tasks/request.js';
import { TemplateError } from '../templates/errors.js';
import type { LoadedTemplate } from '../templates/loaded-template.js';
import type { DeviceCheck } from './device-preview.js';
import type { InputLine } from './input-line.js';

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

export interface LineCheckContext {
  template: LoadedTemplate;
  cdfParameters: CdfProvisioningParameters | undefined;
  deviceProblem: DeviceCheck;
  thingName(parameters: Readonly<Record<string, string>>): string | undefined;
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
