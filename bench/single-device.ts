import { cpus } from 'node:os';
import { createApp } from '../api/app.js';
import { startServer } from '../api/server.js';
import { createLogger } from '../src/logger.js';
import { PrometheusMetrics } from '../src/metrics/prometheus-metrics.js';
import { createApiServices } from '../api/compose.js';
import { startBenchStack, startProcess } from './local-stack.js';
import { procStats } from './proc-stats.js';

/**
 * Single-device provisioning on the local stack: submits N requests through the HTTP API with a
 * bounded number in flight, lets a worker in its own process provision them, and reports latency
 * from submit to SUCCEEDED (the task's own timestamps), throughput, and the worker's CPU time per
 * device (CPU time, so waiting on the emulator is not counted).
 *
 *   npx tsx bench/single-device.ts [requests=1000] [concurrency=32]
 */
const total = Number(process.argv[2] ?? 1000);
const concurrency = Number(process.argv[3] ?? 32);

const bench = await startBenchStack();
const { moto, env, config, clients } = bench;
const services = await createApiServices(config, {
  clients,
  logger: createLogger({ level: 'warn' }),
  metrics: new PrometheusMetrics(),
});
const server = await startServer(createApp(services), 0);

// The container worker in its own process, so its CPU is measured alone.
const worker = startProcess('workers/container.ts', env);
await new Promise((r) => setTimeout(r, 2000));
const workerCpuBefore = procStats(worker.pid).cpuMs;
const motoCpuBefore = procStats(moto.pid).cpuMs;
const started = performance.now();
const taskIds: string[] = [];
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      const res = await fetch(`${server.url}/things`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', prefer: 'wait=25' },
        body: JSON.stringify({
          provisioningTemplateId: 'aws-certificate',
          parameters: { ThingName: `bench-${i}` },
        }),
      });
      const body = (await res.json()) as { taskId: string };
      if (res.status !== 201) throw new Error(`request ${i}: HTTP ${res.status} ${JSON.stringify(body)}`);
      taskIds.push(body.taskId);
    }
  }),
);
const elapsedS = (performance.now() - started) / 1000;
const motoCpuMs = procStats(moto.pid).cpuMs - motoCpuBefore;
const cpuMs = procStats(worker.pid).cpuMs - workerCpuBefore;

const latencies: number[] = [];
for (const taskId of taskIds) {
  const task = await services.tasks.require(taskId);
  if (task.status !== 'SUCCEEDED') throw new Error(`task ${taskId} ended ${task.status}`);
  latencies.push(Date.parse(task.updatedAt) - Date.parse(task.createdAt));
}
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;

await worker.stop();

const result = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
  requests: total,
  concurrency,
  'submit→SUCCEEDED p50 ms': pct(50),
  'submit→SUCCEEDED p99 ms': pct(99),
  'requests/s (end to end)': Math.round((total / elapsedS) * 10) / 10,
  'worker CPU ms/device': Math.round((cpuMs / total) * 100) / 100,
  // The API's share of the work runs in this process; the emulator's CPU is the local ceiling.
  'emulator CPU ms/device': Math.round((motoCpuMs / total) * 100) / 100,
};
console.table(result);

await server.close();
services.close();
await bench.stop();
