import type { Context } from 'aws-lambda';
import { loadConfig } from '../src/config.js';
import { emfExpiryGauge } from './expiry-gauges.js';
import { createLifecycleRuntime, type LifecycleRuntime } from './lifecycle-compose.js';

/**
 * The certificate lifecycle's tick in AWS: an EventBridge `rate(...)` rule invokes it
 * (serverless.yml, `lifecycleTick`). It leaves itself a margin before the function's timeout, so
 * a tick ends by saving its progress rather than being cut off (which would only cost a re-read:
 * every step is claimed and resumable).
 */
const MARGIN_MS = 15_000;
let runtime: LifecycleRuntime | undefined;

export async function tick(
  _event: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<void> {
  runtime ??= createLifecycleRuntime(loadConfig(), emfExpiryGauge());
  const report = await runtime.tick(
    Date.now() + Math.max(1_000, context.getRemainingTimeInMillis() - MARGIN_MS),
  );
  runtime.logger.info('lifecycle tick', { ...report.due, ...report.backfill });
}
