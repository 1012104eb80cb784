import type { ProvisioningApi } from '../api/provisioning-api.js';
import { BULK_FINISHED, type BulkTaskView } from '../api/schemas.js';
import { ApiUnreachableError, ApiError } from '../errors.js';
import { progressOf, type ProgressReporter } from './progress.js';
import { RateMeter } from './rate.js';

export interface FollowOptions {
  reporter: ProgressReporter;
  /** Aborted by Ctrl-C: following stops, the task does not. */
  signal: AbortSignal;
  intervalMs?: number;
  /** Transient failures in a row before giving up (the API restarting, a network blip). */
  maxTransientFailures?: number;
  /** Told about a transient failure that following rides out. */
  onRetry?: (e: Error) => void;
}

/**
 * Polls a bulk task until it finishes, reporting counts, rate and ETA. Returns the final view;
 * throws the abort reason if the signal fires first.
 */
export async function followBulkTask(
  api: ProvisioningApi,
  taskId: string,
  options: FollowOptions,
): Promise<BulkTaskView> {
  const meter = new RateMeter();
  const interval = options.intervalMs ?? 1000;
  const maxFailures = options.maxTransientFailures ?? 30;
  let failures = 0;
  try {
    for (;;) {
      options.signal.throwIfAborted();
      let view: BulkTaskView;
      try {
        view = await api.bulkTask(taskId);
        failures = 0;
      } catch (e: unknown) {
        const transient =
          e instanceof ApiUnreachableError || (e instanceof ApiError && e.kind === 'transient');
        if (!transient || ++failures > maxFailures) throw e;
        options.onRetry?.(e);
        await sleep(interval, options.signal);
        continue;
      }
      const progress = progressOf(view, undefined, undefined);
      meter.add(Date.now(), progress.done);
      options.reporter.update(
        progressOf(
          view,
          meter.perSecond(),
          progress.total !== undefined ? meter.etaSeconds(progress.total) : undefined,
        ),
      );
      if (BULK_FINISHED.includes(view.status)) return view;
      await sleep(interval, options.signal);
    }
  } finally {
    options.reporter.stop();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
