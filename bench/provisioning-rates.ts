import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
} from '@aws-sdk/client-iot';
import { readFileSync } from 'node:fs';
import type { AwsClients } from '../src/aws/clients.js';
import { procStats } from './proc-stats.js';

/**
 * How fast the `aws-certificate` template provisions on the local emulator, one device at a time
 * and in bulk, with the emulator's CPU per device: through the service, and as a bare SDK script
 * making only the template's IoT calls (no table, no queue, no key sealing). The difference is what
 * the service's own traffic costs the emulator, the local ceiling.
 */
export interface Rates {
  singlePerSecond: number;
  singleEmulatorCpuMs: number;
  bulkPerSecond: number;
  bulkEmulatorCpuMs: number;
}

const SINGLE = 30;
const BULK = 200;
/** The service's bulk concurrency by default: BULK_CHUNKS_IN_FLIGHT (4) × BULK_LINE_CONCURRENCY (8). */
const BULK_CONCURRENCY = 32;

const AWS_CERTIFICATE_POLICY = JSON.parse(
  readFileSync(new URL('../infra/templates/aws-certificate.json', import.meta.url), 'utf8'),
) as { Resources: { policy: { Properties: { PolicyDocument: string } } } };

async function measured(motoPid: number, devices: number, work: () => Promise<void>) {
  const cpuBefore = procStats(motoPid).cpuMs;
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  return {
    perSecond: Math.round((devices / seconds) * 10) / 10,
    emulatorCpuMs: Math.round((procStats(motoPid).cpuMs - cpuBefore) / devices),
  };
}

async function json(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function serviceRates(api: string, _clients: AwsClients, motoPid: number): Promise<Rates> {
  const run = Date.now().toString(36);
  const single = await measured(motoPid, SINGLE, async () => {
    for (let i = 0; i < SINGLE; i++) {
      let { status, body } = await json(`${api}/things`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', prefer: 'wait=25' },
        body: JSON.stringify({
          provisioningTemplateId: 'aws-certificate',
          parameters: { ThingName: `rate-one-${run}-${i}` },
        }),
      });
      while (status === 202) {
        await new Promise((r) => setTimeout(r, 200));
        ({ body } = await json(`${api}/provisioningtasks/${String(body.taskId)}`));
        status = body.status === 'SUCCEEDED' ? 201 : body.status === 'FAILED' ? 500 : 202;
      }
      if (status !== 201) throw new Error(`rate run: HTTP ${status} ${JSON.stringify(body)}`);
    }
  });
  const bulk = await measured(motoPid, BULK, async () => {
    const { body } = await json(`${api}/bulkthings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        provisioningTemplateId: 'aws-certificate',
        parameters: Array.from({ length: BULK }, (_, i) => ({ ThingName: `rate-bulk-${run}-${i}` })),
      }),
    });
    for (;;) {
      const task = (await json(`${api}/bulkthings/${String(body.taskId)}`)).body;
      if (task.status === 'Completed') return;
      if (['CompletedWithFailures', 'Failed', 'Cancelled'].includes(String(task.status)))
        throw new Error(`bulk rate run: ${JSON.stringify(task)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });
  return {
    singlePerSecond: single.perSecond,
    singleEmulatorCpuMs: single.emulatorCpuMs,
    bulkPerSecond: bulk.perSecond,
    bulkEmulatorCpuMs: bulk.emulatorCpuMs,
  };
}

/** The template's IoT calls for one device, and nothing else. */
async function bareDevice(clients: AwsClients, thingName: string, policyName: string): Promise<void> {
  const { iot } = clients;
  const made = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  await iot.send(
    new CreateThingCommand({
      thingName,
      thingTypeName: 'sample-device',
      attributePayload: { attributes: { serialNumber: 'unknown' } },
    }),
  );
  await iot.send(new AddThingToThingGroupCommand({ thingName, thingGroupName: 'sample-fleet' }));
  await iot.send(new AttachPolicyCommand({ policyName, target: made.certificateArn }));
  await iot.send(new AttachThingPrincipalCommand({ thingName, principal: made.certificateArn }));
}

export async function bareSdkRates(clients: AwsClients, motoPid: number): Promise<Rates> {
  const run = Date.now().toString(36);
  const policyName = `bare-sdk-${run}`;
  await clients.iot.send(
    new CreatePolicyCommand({
      policyName,
      policyDocument: AWS_CERTIFICATE_POLICY.Resources.policy.Properties.PolicyDocument,
    }),
  );
  const single = await measured(motoPid, SINGLE, async () => {
    for (let i = 0; i < SINGLE; i++) await bareDevice(clients, `bare-one-${run}-${i}`, policyName);
  });
  let next = 0;
  const bulk = await measured(motoPid, BULK, async () => {
    await Promise.all(
      Array.from({ length: BULK_CONCURRENCY }, async () => {
        while (next < BULK) await bareDevice(clients, `bare-bulk-${run}-${next++}`, policyName);
      }),
    );
  });
  return {
    singlePerSecond: single.perSecond,
    singleEmulatorCpuMs: single.emulatorCpuMs,
    bulkPerSecond: bulk.perSecond,
    bulkEmulatorCpuMs: bulk.emulatorCpuMs,
  };
}
