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
