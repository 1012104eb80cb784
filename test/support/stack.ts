import { afterAll, beforeAll } from '@jest/globals';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { createApp } from '../../api/app.js';
import { apiServices, type ApiServices } from '../../api/compose.js';
import { startServer, type RunningServer } from '../../api/server.js';
import { bootstrap } from '../../infra/bootstrap.js';
import { startMoto, type RunningMoto } from '../../infra/moto.mjs';
import { createAwsClients, clientOptionsFrom, type AwsClients } from '../../src/aws/clients.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { PrometheusMetrics } from '../../src/metrics/prometheus-metrics.js';
import { watchQueueDepths } from '../../src/queue/queue-depth.js';
import { createCommonServices } from '../../src/common-services.js';
import { workerServices, type WorkerServices } from '../../workers/compose.js';
import { startConsumers, type RunningWorkers } from '../../workers/start-consumers.js';
import { putTemplate } from './templates.js';

/**
 * A complete service for one test file, on the shared moto emulator, with its own uniquely named
 * table, queues, bucket and KMS alias so files run in parallel. Logs are captured for assertions.
 * `close()` stops whatever the test started and fails if a server or worker was left running —
 * a leaked consumer would keep polling into the next test.
 */
export interface TestStack {
  /** The environment the stack's configuration came from: give it to a worker process. */
  env: Record<string, string>;
  config: Config;
  clients: AwsClients;
  /** Both roots over one set of common services, as `npm start` runs them. */
  services: ApiServices & WorkerServices;
  /** What the stack's GET /metrics serves. */
  metrics: PrometheusMetrics;
  /** The results queue, which the bootstrap subscribed to the events topic. */
  resultsQueueUrl(): Promise<string>;
  logs(): string;
  startApi(): Promise<RunningServer>;
  /**
   * The queue consumers. They poll for 1 s unless told otherwise: a test that stops its workers
   * and soon sends a message for new ones would otherwise lose it for the visibility timeout to
   * the stopped workers' last 20 s poll (workers/receive-abort.ts).
   */
  startWorkers(options?: { pollSeconds?: number }): RunningWorkers;
  close(): Promise<void>;
}

export async function createTestStack(env: Record<string, string> = {}): Promise<TestStack> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (endpoint === undefined)
    throw new Error('AWS_ENDPOINT_URL is not set: the integration global setup did not run');
  const id = `t${randomBytes(4).toString('hex')}`;
  const stackEnv: Record<string, string> = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    TABLE_NAME: `${id}-tasks`,
    REQUESTS_QUEUE_NAME: `${id}-requests`,
    REQUESTS_DLQ_NAME: `${id}-requests-dlq`,
    RESULTS_QUEUE_NAME: `${id}-results`,
    EVENTS_TOPIC_NAME: `${id}-events`,
    BULK_QUEUE_NAME: `${id}-bulk`,
    BULK_DLQ_NAME: `${id}-bulk-dlq`,
    TEMPLATES_BUCKET: `${id}-templates`,
    RESULTS_KMS_KEY_ID: `alias/${id}`,
    // Long enough that a loaded CI machine never loses a lease mid-task.
    TASK_LEASE_SECONDS: '30',
    LOG_LEVEL: 'debug',
    ...env,
  };
  const config = loadConfig(stackEnv);
  const metrics = new PrometheusMetrics();
  const clients = createAwsClients(clientOptionsFrom(config, metrics));
  await bootstrap(clients, config);
  let captured = '';
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (captured += chunk.toString('utf8')));
  const logger = createLogger({ level: config.logLevel, stream });
  const common = await createCommonServices(config, { clients, logger, auditLogger: logger, metrics });
  watchQueueDepths(metrics, clients.sqs, common.queueUrls);
  const services = { ...apiServices(common), ...workerServices(common) };

  const servers = new Set<RunningServer>();
  const workers = new Set<RunningWorkers>();
  return {
    env: stackEnv,
    config,
    clients,
    services,
    metrics,
    resultsQueueUrl: async () =>
      (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: config.queues.results }))).QueueUrl ?? '',
    logs: () => captured,
    async startApi() {
      const server = await startServer(createApp(services, { prometheus: metrics }), 0);
      servers.add(server);
      return {
        url: server.url,
        close: async () => {
          servers.delete(server);
          await server.close();
        },
      };
    },
    startWorkers(options = {}) {
      const running = startConsumers(services, { drainTimeoutMs: 5_000, pollSeconds: 1, ...options });
      workers.add(running);
      return {
        stop: async () => {
          workers.delete(running);
          await running.stop();
        },
      };
    },
    async close() {
      const leaked = servers.size + workers.size;
      await Promise.all([...workers].map((w) => w.stop()));
      await Promise.all([...servers].map((s) => s.close()));
      clients.destroy();
      logger.close();
      if (leaked > 0)
        throw new Error(`${leaked} server(s)/worker(s) were still running at the end of the test`);
    },
  };
}

export interface StackOptions {
  /** Configuration on top of the stack's own (see `createTestStack`). */
  env?: Record<string, string>;
  /** Start the HTTP API for the whole file. */
  api?: boolean;
  /** Start the queue consumers for the whole file. */
  workers?: boolean;
  /** Test-only templates (test/fixtures/templates) to upload before the API and workers start. */
  templates?: string[];
  /**
   * An emulator of the file's own. For a file that reads account-wide lists (every certificate):
   * on the worker's shared emulator its time and answers would depend on the files run before it.
   */
  ownEmulator?: boolean;
}

/** What `useStack` started; read it inside tests and hooks, once the file's `beforeAll` has run. */
export interface UsedStack {
  readonly stack: TestStack;
  readonly api: RunningServer;
  readonly workers: RunningWorkers;
}

/**
 * One stack for the whole test file, with the usual lifecycle: `beforeAll` creates it, uploads the
 * templates and starts the API and workers asked for; `afterAll` stops the workers, closes the API
 * and then the stack, whose leak guard still fails the file if a test left something running.
 * Files that need another order (a proxy in front, worker processes) use `createTestStack`.
 */
export function useStack(options: StackOptions = {}): UsedStack {
  let stack: TestStack | undefined;
  let api: RunningServer | undefined;
  let workers: RunningWorkers | undefined;
  let emulator: RunningMoto | undefined;

  beforeAll(async () => {
    if (options.ownEmulator === true) emulator = await startMoto();
    const endpoint: Record<string, string> =
      emulator === undefined ? {} : { AWS_ENDPOINT_URL: emulator.endpoint };
    stack = await createTestStack({ ...options.env, ...endpoint });
    for (const id of options.templates ?? []) await putTemplate(stack, id);
    if (options.api === true) api = await stack.startApi();
    if (options.workers === true) workers = stack.startWorkers();
  });
  afterAll(async () => {
    await workers?.stop();
    await api?.close();
    await stack?.close();
    await emulator?.stop();
  });

  /** Why something is not there: not asked for, or asked for but read before `beforeAll` ran. */
  const missing = (what: string, asked: boolean, option: string): never => {
    throw new Error(
      asked
        ? `the ${what} is not started yet: read it inside a test or hook, not while the file loads`
        : `useStack() was not asked to start the ${what}: pass { ${option}: true }`,
    );
  };
  return {
    get stack() {
      return stack ?? missing('stack', true, '');
    },
    get api() {
      return api ?? missing('API', options.api === true, 'api');
    },
    get workers() {
      return workers ?? missing('workers', options.workers === true, 'workers');
    },
  };
}
