import { formatDuration, formatRate } from './rate.js';
import type { Progress, ProgressReporter } from './progress.js';

/**
 * Progress for logs and CI (not a terminal): one line when the task starts, at every 10% of the
 * devices, when the status changes, and every `heartbeatMs` while nothing else is printed, so a
 * log shows the run is alive without a line per poll.
 */
export class PlainProgress implements ProgressReporter {
  private lastStep = -1;
  private lastStatus: string | undefined;
  private lastAt = 0;

  constructor(
    private readonly write: (line: string) => void,
    private readonly label: string,
    private readonly heartbeatMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  update(p: Progress): void {
    const step = p.total !== undefined && p.total > 0 ? Math.floor((p.done * 10) / p.total) : -1;
    const at = this.now();
    const due = step > this.lastStep || p.status !== this.lastStatus || at - this.lastAt >= this.heartbeatMs;
    if (!due) return;
    this.lastStep = Math.max(step, this.lastStep);
    this.lastStatus = p.status;
    this.lastAt = at;
    const total = p.total ?? '?';
    const percent = p.total !== undefined && p.total > 0 ? ` (${Math.floor((p.done * 100) / p.total)}%)` : '';
    const skipped = p.skipped > 0 ? `, ${p.skipped} skipped` : '';
    this.write(
      `${this.label}: ${p.status} ${p.done}/${total}${percent}: ${p.succeeded} ok, ${p.failed} failed${skipped}; ${formatRate(p.rate)}/s, ETA ${formatDuration(p.etaSeconds)}`,
    );
  }

  stop(): void {
    // Lines are complete as written.
  }
}
