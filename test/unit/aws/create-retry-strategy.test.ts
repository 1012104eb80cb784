import { describe, expect, it } from '@jest/globals';
import { createRetryStrategy } from '../../../src/aws/create-retry-strategy.js';
import { provedNotProcessed } from '../../../src/aws/request-outcome.js';

/** Failures as the SDK hands them to a retry strategy (its SdkError has an Error as `cause`). */
type SdkError = Error & { cause?: Error };
const answered = (status: number, name: string) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } }) as SdkError;
const network = (code: string, name = 'Error') => Object.assign(new Error(code), { code, name }) as SdkError;
const REQUEST_TIMEOUT = Object.assign(
  new Error(
    '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 2000 ms requestTimeout.',
  ),
  { name: 'TimeoutError', code: 'ETIMEDOUT' },
) as SdkError;
const CONNECT_TIMEOUT = Object.assign(
  new Error(
    '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 5000 ms.',
  ),
  { name: 'TimeoutError' },
) as SdkError;

describe('provedNotProcessed', () => {
  it.each([
    ['a throttling answer (400)', answered(400, 'ThrottlingException'), true],
    ['a 429', answered(429, 'TooManyRequestsException'), true],
    ['a conflict (409)', answered(409, 'ResourceAlreadyExistsException'), true],
    ['a refused connection', network('ECONNREFUSED'), true],
    ['an unknown host', network('ENOTFOUND'), true],
    ['a connection that never opened in time', CONNECT_TIMEOUT, true],
    ['a 500', answered(500, 'InternalFailureException'), false],
    ['a 503', answered(503, 'ServiceUnavailableException'), false],
    ['a request that timed out after it was sent', REQUEST_TIMEOUT, false],
    ['a connection reset', network('ECONNRESET', 'TimeoutError'), false],
    ['a broken pipe', network('EPIPE', 'TimeoutError'), false],
    ['anything else', new Error('socket hang up'), false],
    ['a non-error', 'boom', false],
  ])('%s: %s', (_, error, proved) => {
    expect(provedNotProcessed(error)).toBe(proved);
  });
});

describe('the retry strategy of create calls', () => {
  const strategy = createRetryStrategy(3, { attempts: 3, firstDelayMs: 100, maxDelayMs: 1000 }, () => 1);

  it('retries a throttled create, backing off, up to the attempts', async () => {
    const first = await strategy.acquireInitialRetryToken('iot');
    const error = answered(400, 'ThrottlingException');
    const second = await strategy.refreshRetryTokenForRetry(first, { errorType: 'THROTTLING', error });
    expect([second.getRetryCount(), second.getRetryDelay()]).toEqual([1, 100]);
    const third = await strategy.refreshRetryTokenForRetry(second, { errorType: 'THROTTLING', error });
    expect([third.getRetryCount(), third.getRetryDelay()]).toEqual([2, 200]);
    await expect(strategy.refreshRetryTokenForRetry(third, { errorType: 'THROTTLING', error })).rejects.toBe(
      error,
    );
  });

  it('retries a connection that was never made', async () => {
    const first = await strategy.acquireInitialRetryToken('iot');
    const next = await strategy.refreshRetryTokenForRetry(first, {
      errorType: 'TRANSIENT',
      error: CONNECT_TIMEOUT,
    });
    expect(next.getRetryCount()).toBe(1);
  });

  it.each([
    ['a request timeout', REQUEST_TIMEOUT, 'TRANSIENT'],
    ['a connection reset', network('ECONNRESET', 'TimeoutError'), 'TRANSIENT'],
    ['a 500', answered(500, 'InternalFailureException'), 'SERVER_ERROR'],
    ['a 503', answered(503, 'ServiceUnavailableException'), 'THROTTLING'],
  ] as const)(
    'never repeats a create after %s: the error reaches the caller',
    async (_, error, errorType) => {
      const first = await strategy.acquireInitialRetryToken('iot');
      await expect(strategy.refreshRetryTokenForRetry(first, { errorType, error })).rejects.toBe(error);
    },
  );

  it('does not retry what no retry can fix', async () => {
    const first = await strategy.acquireInitialRetryToken('iot');
    const error = answered(400, 'InvalidRequestException');
    await expect(
      strategy.refreshRetryTokenForRetry(first, { errorType: 'CLIENT_ERROR', error }),
    ).rejects.toBe(error);
  });

  it("waits at least as long as the service's retry-after hint", async () => {
    const first = await strategy.acquireInitialRetryToken('iot');
    const next = await strategy.refreshRetryTokenForRetry(first, {
      errorType: 'THROTTLING',
      error: answered(429, 'TooManyRequestsException'),
      retryAfterHint: new Date(Date.now() + 5000),
    });
    expect(next.getRetryDelay()).toBeGreaterThan(4000);
  });
});
