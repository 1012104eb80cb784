import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createAwsClients, clientOptionsFrom, type AwsClients } from './aws/clients.js';
import type { Config } from './config.js';
import { KmsSecretBox, LocalSecretBox, type SecretBox } from './crypto/secret-box.js';
import { createLogger, type Logger } from './logger.js';
import type { CertificateModeName } from './provisioning/cdf-block.js';
import type { CertificateMode } from './provisioning/certificate-modes/certificate-mode.js';
import { createCertificateModes } from './provisioning/certificate-modes/index.js';
import type { TaskRunnerDeps } from './provisioning/run-task.js';
import { resolveQueueUrls, type QueueUrls } from './queue/queue-urls.js';
import { CompletionPublisher } from './tasks/completion-events.js';
import { TaskStore } from './tasks/task-store.js';
import { BulkStore } from './bulk/bulk-store.js';
import { TemplateStore } from './templates/template-store.js';

/**
 * The composition root: every long-lived object the API and the workers use, built once per
 * process from the configuration. Tests pass their own clients and logger.
 */
export interface Services extends TaskRunnerDeps {
  config: Config;
  clients: AwsClients;
  queues: QueueUrls;
  bulk: BulkStore;
  close(): void;
}

export async function createServices(
  config: Config,
  overrides: { clients?: AwsClients; logger?: Logger } = {},
): Promise<Services> {
  const clients = overrides.clients ?? createAwsClients(clientOptionsFrom(config));
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const tasks = new TaskStore(clients.dynamo, config.tableName);
  const queues = await resolveQueueUrls(clients.sqs, config.queues);
  const modes: Partial<Record<CertificateModeName, CertificateMode>> = createCertificateModes(
    clients,
    config.certificates,
  );
  return {
    config,
    clients,
    queues,
    logger,
    tasks,
    bulk: new BulkStore(clients.dynamo, config.tableName),
    templates: new TemplateStore(clients.s3, config.templates),
    secrets: secretBoxFor(config, clients),
    events: new CompletionPublisher(clients.sqs, queues.results, tasks),
    iot: clients.iot,
    modes,
    region: config.region,
    accountId: memo(async () => {
      const out = await clients.sts.send(new GetCallerIdentityCommand({}));
      if (out.Account === undefined) throw new Error('STS did not return the account id');
      return out.Account;
    }),
    leaseSeconds: config.worker.leaseSeconds,
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

/** Caches a successful result; a failure is retried on the next call. */
function memo<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load().catch((e: unknown) => {
      value = undefined;
      throw e;
    });
    return value;
  };
}
