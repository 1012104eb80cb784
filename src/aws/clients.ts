import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTClient } from '@aws-sdk/client-iot';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Config } from '../config.js';
import { createRetryStrategy } from './create-retry-strategy.js';
import type { Metrics } from '../metrics/metrics.js';
import { countIotCalls } from './iot-call-metrics.js';
import { limitIotRate } from './iot-rate-limit.js';

/**
 * Every AWS SDK client the service uses, built here and nowhere else, then passed in. One
 * keep-alive agent pair is shared so a busy worker reuses connections across services.
 */
export interface AwsClients {
  acmpca: ACMPCAClient;
  dynamo: DynamoDBDocumentClient;
  iot: IoTClient;
  /**
   * IoT for the calls that create what AWS cannot find again, or whose repeat would look like an
   * earlier owner's (CreateKeysAndCertificate, CreateCertificateFromCsr, RegisterCertificate*,
   * CreatePolicy): retried only when the failed attempt provably created nothing.
   */
  iotCreate: IoTClient;
  kms: KMSClient;
  s3: S3Client;
  sns: SNSClient;
  sqs: SQSClient;
  ssm: SSMClient;
  sts: STSClient;
  destroy(): void;
}

export interface ClientOptions {
  region: string;
  endpoint: string | undefined;
  /** Attempts per call, with the SDK's adaptive (client-side rate-limiting) retry mode. */
  maxAttempts?: number;
  maxSockets?: number;
  /** Per-IoT-API request budget of this process; absent means unlimited. */
  iotTps?: number;
  /** How long a request may take once sent before it fails (default 30 s). */
  requestTimeoutMs?: number;
  /** Where IoT throttles and retries are counted. */
  metrics?: Metrics;
}

/** moto accepts any credentials; real AWS uses the default provider chain. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export function clientOptionsFrom(config: Config, metrics?: Metrics): ClientOptions {
  return {
    region: config.region,
    endpoint: config.endpoint,
    iotTps: config.iotTps,
    requestTimeoutMs: config.requestTimeoutSeconds * 1000,
    metrics,
  };
}

export function createAwsClients(options: ClientOptions): AwsClients {
  const maxSockets = options.maxSockets ?? 128;
  const requestHandler = new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    connectionTimeout: 5_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    // A request stuck this long is failed (and retried) rather than only warned about.
    throwOnRequestTimeout: true,
  });
  const emulated = options.endpoint !== undefined;
  const common = {
    region: options.region,
    endpoint: options.endpoint,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 5,
    requestHandler,
    ...(emulated && !process.env.AWS_ACCESS_KEY_ID ? { credentials: EMULATOR_CREDENTIALS } : {}),
  };
  const maxAttempts = common.maxAttempts;
  const dynamoClient = new DynamoDBClient(common);
  const clients = {
    acmpca: new ACMPCAClient(common),
    dynamo: DynamoDBDocumentClient.from(dynamoClient, {
      marshallOptions: { removeUndefinedValues: true },
    }),
    iot: new IoTClient(common),
    iotCreate: new IoTClient({ ...common, retryStrategy: createRetryStrategy(maxAttempts) }),
    kms: new KMSClient(common),
    // moto serves buckets on the path, not as virtual hosts.
    s3: new S3Client({ ...common, forcePathStyle: emulated }),
    sns: new SNSClient(common),
    sqs: new SQSClient(common),
    ssm: new SSMClient(common),
    sts: new STSClient(common),
  };
  if (options.iotTps !== undefined) limitIotRate([clients.iot, clients.iotCreate], options.iotTps);
  if (options.metrics !== undefined) {
    countIotCalls(clients.iot, options.metrics);
    countIotCalls(clients.iotCreate, options.metrics);
  }
  return {
    ...clients,
    destroy(): void {
      for (const client of Object.values(clients)) client.destroy();
      dynamoClient.destroy();
      requestHandler.destroy();
    },
  };
}
