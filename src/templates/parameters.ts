import { TemplateError } from './errors.js';
import { IOT_LIMITS } from './iot-constraints.js';
import { at, defined, describe, isObject, type Json } from './json.js';
import type {
  CertificateSubjectField,
  ExpansionContext,
  ParameterDefinition,
  ParameterType,
} from './types.js';

const SUBJECT_FIELDS: readonly CertificateSubjectField[] = [
  'Country',
  'Organization',
  'OrganizationalUnit',
  'DistinguishedNameQualifier',
  'StateName',
  'CommonName',
  'SerialNumber',
];

/** Names a template may Ref without declaring them, and where their values come from. */
const PSEUDO_PARAMETERS: ReadonlyMap<string, (context: ExpansionContext) => string | undefined> = new Map([
  ['AWS::Region', (c: ExpansionContext) => c.region],
  ['AWS::AccountId', (c: ExpansionContext) => c.accountId],
  ['AWS::IoT::Certificate::Id', (c: ExpansionContext) => c.certificateId],
  ...SUBJECT_FIELDS.map(
    (field) =>
      [`AWS::IoT::Certificate::${field}`, (c: ExpansionContext) => c.certificateSubject?.[field]] as const,
  ),
]);

export function isPseudoParameter(name: string): boolean {
  return PSEUDO_PARAMETERS.has(name);
}

export function pseudoParameter(name: string, context: ExpansionContext): string | undefined {
  return PSEUDO_PARAMETERS.get(name)?.(context);
}

/**
 * What a parameter may be called: what a request can send (the request schema uses this pattern),
 * which covers AWS's own names (`ThingName`, `AWS::IoT::Certificate::Id`). Names every JavaScript
 * object has (`__proto__`, `toString`, ...) are refused for the whole template by `shapeProblems`.
 */
export const PARAMETER_NAME = '^[A-Za-z0-9:_.-]{1,128}$';
const PARAMETER_NAME_PATTERN = new RegExp(PARAMETER_NAME);

const TYPES: readonly ParameterType[] = ['String', 'Number'];
const KEYS = new Set([
  'Type',
  'Default',
  'Description',
  'AllowedValues',
  'AllowedPattern',
  'MinLength',
  'MaxLength',
  'MinValue',
  'MaxValue',
  'ConstraintDescription',
]);
const STRING_ONLY = ['AllowedPattern', 'MinLength', 'MaxLength'];
const NUMBER_ONLY = ['MinValue', 'MaxValue'];

/** Checks one `Parameters` entry and returns it typed, with Default and AllowedValues as strings. */
export function parameterDefinition(name: string, raw: Json, path: string): ParameterDefinition {
  const fail = (key: string, problem: string): never => {
    throw new TemplateError('TEMPLATE_INVALID', key === '' ? path : at(path, key), problem);
  };
  // JITP declares the certificate's fields as parameters; other AWS:: names are AWS's own.
  const certificateField = name.startsWith('AWS::IoT::Certificate::') && isPseudoParameter(name);
  if (name === '' || (name.startsWith('AWS::') && !certificateField)) {
    fail(
      '',
      `"${name}" cannot be a parameter name; rename it (only AWS::IoT::Certificate::* may start with AWS::)`,
    );
  }
  if (!PARAMETER_NAME_PATTERN.test(name)) {
    fail('', 'a parameter name is 1-128 of A-Z a-z 0-9 : _ . - (what a request can send); rename it');
  }
  if (!isObject(raw)) return fail('', `a parameter must be an object such as {"Type": "String"}`);
  for (const key of Object.keys(raw)) {
    if (!KEYS.has(key)) fail(key, `unknown parameter property; use ${[...KEYS].join(', ')}`);
  }
  if (!TYPES.includes(raw.Type as ParameterType)) fail('Type', `must be one of ${TYPES.join(', ')}`);
  const type = raw.Type as ParameterType;
  const wrongFor = type === 'String' ? NUMBER_ONLY : STRING_ONLY;
  for (const key of wrongFor) if (Object.hasOwn(raw, key)) fail(key, `does not apply to a ${type} parameter`);

  const text = (key: string): string | undefined => {
    const value = raw[key];
    if (value === undefined || typeof value === 'string') return value;
    if (typeof value === 'number' && key === 'Default') return String(value);
    return fail(key, `must be a string, not ${describe(value)}`);
  };
  const number = (key: string, integer: boolean): number | undefined => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (typeof value === 'number' && (!integer || (Number.isInteger(value) && value >= 0))) return value;
    return fail(key, integer ? 'must be a whole number, 0 or more' : 'must be a number');
  };
  const allowed = raw.AllowedValues;
  if (allowed !== undefined && (!Array.isArray(allowed) || allowed.length === 0)) {
    fail('AllowedValues', 'must be a non-empty list of values');
  }
  const definition: ParameterDefinition = defined({
    Type: type,
    Default: text('Default'),
    Description: text('Description'),
    AllowedValues: Array.isArray(allowed)
      ? allowed.map((value, i) => {
          if (typeof value === 'string' || typeof value === 'number') return String(value);
          return fail('AllowedValues', `item ${i} must be a string, not ${describe(value)}`);
        })
      : undefined,
    AllowedPattern: text('AllowedPattern'),
    MinLength: number('MinLength', true),
    MaxLength: number('MaxLength', true),
    MinValue: number('MinValue', false),
    MaxValue: number('MaxValue', false),
    ConstraintDescription: text('ConstraintDescription'),
  });
  if (definition.AllowedPattern !== undefined) {
    try {
      new RegExp(definition.AllowedPattern);
    } catch {
      fail('AllowedPattern', 'is not a valid regular expression');
    }
  }
  if (definition.Default !== undefined) {
    const problem = valueProblem(definition, definition.Default);
    if (problem !== undefined) fail('Default', `${problem}; make the Default meet its own constraints`);
  }
  return definition;
}

