import {
  ConflictError,
  InternalError,
  InvalidInputError,
  NotFoundError,
  type ServiceError,
  TransientError,
  isServiceError,
} from '../errors.js';

/**
 * Turns whatever an AWS SDK call threw into one of the service's errors, so the worker can decide
 * between "retry later" and "fail the task" in one place. `action` names what we were doing, in
 * words a person reading the task's error understands ("creating thing 'pump-7'").
 */
interface AwsLikeError {
  name: string;
  message: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
  code?: string;
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'InternalFailureException',
  'InternalServerException',
  'InternalServerError',
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'RequestInProgressException',
  'TransactionConflictException',
  'SlowDown',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);

export function classifyAwsError(e: unknown, action: string): ServiceError {
  if (isServiceError(e)) return e;
  if (!(e instanceof Error))
    return new InternalError('UNEXPECTED_ERROR', `Unexpected failure while ${action}`, { cause: e });
  const err = unwrapped(e);
  const status = err.$metadata?.httpStatusCode;
  const code = `AWS_${toSnake(err.name)}`;
  const message = `AWS refused ${action}: ${err.name}: ${err.message}`;
  // An emulator answering HTML for a call it lacks surfaces as a parse error: not worth retrying.
  if (err.name === 'SyntaxError' || err.message.includes('Deserialization error')) {
    return new InternalError('AWS_UNSUPPORTED_RESPONSE', `Unreadable AWS answer while ${action}`, {
      cause: e,
    });
  }
  if (isTransientAwsError(err)) {
    return new TransientError(code, `AWS was unavailable while ${action} (${err.name}); will retry`, {
      cause: e,
    });
  }
  if (err.name === 'ResourceNotFoundException' || err.name === 'NotFoundException' || status === 404) {
    return new NotFoundError(code, message, { cause: e });
  }
  if (err.name === 'ResourceAlreadyExistsException' || err.name === 'ConflictException' || status === 409) {
    return new ConflictError(code, message, { cause: e });
  }
  if (status !== undefined && status >= 400) return new InvalidInputError(code, message, { cause: e });
  return new InternalError('UNEXPECTED_ERROR', `Unexpected failure while ${action}: ${err.name}`, {
    cause: e,
  });
}

/**
 * The SDK's retry middleware wraps a thrown value it does not recognise as an `Error` (one made in
 * another realm: node's own socket errors, seen from a test runner's VM context) in a plain Error
 * whose message is the value's text, `AWS SDK error wrapper for TimeoutError: socket hang up`.
 * The name is read back from it, so a broken connection is not taken for an unexpected failure.
 */
const WRAPPER = /^AWS SDK error wrapper for (\w+): /;

function unwrapped(err: Error & AwsLikeError): Error & AwsLikeError {
  const name = WRAPPER.exec(err.message)?.[1];
  if (err.name !== 'Error' || name === undefined) return err;
  const original = Object.assign(new Error(err.message.replace(WRAPPER, '')), { name });
  return err.$metadata === undefined ? original : Object.assign(original, { $metadata: err.$metadata });
}

/**
 * Whether a foreign error says only that AWS could not answer now: throttled, a 5xx, a timeout, or
 * a connection that failed (refused, reset, a name that does not resolve). Such a call may work
 * later, so the API answers 503 and the worker retries the message; anything else unexpected
 * stays an internal error.
 */
export function isTransientAwsError(e: unknown): boolean {
  // Not `instanceof Error`: Node's socket errors may come from another realm (a VM context).
  if (typeof e !== 'object' || e === null || isServiceError(e)) return false;
  const raw = e as Partial<AwsLikeError>;
  if (typeof raw.name !== 'string' || typeof raw.message !== 'string') return false;
  const err: Partial<AwsLikeError> = e instanceof Error ? unwrapped(e) : raw;
  if (err.name === 'SyntaxError' || err.message?.includes('Deserialization error') === true) return false;
  const status = err.$metadata?.httpStatusCode;
  return (
    (err.name !== undefined && TRANSIENT_NAMES.has(err.name)) ||
    err.$retryable !== undefined ||
    (status !== undefined && (status >= 500 || status === 429)) ||
    (err.code !== undefined && NETWORK_CODES.has(err.code))
  );
}

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);

/** AWS refused a call for its rate: a throttling error name, HTTP 429, or the SDK's own verdict. */
export function isThrottling(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const err = e as Error & AwsLikeError & { $retryable?: { throttling?: boolean } };
  return (
    THROTTLING_NAMES.has(err.name) ||
    err.$metadata?.httpStatusCode === 429 ||
    err.$retryable?.throttling === true
  );
}

/** `ResourceAlreadyExistsException` → `RESOURCE_ALREADY_EXISTS`. */
function toSnake(name: string): string {
  return name
    .replace(/Exception$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase();
}

/** Runs one AWS call, classifying anything it throws; `action` as for `classifyAwsError`. */
export async function awsCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e: unknown) {
    throw classifyAwsError(e, action);
  }
}
