import { randomUUID } from 'node:crypto';
import { bootstrap } from '../infra/bootstrap.js';
import { bootstrapSampleCas } from '../infra/bootstrap-ca.js';
import { startMoto } from '../infra/moto.mjs';
import { createAwsClients, clientOptionsFrom } from '../src/aws/clients.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { PrometheusMetrics } from '../src/metrics/prometheus-metrics.js';
import { runTask } from '../src/provisioning/run-task.js';
import { createWorkerServices } from '../workers/compose.js';
import { newTask } from '../src/tasks/new-task.js';
import type { CdfProvisioningParameters } from '../src/tasks/request.js';

/**
 * Devices per second for each certificate mode, worker path only (task recorded, then run in this
 * process, no queue), on moto. A rough per-mode note, not a benchmark of AWS: moto is one Python
 * process and dominates. The crypto layer's own rates are in bench/certificates.ts.
 *
 *   npx tsx bench/certificate-modes.ts [devices per mode=50] [concurrency=8]
 */
const perMode = Number(process.argv[2] ?? 50);
const concurrency = Number(process.argv[3] ?? 8);

const moto = await startMoto();
const config = loadConfig({
  ...process.env,
  AWS_ENDPOINT_URL: moto.endpoint,
  RESULTS_KMS_KEY_ID: 'alias/bench',
  LOG_LEVEL: 'warn',
  IOT_TPS: '1000',
});
const clients = createAwsClients(clientOptionsFrom(config));
await bootstrap(clients, config, { cas: false });
const cas = await bootstrapSampleCas(clients, config);
const services = await createWorkerServices(config, {
  clients,
  logger: createLogger({ level: 'warn' }),
  metrics: new PrometheusMetrics(),
});

const certInfo = { country: 'US', commonName: 'bench' };
const modes: [string, string, CdfProvisioningParameters | undefined][] = [
  ['createDeviceAWSCertificate', 'aws-certificate', undefined],
  [
    'createDeviceCertificate, RSA CA, RSA-2048 key',
    'create-device-certificate',
    { caId: cas.rsaCaId, certInfo },
  ],
  [
    'createDeviceCertificate, EC CA, EC-P256 key',
    'create-device-certificate',
    { caId: cas.ecCaId, certInfo, keyAlgorithm: 'EC-P256' },
  ],
  [
    'acmpca REGISTER_WITHOUT_CA, EC-P256 key',
    'acmpca-without-ca',
    { acmpcaCaAlias: 'myalias', certInfo, keyAlgorithm: 'EC-P256' },
  ],
  [
    'acmpca REGISTER_WITH_CA, EC-P256 key',
    'acmpca-with-ca',
    { acmpcaCaAlias: 'myalias1', awsiotCaAlias: 'myalias2', certInfo, keyAlgorithm: 'EC-P256' },
  ],
];

for (const [name, templateId, cdfProvisioningParameters] of modes) {
  const taskIds: string[] = [];
  for (let i = 0; i < perMode; i++) {
    const taskId = randomUUID();
    const request = {
      provisioningTemplateId: templateId,
      parameters: { ThingName: `bench-${taskId}` },
      ...(cdfProvisioningParameters === undefined ? {} : { cdfProvisioningParameters }),
    };
    await services.tasks.create(newTask(taskId, request, { source: 'api', ttlSeconds: 3600 }));
    taskIds.push(taskId);
  }
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < taskIds.length) {
        const task = await runTask(taskIds[next++] ?? '', services);
        if (task.status !== 'SUCCEEDED') throw new Error(`${name}: ${JSON.stringify(task.error)}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${name.padEnd(48)} ${(perMode / seconds).toFixed(1).padStart(6)} devices/s\n`);
}

services.close();
clients.destroy();
await moto.stop();
