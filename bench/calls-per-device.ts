import { RegisterCertificateWithoutCACommand } from '@aws-sdk/client-iot';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { bootstrapSampleCas } from '../infra/bootstrap-ca.js';
import type { AwsClients } from '../src/aws/clients.js';
import {
  createCsr,
  generateDeviceKeyPair,
  issueDeviceCertificate,
  loadCaSigner,
} from '../src/certificates/index.js';
import { createSelfSignedCa } from '../src/provisioning/ca/self-signed-ca.js';
import type { ProvisionRequest } from '../src/tasks/request.js';
import { rowOf, type Row } from './call-counts.js';
import { countedStack } from './counted-stack.js';
import { bareSdkRates, serviceRates, type Rates } from './provisioning-rates.js';

/**
 * Every request the emulator receives per device, for each sample template (infra/templates),
 * through the HTTP API (`POST /things` with `Prefer: wait=25`) and the queue worker, one device at
 * a time behind a counting proxy: IoT calls by operation, DynamoDB reads, writes and write units
 * (from item sizes before and after each write), SQS, S3, KMS. A first device per template is not
 * counted (template, data key, account id and shared-policy look-ups are per process). Then the
 * local ceiling: the service's rate against a bare SDK script making the same IoT calls.
 *
 *   npx tsx bench/calls-per-device.ts [devices per template=10] [--out after.json] [--before before.json]
 *   npx tsx bench/calls-per-device.ts --render before.json after.json
 *
 * With `--before`, each row shows `before → after` from an earlier run's `--out` file; `--render`
 * prints that comparison from two such files without running anything.
 */
const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const devices = Number(args.find((a) => /^\d+$/.test(a)) ?? 10);
const outFile = option('--out');
const beforeFile = option('--before');

const COLUMNS: [keyof Omit<Row, 'template' | 'iotCalls'>, string][] = [
  ['iot', 'IoT'],
  ['dynamoReads', 'DynamoDB reads'],
  ['dynamoWrites', 'DynamoDB writes'],
  ['writeUnits', 'write units'],
  ['sqs', 'SQS'],
  ['s3', 'S3'],
  ['kms', 'KMS'],
  ['acmPca', 'ACM PCA'],
];

interface Result {
  date: string;
  machine: string;
  devicesPerTemplate: number;
  rows: Row[];
  rates: { service: Rates; bare: Rates };
}
const readResult = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Result;

const stack = countedStack();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stack.stop().finally(() => process.exit(130));
  });
}

const render = option('--render');
if (render !== undefined) {
  const before = readResult(render);
  const after = readResult(args[args.indexOf('--render') + 2] ?? '');
  process.stdout.write(report(after.rows, before.rows) + ratesReport(after.rates, before.rates));
  process.exit(0);
}

try {
  const { api, clients, proxy, motoPid, cas } = await stack.start();

  const requests = await deviceRequests(clients, cas);
  const rows: Row[] = [];
  for (const [template, request] of Object.entries(requests)) {
    await provision(api, await request(-1));
    const made = await Promise.all(Array.from({ length: devices }, (_, i) => request(i)));
    proxy.reset();
    proxy.counting = true;
    for (const body of made) await provision(api, body);
    // The worker deletes the message (and publishes the event) after the device is done.
    await Promise.race([proxy.next('sqs:DeleteMessageBatch'), new Promise((r) => setTimeout(r, 3000))]);
    proxy.counting = false;
    rows.push(rowOf(template, proxy.counts(), proxy.writeUnits(), devices));
    process.stderr.write(`${template}: done\n`);
  }

  const rates = {
    service: await serviceRates(api, clients, motoPid),
    bare: await bareSdkRates(clients, motoPid),
  };
  const result: Result = {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
    devicesPerTemplate: devices,
    rows,
    rates,
  };
  if (outFile !== undefined) writeFileSync(outFile, JSON.stringify(result, null, 2));
  const before = beforeFile === undefined ? undefined : readResult(beforeFile);
  process.stdout.write(report(result.rows, before?.rows));
  process.stdout.write(ratesReport(rates, before?.rates));
} finally {
  await stack.stop();
}

