import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import {
  CreatePolicyCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-iot';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AwsClients } from '../src/aws/clients.js';
import type { Config } from '../src/config.js';
import { LISTING_INDEX } from '../src/tasks/listing-index.js';
import { LIFECYCLE_INDEX } from '../src/inventory/lifecycle-index.js';
import { templateKey } from '../src/templates/template-store.js';
import { bootstrapSampleCas, sampleCasByDefault } from './bootstrap-ca.js';

/**
 * Creates the service's AWS resources on the emulator (or an empty account), idempotently: the
 * table with TTL, the requests and bulk queues with their DLQs and redrive policies, the events
 * topic with the results queue subscribed to it, the templates bucket with the sample templates,
 * and the KMS key behind the configured alias.
 * In AWS, serverless.yml owns these; this is for local runs and tests.
 */
export const SAMPLE_TEMPLATES_DIR = fileURLToPath(new URL('./templates/', import.meta.url));
const MAX_RECEIVE_COUNT = 5;

export async function bootstrap(
  clients: AwsClients,
  config: Config,
  /** `cas`: the sample CAs of infra/bootstrap-ca.ts; by default on an emulator, off under Jest. */
  options: { templatesDir?: string; cas?: boolean } = {},
): Promise<void> {
  const cas = options.cas ?? sampleCasByDefault(config);
  await Promise.all([
    createTable(clients, config.tableName),
    createQueues(clients, config),
    createBucket(clients, config, options.templatesDir ?? SAMPLE_TEMPLATES_DIR),
    config.encryption.kind === 'kms' ? createKmsKey(clients, config.encryption.keyId) : Promise.resolve(),
    createSampleIotResources(clients),
    cas ? bootstrapSampleCas(clients, config, { print: options.cas === undefined }) : Promise.resolve(),
  ]);
}

/** What the sample templates refer to: a thing type, a thing group and a named policy. */
export const SAMPLE_IOT = {
  thingType: 'sample-device',
  thingGroup: 'sample-fleet',
  policy: 'sample-device-policy',
} as const;

async function createSampleIotResources(clients: AwsClients): Promise<void> {
  const ignoreExisting = (e: unknown) => {
    if (!(e instanceof ResourceAlreadyExistsException)) throw e;
  };
  await Promise.all([
    clients.iot
      .send(new CreateThingTypeCommand({ thingTypeName: SAMPLE_IOT.thingType }))
      .catch(ignoreExisting),
    clients.iot
      .send(
        new CreateThingGroupCommand({
          thingGroupName: SAMPLE_IOT.thingGroup,
          thingGroupProperties: { attributePayload: { attributes: { purpose: 'samples' } } },
        }),
      )
      .catch(ignoreExisting),
    clients.iot
      .send(
        new CreatePolicyCommand({
          policyName: SAMPLE_IOT.policy,
          policyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }],
          }),
        }),
      )
      .catch(ignoreExisting),
  ]);
}

