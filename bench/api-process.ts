import { createApp } from '../api/app.js';
import { startServer } from '../api/server.js';
import { loadConfig } from '../src/config.js';
import { createApiServices } from '../api/compose.js';
import { PrometheusMetrics } from '../src/metrics/prometheus-metrics.js';

/** The API alone in its own process, so a benchmark can measure its memory apart from the worker. */
const metrics = new PrometheusMetrics();
const services = await createApiServices(loadConfig(), { metrics });
const server = await startServer(createApp(services, { prometheus: metrics }), 0);
process.stdout.write(`${server.url}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