/** One request per device for each sample template, made before counting starts. */
async function deviceRequests(
  aws: AwsClients,
  cas: Awaited<ReturnType<typeof bootstrapSampleCas>>,
): Promise<Record<string, (i: number) => Promise<ProvisionRequest>>> {
  const run = Date.now().toString(36);
  const thing = (template: string, i: number) => `calls-${template}-${run}-${i < 0 ? 'warm' : i}`;
  const certInfo = (i: number) => ({ country: 'US', commonName: `calls-${i}` });
  const caKey = await generateDeviceKeyPair('EC-P256');
  const caPem = createSelfSignedCa(
    caKey.privateKeyPem,
    { country: 'US', commonName: 'bench CA' },
    { days: 365 },
  );
  const signer = loadCaSigner(caPem, caKey.privateKeyPem);
  const deviceCertificate = async (i: number) => {
    const key = await generateDeviceKeyPair('EC-P256');
    return issueDeviceCertificate(signer, { publicKey: key.publicKeyPem, subject: certInfo(i), days: 30 });
  };
  const simple = (template: string) => (i: number) =>
    Promise.resolve({ provisioningTemplateId: template, parameters: { ThingName: thing(template, i) } });
  return {
    'aws-certificate': (i) =>
      Promise.resolve({
        provisioningTemplateId: 'aws-certificate',
        parameters: { ThingName: thing('aws-certificate', i), SerialNumber: `SN-${i}` },
      }),
    'additional-policies': simple('additional-policies'),
    'policy-per-device': simple('policy-per-device'),
    'add-thing-to-group': simple('add-thing-to-group'),
    'create-device-certificate': (i) =>
      Promise.resolve({
        provisioningTemplateId: 'create-device-certificate',
        parameters: { ThingName: thing('create-device-certificate', i) },
        cdfProvisioningParameters: { caId: cas.rsaCaId, certInfo: certInfo(i) },
      }),
    'register-without-ca': async (i) => ({
      provisioningTemplateId: 'register-without-ca',
      parameters: { ThingName: thing('register-without-ca', i) },
      cdfProvisioningParameters: { certificatePem: await deviceCertificate(i) },
    }),
    'acmpca-without-ca': (i) =>
      Promise.resolve({
        provisioningTemplateId: 'acmpca-without-ca',
        parameters: { ThingName: thing('acmpca-without-ca', i) },
        cdfProvisioningParameters: { acmpcaCaAlias: 'myalias', certInfo: certInfo(i) },
      }),
    'acmpca-with-ca': (i) =>
      Promise.resolve({
        provisioningTemplateId: 'acmpca-with-ca',
        parameters: { ThingName: thing('acmpca-with-ca', i) },
        cdfProvisioningParameters: {
          acmpcaCaAlias: 'myalias1',
          awsiotCaAlias: 'myalias2',
          certInfo: certInfo(i),
        },
      }),
    'device-csr': async (i) => {
      const key = await generateDeviceKeyPair('EC-P256');
      return {
        provisioningTemplateId: 'device-csr',
        parameters: { ThingName: thing('device-csr', i), CSR: createCsr(key.privateKeyPem, certInfo(i)) },
      };
    },
    'existing-certificate': async (i) => {
      const out = await aws.iot.send(
        new RegisterCertificateWithoutCACommand({
          certificatePem: await deviceCertificate(i),
          status: 'ACTIVE',
        }),
      );
      return {
        provisioningTemplateId: 'existing-certificate',
        parameters: { ThingName: thing('existing-certificate', i), CertificateId: out.certificateId ?? '' },
      };
    },
  };
}

/** One device through the API: `Prefer: wait`, then polling if it outlives the wait. */
async function provision(api: string, body: ProvisionRequest): Promise<void> {
  const res = await fetch(`${api}/things`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', prefer: 'wait=25' },
    body: JSON.stringify(body),
  });
  let answer = (await res.json()) as { taskId?: string; status?: string; code?: string };
  let status = res.status;
  while (status === 202) {
    await new Promise((r) => setTimeout(r, 500));
    const poll = await fetch(`${api}/provisioningtasks/${answer.taskId ?? ''}`);
    answer = (await poll.json()) as typeof answer;
    status = answer.status === 'SUCCEEDED' ? 201 : answer.status === 'FAILED' ? 500 : 202;
  }
  if (status !== 201)
    throw new Error(`${body.provisioningTemplateId}: HTTP ${status} ${JSON.stringify(answer)}`);
}

function report(rows: Row[], before: Row[] | undefined): string {
  const cell = (row: Row, key: (typeof COLUMNS)[number][0]) => {
    const old =
      before?.find((b) => b.template === row.template)?.[key] ?? (before === undefined ? undefined : 0);
    return old === undefined ? `${row[key]}` : `${old} → ${row[key]}`;
  };
  const lines = [
    `| template | ${COLUMNS.map(([, title]) => title).join(' | ')} |`,
    `| --- | ${COLUMNS.map(() => '---:').join(' | ')} |`,
    ...rows.map((row) => `| \`${row.template}\` | ${COLUMNS.map(([key]) => cell(row, key)).join(' | ')} |`),
    '',
    'IoT calls per device, by operation:',
    '',
    ...rows.map((row) => {
      const old = before?.find((b) => b.template === row.template)?.iotCalls ?? {};
      const names = [...new Set([...Object.keys(old), ...Object.keys(row.iotCalls)])].sort();
      const calls = names.map((n) =>
        before === undefined
          ? `${n} ${row.iotCalls[n] ?? 0}`
          : `${n} ${old[n] ?? 0} → ${row.iotCalls[n] ?? 0}`,
      );
      return `- \`${row.template}\`: ${calls.join(', ')}`;
    }),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

function ratesReport(rates: { service: Rates; bare: Rates }, before: { service: Rates } | undefined): string {
  const line = (name: string, r: Rates, old?: Rates) => {
    const show = (key: keyof Rates) => (old === undefined ? `${r[key]}` : `${old[key]} → ${r[key]}`);
    return `| ${name} | ${show('singlePerSecond')} | ${show('singleEmulatorCpuMs')} | ${show('bulkPerSecond')} | ${show('bulkEmulatorCpuMs')} |`;
  };
  return [
    '| aws-certificate | one at a time: devices/s | emulator CPU ms/device | bulk: devices/s | emulator CPU ms/device |',
    '| --- | ---: | ---: | ---: | ---: |',
    line('the service', rates.service, before?.service),
    line('bare SDK, same IoT calls', rates.bare),
    '',
  ].join('\n');
}
