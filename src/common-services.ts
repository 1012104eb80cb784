import { AuditLog } from './audit/audit-log.js';
import { callerIdentity, topicArn, type CallerIdentity } from './aws/caller-identity.js';
import { createAwsClients, clientOptionsFrom, type AwsClients } from './aws/clients.js';
import { BulkStore } from './bulk/bulk-store.js';
import { BulkEventPublisher, type BulkEvents } from './bulk/completion-event.js';
import type { Config } from './config.js';
import { KmsSecretBox, LocalSecretBox, type SecretBox } from './crypto/secret-box.js';
import type { EventBus } from './events/event-bus.js';
import { SnsEventBus } from './events/sns-event-bus.js';
import { createLogger, type Logger } from './logger.js';
import type { Metrics } from './metrics/metrics.js';
import { createAdmission } from './provisioning/admission.js';
import { CertificateChains } from './provisioning/ca/certificate-chains.js';
import { createModeChecks } from './provisioning/certificate-modes/checks.js';
import type { Queues } from './queue/message-queue.js';
import { resolveQueueUrls, type QueueUrls } from './queue/queue-urls.js';
import { sqsQueues } from './queue/sqs-message-queue.js';
import type { ObjectReader } from './storage/object-store.js';
import { S3ObjectReader } from './storage/s3-object-reader.js';
import type { Admission } from './tasks/admission.js';
import { CompletionPublisher, type EventPublisher } from './tasks/completion-events.js';
import { TaskStore } from './tasks/task-store.js';
import { TemplateStore } from './templates/template-store.js';

/**
 * What the API's and the workers' composition roots (api/compose.ts, workers/compose.ts) both
 * build, the same way: clients, the stores, the queues, secrets and admission (the API admits
 * `POST /things`, a worker admits what upstream systems publish), the events topic and the
 * publishers of completion events (both runtimes end tasks), and metrics. Nothing here makes a
 * certificate or writes an object: those are wired only by the root that needs them, so they are
 * in only that runtime's bundle and IAM role. Each root passes its metrics adapter (Prometheus, or
 * CloudWatch EMF in Lambda); tests pass their own clients and logger.
 */
export interface CommonServices {
  config: Config;
  clients: AwsClients;
  logger: Logger;
  audit: AuditLog;
  queueUrls: QueueUrls;
  queues: Queues;
  objects: ObjectReader;
  tasks: TaskStore;
  bulk: BulkStore;
  templates: TemplateStore;
  secrets: SecretBox;
  /** The CA chains of device certificates: stored by the workers, read into results by the API. */
  chains: CertificateChains;
  admission: Admission;
  /** The account and partition (from STS, once). */
  identity: () => Promise<CallerIdentity>;
  /** The events topic, and what publishes tasks' and bulk tasks' completion events to it. */
  bus: EventBus;
  events: EventPublisher;
  bulkEvents: BulkEvents;
  metrics: Metrics;
  close(): void;
}

export interface ServiceOptions {
  /** Prometheus (local server, container, tests) or CloudWatch EMF (Lambda). */
  metrics: Metrics;
  clients?: AwsClients;
  logger?: Logger;
  /** Where audit lines go (by default the console, at info whatever LOG_LEVEL is). */
  auditLogger?: Logger;
}

export async function createCommonServices(config: Config, options: ServiceOptions): Promise<CommonServices> {
  const { metrics } = options;
  const clients = options.clients ?? createAwsClients(clientOptionsFrom(config, metrics));
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const queueUrls = await resolveQueueUrls(clients.sqs, config.queues);
  const objects = new S3ObjectReader(clients.s3);
  const templates = new TemplateStore(objects, config.templates);
  const bulk = new BulkStore(clients.dynamo, config.tableName);
  const identity = callerIdentity(clients.sts);
  const bus = new SnsEventBus(clients.sns, async () =>
    topicArn(await identity(), config.region, config.eventsTopicName),
  );
  return {
    config,
    clients,
    logger,
    audit: new AuditLog(options.auditLogger ?? createLogger({ level: 'info' })),
    queueUrls,
    queues: sqsQueues(clients.sqs, queueUrls),
    objects,
    tasks: new TaskStore(clients.dynamo, config.tableName),
    bulk,
    templates,
    secrets: secretBoxFor(config, clients),
    chains: new CertificateChains(clients.dynamo, config.tableName),
    admission: createAdmission({
      templates,
      checks: createModeChecks(clients, config.certificates),
      region: config.region,
    }),
    identity,
    bus,
    events: new CompletionPublisher(bus),
    bulkEvents: new BulkEventPublisher(bus, bulk, metrics),
    metrics,
    close: () => {
      if (options.clients === undefined) clients.destroy();
    },
  };
}

function secretBoxFor(config: Config, clients: AwsClients): SecretBox {
  return config.encryption.kind === 'kms'
    ? new KmsSecretBox(clients.kms, config.encryption.keyId)
    : new LocalSecretBox(config.encryption.masterKey);
}
