import { createApp } from '../api/app.js';
import { apiServices } from '../api/compose.js';
import { startServer, type RunningServer } from '../api/server.js';
import { bootstrap } from '../infra/bootstrap.js';
import { bootstrapSampleCas, type SampleCas } from '../infra/bootstrap-ca.js';
import { startMoto, type RunningMoto } from '../infra/moto.mjs';
import { createAwsClients, clientOptionsFrom, type AwsClients } from '../src/aws/clients.js';
import { createCommonServices, type CommonServices } from '../src/common-services.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { PrometheusMetrics } from '../src/metrics/prometheus-metrics.js';
import { workerServices } from '../workers/compose.js';
import { startConsumers, type RunningWorkers } from '../workers/start-consumers.js';
import { startCountingProxy, type CountingProxy } from './counting-proxy.js';

/** The service in this process (API and queue consumers) on its own emulator, behind a counting proxy. */
export interface CountedStack {
  api: string;
  clients: AwsClients;
  proxy: CountingProxy;
  motoPid: number;
  cas: SampleCas;
}

/**
 * Starts the emulator, the counting proxy, the bootstrap (with the sample CAs), the API and the
 * consumers. `stop` stops whatever has started, also halfway through `start`, so a benchmark's
 * Ctrl-C or failure never leaves an emulator behind.
 */
export function countedStack(env: Record<string, string> = {}): {
  start(): Promise<CountedStack>;
  stop(): Promise<void>;
} {
  let moto: RunningMoto | undefined;
  let proxy: CountingProxy | undefined;
  let clients: AwsClients | undefined;
  let services: CommonServices | undefined;
  let server: RunningServer | undefined;
  let workers: RunningWorkers | undefined;
  return {
    async start() {
      moto = await startMoto();
      proxy = await startCountingProxy(moto.endpoint, { region: 'us-east-1' });
      const config = loadConfig({
        ...process.env,
        AWS_ENDPOINT_URL: proxy.url,
        RESULTS_KMS_KEY_ID: 'alias/bench',
        LOG_LEVEL: 'warn',
        IOT_TPS: '1000',
        ...env,
      });
      const metrics = new PrometheusMetrics();
      clients = createAwsClients(clientOptionsFrom(config, metrics));
      await bootstrap(clients, config, { cas: false });
      const cas = await bootstrapSampleCas(clients, config);
      services = await createCommonServices(config, {
        clients,
        logger: createLogger({ level: 'warn' }),
        metrics,
      });
      const both = { ...apiServices(services), ...workerServices(services) };
      server = await startServer(createApp(both), 0);
      workers = startConsumers(both);
      return { api: server.url, clients, proxy, motoPid: moto.pid, cas };
    },
    async stop() {
      await workers?.stop().catch(() => undefined);
      await server?.close().catch(() => undefined);
      services?.close();
      clients?.destroy();
      await proxy?.close().catch(() => undefined);
      await moto?.stop().catch(() => undefined);
    },
  };
}
