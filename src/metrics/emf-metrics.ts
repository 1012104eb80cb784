import { Metrics as Powertools, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  METRICS,
  type CounterName,
  type HistogramName,
  type LabelsOf,
  type MetricName,
  type Metrics,
} from './metrics.js';

const UNITS = {
  Count: MetricUnit.Count,
  Seconds: MetricUnit.Seconds,
  'Count/Second': MetricUnit.CountPerSecond,
} as const;

/**
 * The Metrics port in Lambda: CloudWatch embedded metric format, written to the function's log
 * by Powertools Metrics and turned into CloudWatch metrics without any API call. Values are kept
 * per label set and flushed once per invocation (`flush`). Each value is published under two
 * dimension sets: its labels (for the dashboard's breakdowns) and the service alone (for alarms,
 * which cannot sum across dimension values).
 */
export class EmfMetrics implements Metrics {
  private readonly byLabels = new Map<string, Entry>();

  constructor(private readonly options: { namespace: string; serviceName: string }) {}

  count<N extends CounterName>(metric: N, labels: LabelsOf<N>, value = 1): void {
    this.add(metric, labels, value);
  }

  observe<N extends HistogramName>(metric: N, labels: LabelsOf<N>, value: number): void {
    this.add(metric, labels, value);
  }

  /** Writes what this invocation recorded; call it before the handler returns. */
  flush(): void {
    for (const entry of this.byLabels.values()) publish(entry);
  }

  private add(metric: MetricName, labels: Record<string, string>, value: number): void {
    const def = METRICS[metric];
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
    let entry = this.byLabels.get(key);
    if (entry === undefined) {
      entry = { labels, store: new Powertools(this.options), values: new Map() };
      this.byLabels.set(key, entry);
    }
    entry.store.addMetric(def.cloudwatch, UNITS[def.unit], value);
    const stored = (entry.values.get(def.cloudwatch) ?? 0) + 1;
    entry.values.set(def.cloudwatch, stored);
    // Powertools publishes by itself at 100 values of one metric, without our dimension sets: first.
    if (stored === MAX_VALUES_PER_METRIC) publish(entry);
  }
}

interface Entry {
  labels: Record<string, string>;
  store: Powertools;
  /** Values of each metric stored since the last publish. */
  values: Map<string, number>;
}
const MAX_VALUES_PER_METRIC = 99;

function publish(entry: Entry): void {
  if (!entry.store.hasStoredMetrics()) return;
  entry.store.addDimensions(entry.labels);
  entry.store.addDimensions({});
  entry.store.publishStoredMetrics();
  entry.values.clear();
}

/** The CloudWatch namespace of every metric (the dashboard and alarms in serverless.yml read it). */
export const METRICS_NAMESPACE = 'IotProvisioning';

/** The Lambda functions' metrics: the `service` dimension is the stack (`POWERTOOLS_SERVICE_NAME`). */
export function lambdaMetrics(env: NodeJS.ProcessEnv = process.env): EmfMetrics {
  return new EmfMetrics({
    namespace: METRICS_NAMESPACE,
    serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'iot-provisioning',
  });
}
