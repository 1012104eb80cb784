import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config.js';

export interface QueueUrls {
  requests: string;
  requestsDlq: string;
  bulk: string;
  bulkDlq: string;
}

/**
 * Queue names come from configuration; their URLs are looked up once at start-up. The results
 * queue is not among them: the service publishes to the events topic, which delivers to it.
 */
export async function resolveQueueUrls(sqs: SQSClient, queues: Config['queues']): Promise<QueueUrls> {
  const url = async (QueueName: string) => {
    try {
      const out = await sqs.send(new GetQueueUrlCommand({ QueueName }));
      if (out.QueueUrl === undefined) throw new Error('no QueueUrl in the answer');
      return out.QueueUrl;
    } catch (e: unknown) {
      throw new Error(
        `Queue '${QueueName}' could not be found; create it (npm start bootstraps it locally)`,
        {
          cause: e,
        },
      );
    }
  };
  const [requests, requestsDlq, bulk, bulkDlq] = await Promise.all([
    url(queues.requests),
    url(queues.requestsDlq),
    url(queues.bulk),
    url(queues.bulkDlq),
  ]);
  return { requests, requestsDlq, bulk, bulkDlq };
}
