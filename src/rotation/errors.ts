import { ConflictError, NotFoundError, invalidInputWithCodes } from '../errors.js';

export type RotationErrorCode =
  'ROTATION_MODE_REQUIRED' | 'ROTATION_PARAMETER_UNUSED' | 'CSR_REQUIRED' | 'CERTIFICATE_PEM_REQUIRED';

/** A rotation request that can never work as sent (400); the message names the field to send. */
export class RotationError extends invalidInputWithCodes<RotationErrorCode>() {}

/** The thing has several ACTIVE certificates and the request did not say which one to replace. */
export class CurrentCertificateAmbiguousError extends ConflictError {
  constructor(thingName: string, certificateIds: string[]) {
    super(
      'CURRENT_CERTIFICATE_AMBIGUOUS',
      `Thing '${thingName}' has ${certificateIds.length} ACTIVE certificates (${certificateIds.join(', ')}); ` +
        'send certificateId to say which one to replace',
    );
  }
}

/** Nothing to rotate: the thing has no ACTIVE certificate (provision one instead). */
export class NoCurrentCertificateError extends ConflictError {
  constructor(thingName: string) {
    super(
      'NO_CURRENT_CERTIFICATE',
      `Thing '${thingName}' has no ACTIVE certificate to replace; send certificateId to replace an ` +
        'inactive one, or provision the device',
    );
  }
}

export class CertificateNotOfThingError extends NotFoundError {
  constructor(certificateId: string, thingName: string) {
    super('CERTIFICATE_NOT_ATTACHED', `Certificate ${certificateId} is not attached to thing '${thingName}'`);
  }
}

export type FleetRotationErrorCode =
  'FLEET_SELECTION_INVALID' | 'FLEET_ROTATION_MODE_PER_DEVICE' | 'FLEET_PARAMETERS_NEED_MODE';

/** A fleet rotation request that can never work as sent (400); the message says what to send. */
export class FleetRotationError extends invalidInputWithCodes<FleetRotationErrorCode>() {}

/** A fleet rotation names a thing group AWS IoT does not have (at submission, or gone by planning). */
export class ThingGroupNotFoundError extends NotFoundError {
  constructor(groupName: string, options?: ErrorOptions) {
    super('THING_GROUP_NOT_FOUND', `Thing group '${groupName}' does not exist: nothing was rotated`, options);
  }
}
