import { InvalidInputError, NotFoundError } from '../errors.js';

export type TemplateErrorCode =
  /** The body is not JSON at all; the message gives line and column. */
  | 'TEMPLATE_JSON_INVALID'
  /** Wrong structure: unknown or missing sections, keys, resource types, property names. */
  | 'TEMPLATE_INVALID'
  /** Nested deeper than the engine evaluates (MAX_NESTING), directly or through conditions. */
  | 'TEMPLATE_TOO_DEEP'
  /** Documented by AWS IoT but deliberately not implemented by this service. */
  | 'TEMPLATE_UNSUPPORTED'
  /** An intrinsic function with the wrong shape, or whose arguments cannot be evaluated. */
  | 'TEMPLATE_FUNCTION_INVALID'
  /** A Ref, Fn::Sub variable, Fn::FindInMap key or condition name that the template does not declare. */
  | 'TEMPLATE_REFERENCE_UNKNOWN'
  /** A condition that is not a condition, loops back on itself, or is used where it is not allowed. */
  | 'TEMPLATE_CONDITION_INVALID'
  /** A parameter without a Default (or a pseudo parameter) has no value. */
  | 'TEMPLATE_PARAMETER_MISSING'
  /** A parameter value breaks its Type, AllowedValues, AllowedPattern or length/value limits. */
  | 'TEMPLATE_PARAMETER_INVALID'
  /** An expanded property value that AWS IoT would refuse (names, attributes, policy document...). */
  | 'TEMPLATE_PROPERTY_INVALID';

/**
 * A template (or the parameters sent for it) can never provision as it is. `path` locates the
 * problem inside the template, e.g. `Resources.thing.Properties.ThingName`, and starts the message.
 */
export class TemplateError extends InvalidInputError {
  declare readonly code: TemplateErrorCode;

  constructor(
    code: TemplateErrorCode,
    readonly path: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(code, `${path === '' ? 'template' : path}: ${problem}`, options);
  }
}

/** Throws a TemplateError; an expression, so it also fits `value ?? fail(...)`. */
export function fail(code: TemplateErrorCode, path: string, problem: string): never {
  throw new TemplateError(code, path, problem);
}

export class TemplateNotFoundError extends NotFoundError {
  /** With `version`: the version a task was accepted with is gone (someone deleted that version). */
  constructor(templateId: string, options?: ErrorOptions & { version?: string }) {
    super(
      'TEMPLATE_NOT_FOUND',
      options?.version === undefined
        ? `No provisioning template with id '${templateId}' exists`
        : `Version '${options.version}' of provisioning template '${templateId}', which the task was accepted with, no longer exists`,
      options,
    );
  }
}
