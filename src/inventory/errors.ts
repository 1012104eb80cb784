import { ConflictError, InternalError, InvalidInputError, NotFoundError } from '../errors.js';

/** A query or identifier the inventory API refuses: 400 with what to send instead. */
export class InventoryQueryError extends InvalidInputError {}

/** Something the inventory could not make sense of (an unreadable certificate from AWS IoT). */
export class InventoryError extends InternalError {}

export class CertificateUnknownError extends NotFoundError {
  constructor(certificateId: string) {
    super(
      'CERTIFICATE_NOT_IN_INVENTORY',
      `Certificate ${certificateId} is not in the inventory; POST /certificates/backfill records ` +
        'the certificates AWS IoT has that the inventory does not',
    );
  }
}

export class BackfillNotFoundError extends NotFoundError {
  constructor(jobId: string) {
    super('BACKFILL_NOT_FOUND', `No backfill job with id '${jobId}'`);
  }
}

export class BackfillRunningError extends ConflictError {
  constructor(jobId: string) {
    super(
      'BACKFILL_RUNNING',
      `Backfill ${jobId} has not finished yet; follow it at /certificates/backfill/${jobId} and start ` +
        'another once it has',
    );
  }
}
