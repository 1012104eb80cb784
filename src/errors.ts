/**
 * The service's error vocabulary. Every area (templates, certificates, provisioning, tasks, api)
 * has its own `errors.ts` whose classes extend one of these; the HTTP layer and the worker decide
 * what to do from `kind` alone, so a new error never needs a new mapping.
 *
 * Messages are shown to callers and written to logs: they must say what to fix and must never
 * contain key material.
 */
export type ErrorKind =
  /** The caller's input can never succeed as sent (HTTP 400, task FAILED). */
  | 'invalid'
  /** Something the caller named does not exist (HTTP 404, task FAILED). */
  | 'not-found'
  /** The request clashes with existing state (HTTP 409, task FAILED). */
  | 'conflict'
  /** Might succeed later: throttling, 5xx, timeouts (HTTP 503, message redelivered). */
  | 'transient'
  /** Our own fault or an unexpected dependency answer (HTTP 500, task FAILED). */
  | 'internal';

export abstract class ServiceError extends Error {
  abstract readonly kind: ErrorKind;

  constructor(
    /** Stable, machine-readable, UPPER_SNAKE_CASE; part of the API contract. */
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends ServiceError {
  readonly kind = 'invalid';
}

export class NotFoundError extends ServiceError {
  readonly kind = 'not-found';
}

export class ConflictError extends ServiceError {
  readonly kind = 'conflict';
}

export class TransientError extends ServiceError {
  readonly kind = 'transient';
  /** Set when trying again sooner is pointless, e.g. while an ambiguous create settles. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: string, message: string, options?: ErrorOptions & { retryAfterSeconds?: number }) {
    super(code, message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

export class InternalError extends ServiceError {
  readonly kind = 'internal';
}

/**
 * The base of an area's invalid-input error whose `code` is one of `Code`, so both the constructor
 * and `instanceof` narrow it: `class CaError extends invalidInputWithCodes<CaErrorCode>() {}`.
 * A class generic over its codes would lose them at `instanceof` (its type argument becomes `any`).
 */
export function invalidInputWithCodes<Code extends string>() {
  return class extends InvalidInputError {
    declare readonly code: Code;

    // eslint-disable-next-line @typescript-eslint/no-useless-constructor -- it narrows `code` to `Code`
    constructor(code: Code, message: string, options?: ErrorOptions) {
      super(code, message, options);
    }
  };
}

export function isServiceError(e: unknown): e is ServiceError {
  return e instanceof ServiceError;
}

/** A short description of anything thrown, for wrapping foreign errors without leaking objects. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
