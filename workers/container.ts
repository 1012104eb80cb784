import Type from 'typebox';
import Value from 'typebox/value';
import { ConfigError, loadConfig } from '../src/config.js';
import { describeError } from '../src/errors.js';
import { createLogger } from '../src/logger.js';
import { PrometheusMetrics } from '../src/metrics/prometheus-metrics.js';
import { watchQueueDepths } from '../src/queue/queue-depth.js';
import { createWorkerServices, workerReadiness, type WorkerServices } from './compose.js';
import { startHealthServer } from './health.js';
import { prometheusExpiryGauge } from './expiry-gauges.js';
import { startConsumers, type RunningWorkers } from './start-consumers.js';

/**
 * The container entry (Dockerfile): the sqs-consumer workers of `startConsumers` and, on
 * HEALTH_PORT, its health, readiness and Prometheus metrics (workers/health.ts). On SIGTERM (or SIGINT) it stops polling, lets the messages it holds
 * finish (up to the drain timeout set in start-consumers.ts; the orchestrator's stop timeout must
 * be longer), then exits 0: nothing is lost and no task is left RUNNING under a live lease.
 * A second SIGINT exits at once, for a person at a terminal.
 */
const HealthPort = Type.Integer({ minimum: 0, maximum: 65535 });
const DEFAULT_HEALTH_PORT = 8080;

function healthPort(): number {
  const raw = process.env.HEALTH_PORT;
  if (raw === undefined || raw === '') return DEFAULT_HEALTH_PORT;
  const port = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Value.Check(HealthPort, port)) {
    throw new ConfigError(
      `Invalid configuration:\n  HEALTH_PORT: must be a port number (0-65535), not '${raw}'`,
    );
  }
  return port;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const health = await startHealthServer(healthPort(), process.env.HEALTH_HOST ?? '0.0.0.0');
  logger.info('health endpoint listening', { port: health.port, path: '/health' });

  let services: WorkerServices | undefined;
  let workers: RunningWorkers | undefined;
  let stopping = false;
  const metrics = new PrometheusMetrics();
  const startup = createWorkerServices(config, { logger, metrics }).then((s) => {
    services = s;
    watchQueueDepths(metrics, s.clients.sqs, s.queueUrls);
    health.attach({ readiness: workerReadiness(s), prometheus: metrics });
    if (stopping) return;
    workers = startConsumers(s, { expiryGauge: prometheusExpiryGauge(metrics, logger) });
    health.setState('consuming');
    logger.info('consuming');
  });

  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) {
      if (signal !== 'SIGINT') return;
      logger.warn('second interrupt: exiting without waiting for in-flight messages');
      process.exit(1);
    }
    stopping = true;
    health.setState('draining');
    logger.info('draining: no new messages; waiting for in-flight ones', { signal });
    const started = Date.now();
    await startup.catch(() => undefined);
    await workers?.stop();
    services?.close();
    await health.close();
    logger.info('stopped', { signal, drainMs: Date.now() - started });
    process.exit(0);
  };
  process.on('SIGTERM', (s) => void shutdown(s));
  process.on('SIGINT', (s) => void shutdown(s));

  await startup;
}

main().catch((e: unknown) => {
  const text =
    e instanceof ConfigError
      ? e.message
      : JSON.stringify({ level: 'error', message: 'worker failed to start', error: describeError(e) });
  process.stderr.write(`${text}\n`);
  process.exit(1);
});
