import { describe, expect, it } from '@jest/globals';
import { awsCall, classifyAwsError } from '../../../src/aws/classify-error.js';
import {
  ConflictError,
  InternalError,
  InvalidInputError,
  NotFoundError,
  ServiceError,
  TransientError,
} from '../../../src/errors.js';

/** What an SDK v3 client throws: an Error with the service's exception name and HTTP metadata. */
function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  const e = new Error(`${name} happened`);
  e.name = name;
  return Object.assign(e, {
    $fault: status !== undefined && status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: 'req-1', attempts: 3 },
    ...extra,
  });
}

const ACTION = "creating thing 'pump-7'";

describe('classifyAwsError', () => {
  it.each([
    'ThrottlingException',
    'TooManyRequestsException',
    'RequestLimitExceeded',
    'ProvisionedThroughputExceededException',
    'ServiceUnavailableException',
    'InternalFailureException',
    'InternalServerException',
    'RequestTimeout',
    'TimeoutError',
    'TransactionConflictException',
    'SlowDown',
  ])('treats %s as transient, whatever its status', (name) => {
    const cause = sdkError(name, 400);
    const error = classifyAwsError(cause, ACTION);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.kind).toBe('transient');
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(`AWS was unavailable while ${ACTION} (${name}); will retry`);
  });

  it.each([500, 502, 503, 504])('treats any %i answer as transient', (status) => {
    const error = classifyAwsError(sdkError('SomethingOddException', status), ACTION);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe('AWS_SOMETHING_ODD');
  });

  it('treats a 429 answer as transient, whatever the exception is called', () => {
    expect(classifyAwsError(sdkError('RateExceededException', 429), ACTION)).toBeInstanceOf(TransientError);
  });

  it('treats an error the SDK marked $retryable as transient', () => {
    const error = classifyAwsError(
      sdkError('CustomRetryable', 400, { $retryable: { throttling: false } }),
      ACTION,
    );
    expect(error).toBeInstanceOf(TransientError);
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND'])(
    'treats the network failure %s as transient',
    (code) => {
      const cause = Object.assign(new Error(`connect ${code} 127.0.0.1:5000`), { code });
      const error = classifyAwsError(cause, ACTION);
      expect(error).toBeInstanceOf(TransientError);
      expect(error.cause).toBe(cause);
    },
  );

  it('maps ResourceNotFoundException (and a bare 404) to NotFoundError', () => {
    const error = classifyAwsError(sdkError('ResourceNotFoundException', 404), ACTION);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.code).toBe('AWS_RESOURCE_NOT_FOUND');
    expect(error.kind).toBe('not-found');
    expect(error.message).toBe(
      `AWS refused ${ACTION}: ResourceNotFoundException: ResourceNotFoundException happened`,
    );
    expect(classifyAwsError(sdkError('ResourceNotFoundException'), ACTION)).toBeInstanceOf(NotFoundError);
    expect(classifyAwsError(sdkError('NoSuchThing', 404), ACTION)).toBeInstanceOf(NotFoundError);
  });

  it('maps ResourceAlreadyExistsException (and a bare 409) to ConflictError', () => {
    const error = classifyAwsError(sdkError('ResourceAlreadyExistsException', 409), ACTION);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.code).toBe('AWS_RESOURCE_ALREADY_EXISTS');
    expect(error.kind).toBe('conflict');
    expect(classifyAwsError(sdkError('ResourceAlreadyExistsException', 400), ACTION)).toBeInstanceOf(
      ConflictError,
    );
    expect(classifyAwsError(sdkError('SomeClash', 409), ACTION)).toBeInstanceOf(ConflictError);
  });

  it.each([
    ['InvalidRequestException', 400, 'AWS_INVALID_REQUEST'],
    ['UnauthorizedException', 401, 'AWS_UNAUTHORIZED'],
    ['AccessDeniedException', 403, 'AWS_ACCESS_DENIED'],
    ['CertificateStateException', 406, 'AWS_CERTIFICATE_STATE'],
    ['LimitExceededException', 410, 'AWS_LIMIT_EXCEEDED'],
    ['ValidationException', 400, 'AWS_VALIDATION'],
    ['InvalidCSRException', 400, 'AWS_INVALID_CSR'],
  ])('maps %s (%i) to InvalidInputError with code %s', (name, status, code) => {
    const cause = sdkError(name, status);
    const error = classifyAwsError(cause, ACTION);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.code).toBe(code);
    expect(error.kind).toBe('invalid');
    expect(error.message).toBe(`AWS refused ${ACTION}: ${name}: ${name} happened`);
    expect(error.cause).toBe(cause);
  });

  it("treats an unreadable answer (the emulator's HTML) as internal, not retryable", () => {
    const syntax = new SyntaxError('Unexpected token < in JSON at position 0');
    const error = classifyAwsError(syntax, ACTION);
    expect(error).toBeInstanceOf(InternalError);
    expect(error.code).toBe('AWS_UNSUPPORTED_RESPONSE');
    expect(error.cause).toBe(syntax);

    const deserialization = sdkError('Error', 500);
    deserialization.message = 'Deserialization error: to see the raw response, inspect the hidden field';
    expect(classifyAwsError(deserialization, ACTION)).toBeInstanceOf(InternalError);
  });

  it('passes a ServiceError through unchanged', () => {
    const own = new NotFoundError('TEMPLATE_NOT_FOUND', 'no such template');
    expect(classifyAwsError(own, ACTION)).toBe(own);
    const transient = new TransientError('X', 'later');
    expect(classifyAwsError(transient, ACTION)).toBe(transient);
  });

  it("reads the name back from the SDK's wrapper of a foreign error (a socket reset)", () => {
    const wrapped = Object.assign(new Error('AWS SDK error wrapper for TimeoutError: socket hang up'), {
      $metadata: { attempts: 1 },
    });
    const classified = classifyAwsError(wrapped, ACTION);
    expect(classified).toBeInstanceOf(TransientError);
    expect(classified.cause).toBe(wrapped);
    expect(classified.message).toContain('(TimeoutError)');
  });

  it('calls anything else an unexpected internal failure', () => {
    const plain = classifyAwsError(new TypeError('x is undefined'), ACTION);
    expect(plain).toBeInstanceOf(InternalError);
    expect(plain.code).toBe('UNEXPECTED_ERROR');
    expect(plain.message).toBe(`Unexpected failure while ${ACTION}: TypeError`);

    const thrown = classifyAwsError('a string', ACTION);
    expect(thrown).toBeInstanceOf(InternalError);
    expect(thrown.code).toBe('UNEXPECTED_ERROR');
    expect(thrown.cause).toBe('a string');
  });
});

describe('awsCall', () => {
  it('returns what the call returns', async () => {
    await expect(awsCall(ACTION, () => Promise.resolve(42))).resolves.toBe(42);
  });

  it('throws the classified error', async () => {
    const rejection = awsCall(ACTION, () => Promise.reject(sdkError('ThrottlingException', 400)));
    await expect(rejection).rejects.toBeInstanceOf(TransientError);
    await expect(
      awsCall(ACTION, () => Promise.reject(sdkError('ResourceNotFoundException', 404))),
    ).rejects.toThrow(ServiceError);
  });
});
