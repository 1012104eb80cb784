import { AuditLog } from './audit/audit-log.js';
import { createAwsClients, clientOptionsFrom, type AwsClients } from './aws/clients.js';
import { BulkStore } from './bulk/bulk-store.js';
import type { Config } from './config.js';
import { KmsSecretBox, LocalSecretBox, type SecretBox } from './crypto/secret-box.js';
import { createLogger, type Logger } from './logger.js';
import { createAdmission } from './provisioning/admission.js';
import { createModeChecks } from './provisioning/certificate-modes/checks.js';
import type { Queues } from './queue/message-queue.js';
import { resolveQueueUrls, type QueueUrls } from './queue/queue-urls.js';
import { sqsQueues } from './queue/sqs-message-queue.js';
import type { ObjectReader } from './storage/object-store.js';
import { S3ObjectReader } from './storage/s3-object-reader.js';
import type { Admission } from './tasks/admission.js';
import { TaskStore } from './tasks/task-store.js';
import { TemplateStore } from './templates/template-store.js';

/**
 * What the API's and the workers' composition roots (api/compose.ts, workers/compose.ts) both
 * build, the same way: clients, the stores, the queues, secrets and admission (the API admits
 * `POST /things`, a worker admits what upstream systems publish). Nothing here makes a
 * certificate or writes an object: those are wired only by the root that needs them, so they are
 * in only that runtime's bundle and IAM role. Tests pass their own clients and logger.
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
  admission: Admission;
  close(): void;
}

export interface ServiceOverrides {
  clients?: AwsClients;
  logger?: Logger;
  /** Where audit lines go (by default the console, at info whatever LOG_LEVEL is). */
  auditLogger?: Logger;
}

export async function createCommonServices(
  config: Config,
  overrides: ServiceOverrides = {},
): Promise<CommonServices> {
  const clients = overrides.clients ?? createAwsClients(clientOptionsFrom(config));
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const queueUrls = await resolveQueueUrls(clients.sqs, config.queues);
  const objects = new S3ObjectReader(clients.s3);
  const templates = new TemplateStore(objects, config.templates);
  return {
    config,
    clients,
    logger,
    audit: new AuditLog(overrides.auditLogger ?? createLogger({ level: 'info' })),
    queueUrls,
    queues: sqsQueues(clients.sqs, queueUrls),
    objects,
    tasks: new TaskStore(clients.dynamo, config.tableName),
    bulk: new BulkStore(clients.dynamo, config.tableName),
    templates,
    secrets: secretBoxFor(config, clients),
    admission: createAdmission({ templates, checks: createModeChecks(clients, config.certificates) }),
    close: () => {
      if (overrides.clients === undefined) clients.destroy();
    },
  };
}

function secretBoxFor(config: Config, clients: AwsClients): SecretBox {
  return config.encryption.kind === 'kms'
    ? new KmsSecretBox(clients.kms, config.encryption.keyId)
    : new LocalSecretBox(config.encryption.masterKey);
}
