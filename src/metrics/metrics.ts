/**
 * The service's metrics, defined once: each with its Prometheus name (GET /metrics, locally and in
 * the container) and its CloudWatch name (embedded metric format, in Lambda), so an operator reads
 * the same figures in both. Core code records through the `Metrics` port only; the composition
 * roots pick the adapter (prometheus-metrics.ts or emf-metrics.ts). Labels are few and bounded:
 * templates, certificate modes, error codes, IoT operations and queue roles.
 */
interface Definition {
  kind: 'counter' | 'histogram';
  prometheus: string;
  cloudwatch: string;
  unit: 'Count' | 'Seconds' | 'Count/Second';
  help: string;
  labels: readonly string[];
  /** Histogram buckets (Prometheus); CloudWatch keeps every value. */
  buckets?: readonly number[];
}

const SECONDS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600];

export const METRICS = {
  devicesProvisioned: {
    kind: 'counter',
    prometheus: 'provisioning_devices_provisioned_total',
    cloudwatch: 'DevicesProvisioned',
    unit: 'Count',
    help: 'Device tasks that ended SUCCEEDED (bulk devices included)',
    labels: ['template', 'mode'],
  },
  devicesFailed: {
    kind: 'counter',
    prometheus: 'provisioning_devices_failed_total',
    cloudwatch: 'DevicesFailed',
    unit: 'Count',
    help: 'Device tasks that ended FAILED, by error code (bulk devices and refused requests included)',
    labels: ['template', 'mode', 'code'],
  },
  taskDuration: {
    kind: 'histogram',
    prometheus: 'provisioning_task_duration_seconds',
    cloudwatch: 'TaskDuration',
    unit: 'Seconds',
    help: 'From the submission of a device task to its end',
    labels: ['template', 'status'],
    buckets: SECONDS,
  },
  iotThrottled: {
    kind: 'counter',
    prometheus: 'provisioning_iot_throttled_total',
    cloudwatch: 'IotThrottled',
    unit: 'Count',
    help: 'AWS IoT answers that were throttling errors (each is retried)',
    labels: ['operation'],
  },
  iotRetries: {
    kind: 'counter',
    prometheus: 'provisioning_iot_retries_total',
    cloudwatch: 'IotRetries',
    unit: 'Count',
    help: 'AWS IoT call attempts beyond the first, whatever made them necessary',
    labels: ['operation'],
  },
  queueWait: {
    kind: 'histogram',
    prometheus: 'provisioning_queue_wait_seconds',
    cloudwatch: 'QueueWait',
    unit: 'Seconds',
    help: 'How long a message had been on its queue when a worker received it',
    labels: ['queue'],
    buckets: SECONDS,
  },
  bulkDevices: {
    kind: 'counter',
    prometheus: 'provisioning_bulk_devices_total',
    cloudwatch: 'BulkDevices',
    unit: 'Count',
    help: 'Devices of bulk tasks added to their task, by outcome (its rate is bulk devices per second)',
    labels: ['status'],
  },
  bulkTaskRate: {
    kind: 'histogram',
    prometheus: 'provisioning_bulk_task_devices_per_second',
    cloudwatch: 'BulkTaskRate',
    unit: 'Count/Second',
    help: 'Devices per second of each ended bulk task, from its submission to its end',
    labels: ['template'],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 20, 50, 100, 200],
  },
} as const satisfies Record<string, Definition>;

export type MetricName = keyof typeof METRICS;
type OfKind<K extends Definition['kind']> = {
  [N in MetricName]: (typeof METRICS)[N]['kind'] extends K ? N : never;
}[MetricName];
export type CounterName = OfKind<'counter'>;
export type HistogramName = OfKind<'histogram'>;
export type LabelsOf<N extends MetricName> = Record<(typeof METRICS)[N]['labels'][number], string>;

export interface Metrics {
  count<N extends CounterName>(metric: N, labels: LabelsOf<N>, value?: number): void;
  observe<N extends HistogramName>(metric: N, labels: LabelsOf<N>, value: number): void;
}

export function definitionOf(metric: MetricName): Definition {
  return METRICS[metric];
}
