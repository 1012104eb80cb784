import type { IoTClient } from '@aws-sdk/client-iot';
import type { Metrics } from '../metrics/metrics.js';
import { isThrottling } from './classify-error.js';

/**
 * Counts what AWS IoT's rate limits cost, per operation: every throttling answer (inside the SDK's
 * retry loop, so each attempt is seen) and every attempt beyond the first (outside it, from the
 * `attempts` the retry strategy reports on the result or the error).
 */
export function countIotCalls(iot: IoTClient, metrics: Metrics): void {
  iot.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (e: unknown) {
        if (isThrottling(e)) metrics.count('iotThrottled', { operation: operationOf(context) });
        throw e;
      }
    },
    // Around the deserializer, which turns an error answer into the exception seen here.
    { step: 'deserialize', priority: 'high', name: 'iotThrottleCount' },
  );
  iot.middlewareStack.add(
    (next, context) => async (args) => {
      const retried = (attempts: number | undefined) => {
        if (attempts !== undefined && attempts > 1)
          metrics.count('iotRetries', { operation: operationOf(context) }, attempts - 1);
      };
      try {
        const out = await next(args);
        retried((out.output as { $metadata?: { attempts?: number } }).$metadata?.attempts);
        return out;
      } catch (e: unknown) {
        retried((e as { $metadata?: { attempts?: number } }).$metadata?.attempts);
        throw e;
      }
    },
    { step: 'initialize', priority: 'high', name: 'iotRetryCount' },
  );
}

const operationOf = (context: { commandName?: string }) =>
  (context.commandName ?? 'unknown').replace(/Command$/, '');
