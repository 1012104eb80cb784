import { InvalidInputError, ServiceError, TransientError, type ErrorKind } from '../src/errors.js';
import { ExitCode } from './exit-codes.js';

/** Bad options or arguments: fixed by changing the command line. */
export class UsageError extends InvalidInputError {
  constructor(message: string) {
    super('CLI_USAGE', message);
  }
}

/** The input file cannot be used as it is (found before anything was sent). */
export class InputRefusedError extends InvalidInputError {}

/** The operator must decide something before the command may go on (e.g. `--existing`). */
export class DecisionNeededError extends InvalidInputError {}

/** The API answered with an error: its status, code and message as it sent them. */
export class ApiError extends ServiceError {
  readonly kind: ErrorKind;

  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
    this.kind =
      status === 404
        ? 'not-found'
        : status === 409
          ? 'conflict'
          : status >= 500 || status === 429
            ? 'transient'
            : status >= 400
              ? 'invalid'
              : 'internal';
  }
}

/** The API could not be reached at all (not running, wrong URL, network down). */
export class ApiUnreachableError extends TransientError {
  constructor(url: string, cause: unknown) {
    const reason = cause instanceof Error ? (causeCode(cause) ?? cause.message) : String(cause);
    super(
      'API_UNREACHABLE',
      `Could not reach the API at ${url} (${reason}); is it running, and is --api right?`,
      {
        cause,
      },
    );
  }
}

/** The answer was not what the contract says (a different service, or a proxy's error page). */
export class ApiAnswerInvalidError extends ServiceError {
  readonly kind = 'internal';
}

/** Ctrl-C while following: the task goes on; the message says how to pick it up again. */
export class InterruptedError extends ServiceError {
  readonly kind = 'transient';

  constructor(message: string) {
    super('INTERRUPTED', message);
  }
}

function causeCode(e: Error): string | undefined {
  const inner = (e as { cause?: unknown }).cause;
  if (inner instanceof Error && 'code' in inner && typeof inner.code === 'string') return inner.code;
  return inner instanceof Error ? inner.message : undefined;
}

/** The exit status for an error that ended the command. */
export function exitCodeOf(e: unknown): ExitCode {
  if (e instanceof InterruptedError) return ExitCode.interrupted;
  if (e instanceof ServiceError)
    return e.kind === 'transient' || e.kind === 'internal' ? ExitCode.unavailable : ExitCode.refused;
  return ExitCode.unavailable;
}

/** The `code` of a Node system error (ENOENT, EEXIST…); read by shape, as errors may come from another realm. */
export function errnoOf(e: unknown): string | undefined {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
