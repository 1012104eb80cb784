import { PutObjectCommand } from '@aws-sdk/client-s3';
import { cpus } from 'node:os';
import { startBenchStack, startProcess } from './local-stack.js';
import { procStats } from './proc-stats.js';

/**
 * Bulk enrolment on the local stack, with the API, the worker and the emulator each in its own
 * process:
 *  1. a D-device task (inline lines, a template with a thing and no certificate, so no RSA keys
 *     are made): devices/second end to end, worker CPU ms per device, peak RSS of each process;
 *  2. memory with task size: fresh workers plan a 10,000-line and a 100,000-line input file
 *     (and start provisioning it) — their peak RSS should not grow with the file.
 *
 *   npx tsx bench/bulk.ts [devices=10000]
 */
const devices = Number(process.argv[2] ?? 10_000);

const bench = await startBenchStack();
const { moto, env, config, clients } = bench;
const template = {
  Parameters: { ThingName: { Type: 'String' }, Site: { Type: 'String', Default: 'plant-1' } },
  Resources: {
    thing: {
      Type: 'AWS::IoT::Thing',
      Properties: { ThingName: { Ref: 'ThingName' }, AttributePayload: { site: { Ref: 'Site' } } },
    },
  },
};
const put = (Key: string, Body: string | Buffer) =>
  clients.s3.send(new PutObjectCommand({ Bucket: config.templates.bucket, Key, Body }));
await put('templates/bench-thing.json', JSON.stringify(template));

async function call(url: string, method: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}
async function until(
  url: string,
  done: (t: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  for (;;) {
    const task = await call(url, 'GET');
    if (done(task)) return task;
    await new Promise((r) => setTimeout(r, 250));
  }
}
const mb = (pid: number) => procStats(pid).peakRssMb;

const api = startProcess('bench/api-process.ts', env);
const apiUrl = await api.firstLine;

// 1. Throughput.
let worker = startProcess('workers/container.ts', env);
await new Promise((r) => setTimeout(r, 2000));
const cpuBefore = procStats(worker.pid).cpuMs;
const motoCpuBefore = procStats(moto.pid).cpuMs;
const started = performance.now();
const lines = Array.from({ length: devices }, (_, i) => ({ ThingName: `bulk-bench-${i}` }));
const submitted = await call(`${apiUrl}/bulkthings`, 'POST', {
  provisioningTemplateId: 'bench-thing',
  parameters: lines,
});
const final = await until(`${apiUrl}/bulkthings/${String(submitted.taskId)}`, (t) =>
  ['Completed', 'CompletedWithFailures', 'Failed'].includes(String(t.status)),
);
const seconds = (performance.now() - started) / 1000;
const workerCpu = procStats(worker.pid).cpuMs - cpuBefore;
const motoCpu = procStats(moto.pid).cpuMs - motoCpuBefore;
const throughput = {
  devices,
  status: final.status,
  successCount: final.successCount,
  'devices/s end to end': Math.round((devices / seconds) * 10) / 10,
  'worker CPU ms/device': Math.round((workerCpu / devices) * 100) / 100,
  'emulator CPU ms/device': Math.round((motoCpu / devices) * 100) / 100,
  'API peak RSS MB': mb(api.pid),
  'worker peak RSS MB': mb(worker.pid),
  'emulator peak RSS MB': mb(moto.pid),
};
await worker.stop();

// 2. Memory against input size: a fresh worker plans each file and provisions its first chunks.
const memory: Record<string, unknown>[] = [];
for (const size of [10_000, 100_000]) {
  const key = `uploads/bench-${size}.ndjson`;
  const body = Buffer.from(
    Array.from({ length: size }, (_, i) =>
      JSON.stringify({ ThingName: `mem-${size}-${i}`, Site: 'plant-2' }),
    ).join('\n'),
  );
  await put(key, body);
  worker = startProcess('workers/container.ts', env);
  await new Promise((r) => setTimeout(r, 1000));
  const task = await call(`${apiUrl}/bulkthings`, 'POST', {
    provisioningTemplateId: 'bench-thing',
    inputFile: { bucket: config.templates.bucket, key },
  });
  const url = `${apiUrl}/bulkthings/${String(task.taskId)}`;
  const planStart = performance.now();
  await until(url, (t) => t.status === 'InProgress' && t.totalCount === size);
  const planSeconds = (performance.now() - planStart) / 1000;
  await until(url, (t) => Number(t.successCount) >= 200);
  await call(`${url}/cancel`, 'POST');
  memory.push({
    lines: size,
    'input MB': Math.round(body.length / 1e5) / 10,
    'plan s': Math.round(planSeconds * 10) / 10,
    'worker peak RSS MB': mb(worker.pid),
    'API peak RSS MB': mb(api.pid),
  });
  await worker.stop();
}

console.log(
  `bulk benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
);
console.table([throughput]);
console.table(memory);
await api.stop();
await bench.stop();
