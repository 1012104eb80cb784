import { createApp } from '../api/app.js';
import { apiServices } from '../api/compose.js';
import { startServer } from '../api/server.js';
import { createAwsClients, clientOptionsFrom } from '../src/aws/clients.js';
import { createCommonServices } from '../src/common-services.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { PrometheusMetrics } from '../src/metrics/prometheus-metrics.js';
import { watchQueueDepths } from '../src/queue/queue-depth.js';
import { workerServices } from '../workers/compose.js';
import { prometheusExpiryGauge } from '../workers/expiry-gauges.js';
import { startConsumers } from '../workers/start-consumers.js';
import { bootstrap } from './bootstrap.js';
import { startMoto, type RunningMoto } from './moto.mjs';
import { usage } from './usage.js';

/**
 * `npm start`: the embedded default. Starts moto (unless AWS_ENDPOINT_URL names an emulator or
 * the variable is set to use real AWS), bootstraps the resources, then serves the API and runs
 * the workers in this one process until Ctrl-C.
 */
async function main(): Promise<void> {
  let moto: RunningMoto | undefined;
  if (process.env.AWS_ENDPOINT_URL === undefined) {
    moto = await startMoto({ port: Number(process.env.MOTO_PORT ?? 4566) });
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
  }
  if (!process.env.RESULTS_KMS_KEY_ID && !process.env.RESULTS_MASTER_KEY) {
    process.env.RESULTS_KMS_KEY_ID = 'alias/provisioning-results';
  }

  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const metrics = new PrometheusMetrics();
  const clients = createAwsClients(clientOptionsFrom(config, metrics));
  await bootstrap(clients, config);
  // One process, both runtimes: the API's and the workers' roots over the same common services.
  const common = await createCommonServices(config, { clients, logger, metrics });
  watchQueueDepths(metrics, clients.sqs, common.queueUrls);
  const server = await startServer(
    createApp(apiServices(common), { prometheus: metrics }),
    config.port,
    process.env.HOST ?? '127.0.0.1',
  );
  const workers = startConsumers(workerServices(common), {
    expiryGauge: prometheusExpiryGauge(metrics, logger),
  });
  process.stdout.write(usage(server.url, config.endpoint));

  const shutdown = async (signal: string) => {
    logger.info('shutting down', { signal });
    await workers.stop();
    await server.close();
    clients.destroy();
    await moto?.stop();
    process.exit(0);
  };
  process.once('SIGINT', (s) => void shutdown(s));
  process.once('SIGTERM', (s) => void shutdown(s));
}

main().catch((e: unknown) => {
  process.stderr.write(
    `${e instanceof ConfigError || !(e instanceof Error) ? String(e) : (e.stack ?? e.message)}\n`,
  );
  process.exit(1);
});
