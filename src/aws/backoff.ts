/** How often, and how patiently, to retry something AWS may accept a little later. */
export interface RetryPolicy {
  attempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

/**
 * The wait before the retry after `attempt` (1-based): doubling from `firstDelayMs`, capped at
 * `maxDelayMs`, with jitter (half to all of it) so concurrent retries do not run in step.
 */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const backoff = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (attempt - 1));
  return backoff * (0.5 + random() / 2);
}
