import { loadConfig } from '../src/config.js';
import { createServices } from '../src/services.js';
import { startConsumers } from '../workers/start-consumers.js';

/**
 * A worker in its own process, so the benchmark can measure its CPU alone. On SIGTERM it drains,
 * then prints its CPU time as one JSON line.
 */
const services = await createServices(loadConfig());
const workers = startConsumers(services);
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void workers.stop().then(() => {
    const cpu = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
    services.close();
    process.exit(0);
  });
});
