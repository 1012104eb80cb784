import { createApp } from '../api/app.js';
import { startServer } from '../api/server.js';
import { loadConfig } from '../src/config.js';
import { createApiServices } from '../api/compose.js';

/** The API alone in its own process, so a benchmark can measure its memory apart from the worker. */
const services = await createApiServices(loadConfig());
const server = await startServer(createApp(services), 0);
process.stdout.write(`${server.url}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
