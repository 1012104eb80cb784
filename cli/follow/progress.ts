import type { BulkTaskView } from '../api/schemas.js';

/** A follower's view of a task's counts at one moment. */
export interface Progress {
  status: BulkTaskView['status'];
  done: number;
  succeeded: number;
  failed: number;
  skipped: number;
  total: number | undefined;
  /** Devices per second recently. */
  rate: number | undefined;
  etaSeconds: number | undefined;
}

/** Shows progress: a bar on a terminal, plain lines in a log. */
export interface ProgressReporter {
  update(progress: Progress): void;
  /** The bar or the last line is finished; later output starts on a clean line. */
  stop(): void;
}

export function progressOf(
  view: BulkTaskView,
  rate: number | undefined,
  etaSeconds: number | undefined,
): Progress {
  const skipped = view.skippedCount ?? 0;
  return {
    status: view.status,
    done: view.successCount + view.failureCount + skipped,
    succeeded: view.successCount,
    failed: view.failureCount,
    skipped,
    total: view.totalCount ?? undefined,
    rate,
    etaSeconds,
  };
}
