import { createAwsClients, clientOptionsFrom, type AwsClients } from '../src/aws/clients.js';
import type { Config } from '../src/config.js';
import { createCertificateLifecycle, type CertificateLifecycle } from '../src/lifecycle/create-lifecycle.js';
import type { ExpiryGauge } from '../src/lifecycle/expiry-gauge.js';
import { lifecycleTick, type TickReport } from '../src/lifecycle/tick.js';
import { createLogger, type Logger } from '../src/logger.js';
import { IotCaCertificates } from '../src/provisioning/ca/ca-certificates.js';

/**
 * The certificate lifecycle's composition root: its parts and the tick, over the table and AWS
 * IoT only. The Lambda entry (workers/lifecycle-lambda.ts) is its own bundle with its own role, so
 * it can provision nothing; the container and `npm start` run the same tick on a timer beside the
 * queue consumers, over their clients.
 */
export interface LifecycleRuntime {
  config: Config;
  logger: Logger;
  lifecycle: CertificateLifecycle;
  /** One tick, which stops taking new work at `deadline` (epoch ms). */
  tick(deadline: number): Promise<TickReport>;
  close(): void;
}

export function lifecycleRuntime(parts: {
  config: Config;
  clients: Pick<AwsClients, 'dynamo' | 'iot'>;
  logger: Logger;
  gauge: ExpiryGauge;
  close?: () => void;
}): LifecycleRuntime {
  const { config, clients, logger } = parts;
  const lifecycle = createCertificateLifecycle(clients, config);
  const deps = {
    lifecycle,
    iot: clients.iot,
    cas: new IotCaCertificates(clients.iot, config.certificates.caCacheSeconds),
    knownCaIds: Object.values(config.certificates.iotCaAliases).map((arn) =>
      arn.slice(arn.lastIndexOf('/') + 1),
    ),
    gauge: parts.gauge,
    warningDays: config.lifecycle.expiryWarningDays,
    deleteAfterDays: config.lifecycle.retiredDeleteDays,
    deletePolicies: config.features.deletePolicies,
    logger: logger.child({ component: 'lifecycle' }),
  };
  return {
    config,
    logger,
    lifecycle,
    tick: (deadline) => lifecycleTick(deps, deadline),
    close: parts.close ?? (() => undefined),
  };
}

/** For the Lambda entry: its own clients and logger. */
export function createLifecycleRuntime(config: Config, gauge: ExpiryGauge): LifecycleRuntime {
  const clients = createAwsClients(clientOptionsFrom(config));
  return lifecycleRuntime({
    config,
    clients,
    logger: createLogger({ level: config.logLevel }),
    gauge,
    close: () => {
      clients.destroy();
    },
  });
}
