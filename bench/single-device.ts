import { cpus } from 'node:os';
import { createApp } from '../api/app.js';
import { startServer } from '../api/server.js';
import { createLogger } from '../src/logger.js';
import { PrometheusMetrics } from '../src/metrics/prometheus-metrics.js';
import { createApiServices } from '../api/compose.js';
import { startBenchStack, startProcess } from './local-stack.js';
import { procStats } from './proc-stats.js';
import type { Task } from '../src/tasks/model.js';

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
// Ctrl-C or a kill: stop what was started, then go (the exit hooks are the last resort).
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));

async function stopAll(): Promise<void> {
  await worker.stop();
  await server.close();
  services.close();
  await bench.stop();
}

/** The task once it has ended: a request that outlived its `Prefer: wait` is polled, not failed. */
async function ended(taskId: string): Promise<Task> {
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    const task = await services.tasks.require(taskId);
    if (task.status === 'SUCCEEDED' || task.status === 'FAILED') return task;
    await new Promise((r) => setTimeout(r, delay));
  }
}

try {
  await new Promise((r) => setTimeout(r, 2000));
  const workerCpuBefore = procStats(worker.pid).cpuMs;
  const motoCpuBefore = procStats(moto.pid).cpuMs;
  const started = performance.now();
  const tasks: Task[] = [];
  let next = 0;
  let outlivedWait = 0;
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
        if (res.status !== 201 && res.status !== 202)
          throw new Error(`request ${i}: HTTP ${res.status} ${JSON.stringify(body)}`);
        if (res.status === 202) outlivedWait += 1;
        tasks.push(await ended(body.taskId));
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  const motoCpuMs = procStats(moto.pid).cpuMs - motoCpuBefore;
  const cpuMs = procStats(worker.pid).cpuMs - workerCpuBefore;

  const failed = tasks.filter((t) => t.status !== 'SUCCEEDED');
  if (failed.length > 0)
    throw new Error(`${failed.length} task(s) failed, e.g. ${JSON.stringify(failed[0]?.error)}`);
  const latencies = tasks.map((t) => Date.parse(t.updatedAt) - Date.parse(t.createdAt)).sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;

  console.table({
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
    requests: total,
    concurrency,
    'outlived Prefer: wait (polled)': outlivedWait,
    'submit→SUCCEEDED p50 ms': pct(50),
    'submit→SUCCEEDED p99 ms': pct(99),
    'requests/s (end to end)': Math.round((total / elapsedS) * 10) / 10,
    'worker CPU ms/device': Math.round((cpuMs / total) * 100) / 100,
    // The API's share of the work runs in this process; the emulator's CPU is the local ceiling.
    'emulator CPU ms/device': Math.round((motoCpuMs / total) * 100) / 100,
  });
} finally {
  await stopAll();
}
