import type { IoTClient } from '@aws-sdk/client-iot';
import { SlidingWindowLimiter } from './sliding-window.js';

/** What spends the per-API request budget: one `take` per request. */
export interface RequestBudget {
  take(): Promise<void>;
}

/**
 * The budget of one IoT API: at most `tpsPerApi` requests in any one second. A fraction above one
 * is rounded down (a second holds whole requests); a budget below one request per second spaces
 * requests `1 / tpsPerApi` seconds apart.
 */
export function apiBudget(tpsPerApi: number, now?: () => number): RequestBudget {
  return tpsPerApi >= 1
    ? new SlidingWindowLimiter(Math.floor(tpsPerApi), 1000, now)
    : new SlidingWindowLimiter(1, Math.ceil(1000 / tpsPerApi), now);
}

/**
 * Keeps this process inside the account's IoT request budget: one budget per IoT API
 * (AWS sets the TPS quota per API), applied as client middleware so every call is covered,
 * whoever makes it. Throttling that still happens (other processes share the account) is retried
 * by the SDK's adaptive retry mode.
 */
export function limitIotRate(clients: IoTClient[], tpsPerApi: number): void {
  // One budget per API whichever client sends it.
  const buckets = new Map<string, RequestBudget>();
  for (const iot of clients)
    iot.middlewareStack.add(
      (next, context) => async (args) => {
        const api = context.commandName ?? 'unknown';
        let bucket = buckets.get(api);
        if (bucket === undefined) {
          bucket = apiBudget(tpsPerApi);
          buckets.set(api, bucket);
        }
        await bucket.take();
        return next(args);
      },
      // Inside the retry loop, so every attempt spends a token.
      { step: 'finalizeRequest', priority: 'low', name: 'iotRateLimit' },
    );
}
