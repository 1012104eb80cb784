import { ConflictError, InvalidInputError, NotFoundError } from '../errors.js';

/**
 * Refusals of a retirement, each before anything is changed: what a person must do is in the
 * message. They are also what a scheduled retirement records when it cannot go ahead at its time.
 */
export class CertificateIdInvalidError extends InvalidInputError {
  constructor(certificateId: string) {
    super(
      'CERTIFICATE_ID_INVALID',
      `'${certificateId.slice(0, 80)}' is not a certificate id: AWS IoT's ids are 64 hexadecimal digits`,
    );
  }
}

export class CertificateNotFoundError extends NotFoundError {
  constructor(certificateId: string) {
    super('CERTIFICATE_NOT_FOUND', `Certificate ${certificateId} does not exist in AWS IoT`);
  }
}

export class CertificateNotAttachedError extends NotFoundError {
  constructor(certificateId: string, thingName: string) {
    super(
      'CERTIFICATE_NOT_ATTACHED',
      `Certificate ${certificateId} is not attached to thing '${thingName}' (GET /things/${thingName} ` +
        'lists its certificates)',
    );
  }
}

export class CertificateSharedError extends ConflictError {
  constructor(certificateId: string, others: readonly string[]) {
    const shown = others.slice(0, 5).map((t) => `'${t}'`);
    super(
      'CERTIFICATE_SHARED',
      `Certificate ${certificateId} is also attached to ${shown.join(', ')}` +
        `${others.length > shown.length ? ` and ${others.length - shown.length} more` : ''}; a certificate ` +
        'another thing uses is never retired. Detach it from the other things first. Nothing was changed',
    );
  }
}

export class LastActiveCertificateError extends ConflictError {
  constructor(certificateId: string, thingName: string) {
    super(
      'LAST_ACTIVE_CERTIFICATE',
      `Certificate ${certificateId} is the only ACTIVE certificate of thing '${thingName}': retiring it ` +
        'would leave the device unable to connect. Attach and activate its replacement first, or send ' +
        '{"force": true} to retire it anyway. Nothing was changed',
    );
  }
}

export class RetirementTimeInvalidError extends InvalidInputError {
  constructor(at: string) {
    super(
      'RETIREMENT_TIME_INVALID',
      `'${at.slice(0, 40)}' is not a date-time (ISO 8601, e.g. 2030-01-31T12:00:00Z)`,
    );
  }
}
