import { SingleBar } from 'cli-progress';
import { formatDuration, formatRate } from './rate.js';
import type { Progress, ProgressReporter } from './progress.js';

/** A progress bar redrawn in place on a terminal: done / failed / total, rate and ETA. */
export class TtyProgress implements ProgressReporter {
  private readonly bar: SingleBar;
  private started = false;

  constructor(stream: NodeJS.WriteStream, label: string) {
    this.bar = new SingleBar({
      stream,
      format: `${label} {bar} {percentage}% | {value}/{total} done | {failed} failed{skipped} | {rate}/s | ETA {eta_text} | {status}`,
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      // Our own figures: cli-progress's ETA is from its own timing, not the task's.
      etaBuffer: 1,
    });
  }

  update(p: Progress): void {
    const payload = {
      failed: p.failed,
      skipped: p.skipped > 0 ? ` | ${p.skipped} skipped` : '',
      rate: formatRate(p.rate),
      eta_text: formatDuration(p.etaSeconds),
      status: p.status,
    };
    // Until the service has read the input there is no total to draw a bar against.
    if (p.total === undefined) return;
    const total = p.total;
    if (!this.started) {
      this.bar.start(total, p.done, payload);
      this.started = true;
    } else {
      this.bar.setTotal(total);
      this.bar.update(p.done, payload);
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }
}