/** The table's secondary indexes, as infra/deploy/resources.yml declares them. */
const INDEXES: GlobalSecondaryIndex[] = [
  // src/tasks/listing-index.ts: GET /provisioningtasks and GET /bulkthings, newest first.
  {
    IndexName: LISTING_INDEX,
    KeySchema: [
      { AttributeName: 'listPk', KeyType: 'HASH' },
      { AttributeName: 'listSk', KeyType: 'RANGE' },
    ],
    Projection: {
      ProjectionType: 'INCLUDE',
      NonKeyAttributes: ['status', 'provisioningTemplateId', 'source', 'expiresAt'],
    },
  },
  // src/inventory/lifecycle-index.ts: certificates by not-after, retirements by due time.
  {
    IndexName: LIFECYCLE_INDEX,
    KeySchema: [
      { AttributeName: 'lifecyclePk', KeyType: 'HASH' },
      { AttributeName: 'lifecycleSk', KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'ALL' },
  },
];
const KEY_ATTRIBUTES = ['pk', 'sk', 'listPk', 'listSk', 'lifecyclePk', 'lifecycleSk'].map(
  (AttributeName) => ({
    AttributeName,
    AttributeType: 'S' as const,
  }),
);

async function createTable(clients: AwsClients, TableName: string): Promise<void> {
  const dynamo = clients.dynamo;
  try {
    await dynamo.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: KEY_ATTRIBUTES,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: INDEXES,
      }),
    );
  } catch (e: unknown) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
  // Real DynamoDB creates tables and indexes asynchronously; moto's are active at once.
  for (let attempt = 0; ; attempt++) {
    const table = (await dynamo.send(new DescribeTableCommand({ TableName }))).Table;
    if (table?.TableStatus === 'ACTIVE') {
      // A table made before an index existed (an emulator kept between runs) gets it now; DynamoDB
      // adds one index per update.
      const have = new Set((table.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
      const missing = INDEXES.find((i) => !have.has(i.IndexName));
      if (missing === undefined) break;
      await dynamo.send(
        new UpdateTableCommand({
          TableName,
          AttributeDefinitions: KEY_ATTRIBUTES,
          GlobalSecondaryIndexUpdates: [{ Create: missing }],
        }),
      );
      continue;
    }
    if (attempt === 60) throw new Error(`Table ${TableName} did not become active`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await dynamo.send(
    new UpdateTimeToLiveCommand({
      TableName,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    }),
  );
}

async function createQueues(clients: AwsClients, config: Config): Promise<void> {
  const { queues } = config;
  const visibility = String(config.worker.leaseSeconds);
  await Promise.all([
    createQueueWithDlq(clients, queues.requests, queues.requestsDlq, visibility),
    createQueueWithDlq(clients, queues.bulk, queues.bulkDlq, visibility),
    createEventsTopic(clients, config),
  ]);
}

/**
 * The events topic, and the results queue subscribed to everything on it with raw message
 * delivery: its bodies stay the event JSON (as when the service sent to the queue itself) and the
 * events' attributes arrive as SQS message attributes. The queue's policy lets only this topic
 * send to it.
 */
async function createEventsTopic(clients: AwsClients, config: Config): Promise<void> {
  const [topic, queue] = await Promise.all([
    clients.sns.send(new CreateTopicCommand({ Name: config.eventsTopicName })),
    clients.sqs.send(new CreateQueueCommand({ QueueName: config.queues.results })),
  ]);
  const queueArn = (
    await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn;
  await clients.sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queue.QueueUrl,
      Attributes: {
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
              Condition: { ArnEquals: { 'aws:SourceArn': topic.TopicArn } },
            },
          ],
        }),
      },
    }),
  );
  // Subscribing again with the same attributes returns the existing subscription.
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topic.TopicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      Attributes: { RawMessageDelivery: 'true' },
      ReturnSubscriptionArn: true,
    }),
  );
}

async function createQueueWithDlq(
  clients: AwsClients,
  name: string,
  dlqName: string,
  visibilityTimeout: string,
): Promise<void> {
  const dlq = await clients.sqs.send(
    // The DLQ keeps what it holds as long as SQS allows, for a person to look at.
    new CreateQueueCommand({ QueueName: dlqName, Attributes: { MessageRetentionPeriod: '1209600' } }),
  );
  const dlqAttributes = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: visibilityTimeout,
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqAttributes.Attributes?.QueueArn,
          maxReceiveCount: MAX_RECEIVE_COUNT,
        }),
      },
    }),
  );
}

async function createBucket(clients: AwsClients, config: Config, templatesDir: string): Promise<void> {
  const { bucket } = config.templates;
  try {
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (e: unknown) {
    const name = e instanceof Error ? e.name : '';
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw e;
  }
  // Versioned, as deployed (serverless.yml): each task runs the template version it was accepted with.
  await clients.s3.send(
    new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
  );
  const files = (await readdir(templatesDir)).filter((f) => f.endsWith('.json'));
  await Promise.all(
    files.map(async (file) =>
      clients.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: templateKey(config.templates, file.slice(0, -'.json'.length)),
          Body: await readFile(join(templatesDir, file)),
          ContentType: 'application/json',
        }),
      ),
    ),
  );
}

async function createKmsKey(clients: AwsClients, keyId: string): Promise<void> {
  if (!keyId.startsWith('alias/')) return;
  try {
    await clients.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    return;
  } catch (e: unknown) {
    if (!(e instanceof NotFoundException)) throw e;
  }
  const key = await clients.kms.send(
    new CreateKeyCommand({ Description: 'Encrypts device private keys in provisioning results' }),
  );
  await clients.kms.send(new CreateAliasCommand({ AliasName: keyId, TargetKeyId: key.KeyMetadata?.KeyId }));
}
