import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  ServiceError,
  TransientError,
  type ErrorKind,
} from '../errors.js';

/** A name AWS IoT would refuse: refused here, so the caller gets 400 rather than IoT's 404. */
export class ThingNameInvalidError extends InvalidInputError {
  constructor(thingName: string) {
    super(
      'THING_NAME_INVALID',
      `'${thingName.slice(0, 140)}' is not a thing name: use 1-128 of a-z A-Z 0-9 : _ -`,
    );
  }
}

export class ThingNotFoundError extends NotFoundError {
  constructor(thingName: string, options?: ErrorOptions) {
    super('THING_NOT_FOUND', `No thing named '${thingName}' exists`, options);
  }
}

/**
 * AWS IoT never lets a certificate leave REVOKED, and one being transferred to another account
 * cannot be changed or deleted: refused before anything is changed, so the request stays
 * all-or-nothing.
 */
export class CertificateStatusLockedError extends ConflictError {
  constructor(certificateId: string, status: string, wanted: string) {
    super(
      'CERTIFICATE_STATUS_LOCKED',
      status === 'REVOKED'
        ? `Certificate ${certificateId} is REVOKED, which is final in AWS IoT: it cannot become ${wanted}. Nothing was changed`
        : `Certificate ${certificateId} is ${status}: cancel or finish its transfer first. Nothing was changed`,
    );
  }
}

/**
 * Some certificates of a thing were updated before another update failed. The kind is the
 * failure's own (a throttled call stays retryable); the message and fields say exactly what was
 * changed, and repeating the request finishes the job because setting a status is idempotent.
 */
export class CertificateStatusPartialError extends ServiceError {
  readonly kind: ErrorKind;

  constructor(
    readonly thingName: string,
    readonly status: string,
    readonly changed: readonly string[],
    readonly notChanged: readonly string[],
    cause: ServiceError,
  ) {
    super(
      'CERTIFICATE_STATUS_PARTIAL',
      `Set ${changed.length} of ${changed.length + notChanged.length} certificates of thing ` +
        `'${thingName}' to ${status} (${changed.join(', ')}) before failing on ${notChanged[0] ?? '?'}: ` +
        `${cause.message}. Certificates ${notChanged.join(', ')} keep their old status; send the ` +
        `request again to finish`,
      { cause },
    );
    this.kind = cause.kind;
  }
}

/**
 * AWS IoT detaches principals and policies asynchronously, so a delete right after a detach can
 * be refused for a while. This is what remains when that lasted longer than the retries.
 */
export class StillAttachedError extends TransientError {
  constructor(what: string, seconds: number, options?: ErrorOptions) {
    super(
      'IOT_STILL_ATTACHED',
      `AWS IoT still reported ${what} as attached after ${seconds.toFixed(1)} s of retries; ` +
        'send the request again',
      options,
    );
  }
}
