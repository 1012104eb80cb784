import { GetCommand } from '@aws-sdk/lib-dynamodb';
import Type, { type Static } from 'typebox';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../aws/clients.js';
import type { Config } from '../config.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';

type Dependency = 'table' | 'queues' | 'bucket' | 'kms';
type CheckResult = 'ok' | 'down';
const Check = Type.Union([Type.Literal('ok'), Type.Literal('down')]);

export const ReadinessReport = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('not-ready')]),
    checks: Type.Object(
      { table: Check, queues: Check, bucket: Check, kms: Type.Optional(Check) },
      { description: 'Each dependency: kms only when private keys are sealed under a KMS key' },
    ),
  },
  { description: 'Which dependency is down, if any; names and AWS errors go to the log only' },
);
export type ReadinessReport = Static<typeof ReadinessReport>;

export interface ReadinessDeps {
  clients: Pick<AwsClients, 'dynamo' | 'sqs' | 's3' | 'kms'>;
  config: Pick<Config, 'tableName' | 'templates' | 'encryption'>;
  /** The queues this runtime sends to or reads (by name). */
  queueNames: readonly string[];
  logger: Logger;
  timeoutMs?: number;
}

/** Long enough for a healthy AWS answer, short enough for a load balancer's or orchestrator's probe. */
const DEFAULT_TIMEOUT_MS = 2_000;
/** No item has this key: reading it proves the table answers, with the role's own GetItem. */
const PROBE_KEY = { pk: 'HEALTH#ready', sk: 'HEALTH' };

/**
 * Readiness: can this process reach what it needs? Each dependency is checked with the call the
 * service itself relies on (a table read, the queues' lookup, the bucket, the KMS key), at once
 * and each within a short timeout, so one that hangs does not hold the probe. The answer names
 * the dependency that is down and nothing else: no names, ARNs or AWS error text, which go to the
 * log instead.
 */
export function readinessCheck(deps: ReadinessDeps): () => Promise<ReadinessReport> {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { clients, config } = deps;
  const checks: [Dependency, (abortSignal: AbortSignal) => Promise<unknown>][] = [
    [
      'table',
      (abortSignal) =>
        clients.dynamo.send(new GetCommand({ TableName: config.tableName, Key: PROBE_KEY }), { abortSignal }),
    ],
    [
      'queues',
      (abortSignal) =>
        Promise.all(
          deps.queueNames.map((QueueName) =>
            clients.sqs.send(new GetQueueUrlCommand({ QueueName }), { abortSignal }),
          ),
        ),
    ],
    [
      'bucket',
      (abortSignal) =>
        clients.s3.send(new HeadBucketCommand({ Bucket: config.templates.bucket }), { abortSignal }),
    ],
  ];
  const { encryption } = config;
  if (encryption.kind === 'kms') {
    checks.push([
      'kms',
      async (abortSignal) => {
        const out = await clients.kms.send(new DescribeKeyCommand({ KeyId: encryption.keyId }), {
          abortSignal,
        });
        if (out.KeyMetadata?.Enabled !== true)
          throw new Error(`key state ${out.KeyMetadata?.KeyState ?? '?'}`);
      },
    ]);
  }
  return async () => {
    const results = await Promise.all(
      checks.map(async ([name, check]): Promise<[Dependency, CheckResult]> => {
        try {
          await check(AbortSignal.timeout(timeoutMs));
          return [name, 'ok'];
        } catch (e: unknown) {
          deps.logger.warn('readiness check failed', { dependency: name, error: describeError(e) });
          return [name, 'down'];
        }
      }),
    );
    return {
      status: results.every(([, result]) => result === 'ok') ? 'ready' : 'not-ready',
      checks: Object.fromEntries(results) as ReadinessReport['checks'],
    };
  };
}
