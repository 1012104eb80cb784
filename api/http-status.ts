import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { InternalError, isServiceError, type ErrorKind, type ServiceError } from '../src/errors.js';
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

/** Anything that is not one of ours is an internal error; its details stay in the log. */
export function asServiceError(e: unknown): ServiceError {
  return isServiceError(e)
    ? e
    : new InternalError('INTERNAL_ERROR', 'The service failed unexpectedly; the error is logged', {
        cause: e,
      });
}
