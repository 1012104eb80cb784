import type { IoTClient } from '@aws-sdk/client-iot';
import { TokenBucket } from './token-bucket.js';

/**
 * Keeps this process inside the account's IoT request budget: one token bucket per IoT API
 * (AWS sets the TPS quota per API), applied as client middleware so every call is covered,
 * whoever makes it. Throttling that still happens (other processes share the account) is retried
 * by the SDK's adaptive retry mode.
 */
export function limitIotRate(iot: IoTClient, tpsPerApi: number): void {
  const buckets = new Map<string, TokenBucket>();
  iot.middlewareStack.add(
    (next, context) => async (args) => {
      const api = context.commandName ?? 'unknown';
      let bucket = buckets.get(api);
      if (bucket === undefined) {
        bucket = new TokenBucket(tpsPerApi);
        buckets.set(api, bucket);
      }
      await bucket.take();
      return next(args);
    },
    // Inside the retry loop, so every attempt spends a token.
    { step: 'finalizeRequest', priority: 'low', name: 'iotRateLimit' },
  );
}