/** What is wrong with `value` for this parameter, or undefined when it is acceptable. */
export function valueProblem(definition: ParameterDefinition, value: string): string | undefined {
  const problem = constraintProblem(definition, value);
  const hint = definition.ConstraintDescription;
  return problem === undefined || hint === undefined ? problem : `${problem} (${hint})`;
}

function constraintProblem(definition: ParameterDefinition, value: string): string | undefined {
  const { AllowedValues, AllowedPattern, MinLength, MaxLength, MinValue, MaxValue } = definition;
  const shown = describe(value);
  if (AllowedValues !== undefined && !AllowedValues.includes(value)) {
    return `${shown} is not one of the AllowedValues ${AllowedValues.map((v) => describe(v)).join(', ')}`;
  }
  if (definition.Type === 'Number') {
    const number = value.trim() === '' ? NaN : Number(value);
    if (!Number.isFinite(number)) return `${shown} is not a number`;
    if (MinValue !== undefined && number < MinValue) return `${shown} is less than MinValue ${MinValue}`;
    if (MaxValue !== undefined && number > MaxValue) return `${shown} is more than MaxValue ${MaxValue}`;
    return undefined;
  }
  if (MinLength !== undefined && value.length < MinLength) return `${shown} is shorter than ${MinLength}`;
  if (MaxLength !== undefined && value.length > MaxLength) return `${shown} is longer than ${MaxLength}`;
  // CloudFormation matches AllowedPattern against the whole value.
  if (AllowedPattern !== undefined && !new RegExp(`^(?:${AllowedPattern})$`).test(value)) {
    return `${shown} does not match AllowedPattern ${AllowedPattern}`;
  }
  return undefined;
}

/**
 * The value of every declared parameter: injected by a certificate mode, else sent, else supplied
 * by AWS IoT (the certificate's fields), else the Default. Names that are sent but not declared
 * are ignored, as CDF's certificate steps add parameters that not every template uses.
 */
export function resolveParameters(
  definitions: Record<string, ParameterDefinition>,
  sent: Readonly<Record<string, string>>,
  context: ExpansionContext,
): Map<string, string> {
  const injected = context.injected ?? {};
  const values = new Map<string, string>();
  const missing: string[] = [];
  for (const [name, definition] of Object.entries(definitions)) {
    const fromRequest = !Object.hasOwn(injected, name) && Object.hasOwn(sent, name);
    const value = Object.hasOwn(injected, name)
      ? injected[name]
      : fromRequest
        ? sent[name]
        : (pseudoParameter(name, context) ?? definition.Default);
    if (value === undefined) {
      missing.push(name);
      continue;
    }
    const problem =
      fromRequest && value.length > IOT_LIMITS.parameterValue
        ? `the value sent is ${value.length} characters; AWS IoT takes at most ${IOT_LIMITS.parameterValue} for a template parameter`
        : valueProblem(definition, value);
    if (problem !== undefined) {
      throw new TemplateError(
        'TEMPLATE_PARAMETER_INVALID',
        at('Parameters', name),
        `${problem}; send a valid value`,
      );
    }
    values.set(name, value);
  }
  if (missing.length > 0) {
    throw new TemplateError(
      'TEMPLATE_PARAMETER_MISSING',
      missing.map((name) => at('Parameters', name)).join(', '),
      `no value was sent and the template declares no Default; send ${missing.join(', ')} in the parameters`,
    );
  }
  return values;
}
