import { ConflictError, InvalidInputError, NotFoundError } from '../errors.js';

/** The template or request asks for something that cannot be provisioned as stated. */
export class ProvisioningInputError extends InvalidInputError {}

/** A resource the template refers to (thing type, group, policy, certificate) does not exist. */
export class MissingResourceError extends NotFoundError {}

/** An existing thing differs from the template and its OverrideSettings say FAIL. */
export class OverrideRefusedError extends ConflictError {
  constructor(thingName: string, property: string) {
    super(
      'THING_OVERRIDE_REFUSED',
      `Thing '${thingName}' already exists with a different ${property}, and the template's ` +
        `OverrideSettings.${property} is FAIL`,
    );
  }
}
