import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { METRICS, type CounterName, type HistogramName, type LabelsOf, type Metrics } from './metrics.js';

/**
 * The Metrics port over prom-client, served as Prometheus text at GET /metrics by the local server
 * and the container. Each instance has its own registry, so several stacks in one process (tests)
 * never mix their figures.
 */
export class PrometheusMetrics implements Metrics {
  private readonly registry = new Registry();
  private readonly counters = new Map<string, Counter>();
  private readonly histograms = new Map<string, Histogram>();

  constructor() {
    for (const [name, def] of Object.entries(METRICS)) {
      const options = {
        name: def.prometheus,
        help: def.help,
        labelNames: def.labels,
        registers: [this.registry],
      };
      if (def.kind === 'counter') this.counters.set(name, new Counter(options));
      else this.histograms.set(name, new Histogram({ ...options, buckets: [...def.buckets] }));
    }
  }

  count<N extends CounterName>(metric: N, labels: LabelsOf<N>, value = 1): void {
    this.counters.get(metric)?.inc(labels, value);
  }

  observe<N extends HistogramName>(metric: N, labels: LabelsOf<N>, value: number): void {
    this.histograms.get(metric)?.observe(labels, value);
  }

  /**
   * A gauge whose values are read when Prometheus scrapes (queue depths): `read` answers the
   * current value per label set; a failed read leaves the gauge empty rather than stale.
   */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: () => Promise<{ labels: Record<L, string>; value: number }[]>,
  ): void {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        const values = await read().catch(() => []);
        for (const { labels, value } of values) this.set(labels as Partial<Record<L, string>>, value);
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
