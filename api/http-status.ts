import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isTransientAwsError } from '../src/aws/classify-error.js';
import {
  InternalError,
  TransientError,
  isServiceError,
  type ErrorKind,
  type ServiceError,
} from '../src/errors.js';
import { HttpRequestError } from './errors.js';

/** The one place errors become HTTP statuses. */
const STATUS_BY_KIND: Record<ErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  transient: 503,
  internal: 500,
};

export function httpStatusOf(error: ServiceError): ContentfulStatusCode {
  return error instanceof HttpRequestError ? error.status : STATUS_BY_KIND[error.kind];
}

export function statusOfKind(kind: ErrorKind): ContentfulStatusCode {
  return STATUS_BY_KIND[kind];
}

/**
 * Anything that is not one of ours is an internal error, its details in the log; except that AWS
 * out of reach (refused connections, timeouts, throttling, 5xx) is a 503 the caller may retry.
 */
export function asServiceError(e: unknown): ServiceError {
  if (isServiceError(e)) return e;
  if (isTransientAwsError(e)) {
    return new TransientError(
      'AWS_UNAVAILABLE',
      'AWS could not be reached or is busy at the moment; retry later (with the same Idempotency-Key, if you sent one)',
      { cause: e },
    );
  }
  return new InternalError('INTERNAL_ERROR', 'The service failed unexpectedly; the error is logged', {
    cause: e,
  });
}
