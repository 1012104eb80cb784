import type { IoTClientConfig } from '@aws-sdk/client-iot';
import { backoffMs, type RetryPolicy } from './backoff.js';
import { provedNotProcessed } from './request-outcome.js';

type RetryStrategyV2 = Extract<
  NonNullable<IoTClientConfig['retryStrategy']>,
  { acquireInitialRetryToken: unknown }
>;
type RetryToken = Awaited<ReturnType<RetryStrategyV2['acquireInitialRetryToken']>>;
type RetryErrorInfo = Parameters<RetryStrategyV2['refreshRetryTokenForRetry']>[1];

/**
 * The retry strategy of calls that create something AWS cannot find again by a name or token
 * (CreateKeysAndCertificate, CreateCertificateFromCsr) or whose repeat would be mistaken for an
 * earlier owner's (RegisterCertificate*, CreatePolicy): a retry is made only when the failed
 * attempt provably created nothing (the service refused it, e.g. throttling, or no connection was
 * made). After an ambiguous failure (timeout, reset, 5xx) the error reaches the caller, which
 * knows what the call may have created. The SDK's default would repeat such a call blindly and
 * could leave a second certificate for one device.
 */
export function createRetryStrategy(
  maxAttempts: number,
  policy: RetryPolicy = { attempts: maxAttempts, firstDelayMs: 100, maxDelayMs: 20_000 },
  random: () => number = Math.random,
): RetryStrategyV2 {
  const token = (count: number, delay: number): RetryToken => ({
    getRetryCount: () => count,
    getRetryDelay: () => delay,
  });
  return {
    acquireInitialRetryToken: () => Promise.resolve(token(0, 0)),
    refreshRetryTokenForRetry: (previous: RetryToken, info: RetryErrorInfo) => {
      const attempt = previous.getRetryCount() + 1;
      const retryable = info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT';
      if (attempt >= maxAttempts || !retryable || !provedNotProcessed(info.error)) {
        return Promise.reject(info.error ?? new Error('not retried'));
      }
      const hinted = info.retryAfterHint === undefined ? 0 : info.retryAfterHint.getTime() - Date.now();
      return Promise.resolve(token(attempt, Math.max(hinted, backoffMs(policy, attempt, random))));
    },
    recordSuccess: () => undefined,
  };
}
