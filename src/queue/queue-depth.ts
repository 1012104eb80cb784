import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PrometheusMetrics } from '../metrics/prometheus-metrics.js';
import type { QueueUrls } from './queue-urls.js';

/**
 * How many messages wait on each queue, and how many are being worked on, read from SQS when
 * Prometheus scrapes. SQS's API has no age of the oldest message (that is a CloudWatch metric,
 * which the deployed alarms use); `provisioning_queue_wait_seconds` gives the age of the
 * messages workers receive.
 */
export function watchQueueDepths(metrics: PrometheusMetrics, sqs: SQSClient, urls: Partial<QueueUrls>): void {
  metrics.gauge(
    'provisioning_queue_messages',
    'Messages on each queue: waiting (visible) or being worked on (in_flight), read at scrape time',
    ['queue', 'state'],
    async () => {
      const depths = await Promise.all(
        Object.entries(urls).map(async ([queue, QueueUrl]) => {
          const out = await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl,
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
            }),
          );
          return [
            {
              labels: { queue, state: 'visible' },
              value: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
            },
            {
              labels: { queue, state: 'in_flight' },
              value: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
            },
          ];
        }),
      );
      return depths.flat();
    },
  );
}
