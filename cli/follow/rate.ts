/**
 * Devices per second over the last `windowMs` of samples, and the time left at that rate. A
 * sliding window follows changes of pace (the emulator warming up, throttling) better than the
 * average since the start.
 */
export class RateMeter {
  private readonly samples: { at: number; done: number }[] = [];

  constructor(private readonly windowMs = 30_000) {}

  add(at: number, done: number): void {
    this.samples.push({ at, done });
    while (this.samples.length > 2 && (this.samples[0]?.at ?? at) < at - this.windowMs) this.samples.shift();
  }

  /** Devices per second, or undefined until two samples are at least a second apart. */
  perSecond(): number | undefined {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (first === undefined || last === undefined || last.at - first.at < 1000) return undefined;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  }

  /** Seconds until `total` at the current rate, or undefined when it cannot be told. */
  etaSeconds(total: number): number | undefined {
    const rate = this.perSecond();
    const last = this.samples[this.samples.length - 1];
    if (rate === undefined || rate <= 0 || last === undefined) return undefined;
    return Math.max(0, (total - last.done) / rate);
  }
}

/** `1h02m`, `4m05s`, `12s`. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

export function formatRate(rate: number | undefined): string {
  return rate === undefined ? '?' : rate >= 10 ? rate.toFixed(0) : rate.toFixed(1);
}
