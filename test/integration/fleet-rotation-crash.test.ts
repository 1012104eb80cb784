import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  RegisterCertificateWithoutCACommand,
} from '@aws-sdk/client-iot';
import { bootstrapSampleCas } from '../../infra/bootstrap-ca.js';
import { isLineOutcome } from '../../src/bulk/model.js';
import { submitFleetRotation } from '../../src/rotation/submit-fleet-rotation.js';
import { pemValidFor } from '../support/inventory.js';
import { principalsOf } from '../support/iot-registry.js';
import { unique } from '../support/names.js';
import { createTestStack, type TestStack } from '../support/stack.js';
import { killWorkerMidTask } from '../support/worker-crash.js';
import type { WorkerProcess } from '../support/worker-process.js';

let stack: TestStack;
const running: WorkerProcess[] = [];
const SIZE = 500;
const groupName = unique('crash-fleet');
const old = new Map<string, string>();
let caId: string;

beforeAll(async () => {
  stack = await createTestStack({
    BULK_CHUNK_SIZE: '25',
    BULK_CHUNKS_IN_FLIGHT: '4',
    // A short lease, so the killed worker's devices are taken over quickly.
    TASK_LEASE_SECONDS: '5',
    CERTIFICATE_SETTLE_SECONDS: '3',
    LOG_LEVEL: 'info',
  });
  const iot = stack.clients.iot;
  const policyName = unique('crash-fleet-policy');
  await iot.send(
    new CreatePolicyCommand({
      policyName,
      policyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }],
      }),
    }),
  );
  await iot.send(new CreateThingGroupCommand({ thingGroupName: groupName }));
  caId = (await bootstrapSampleCas(stack.clients, stack.config)).ecCaId;
  // A fleet made with AWS IoT's own calls, eight devices at a time. Certificates made here (EC)
  // and registered, and new ones signed by the service's own CA: the emulator makes no RSA keys.
  const names = Array.from({ length: SIZE }, (_, i) => `${groupName}-${i}`);
  const make = async (thingName: string) => {
    await iot.send(new CreateThingCommand({ thingName }));
    const cert = await iot.send(
      new RegisterCertificateWithoutCACommand({ certificatePem: await pemValidFor(30), status: 'ACTIVE' }),
    );
    const principal = cert.certificateArn ?? '';
    await iot.send(new AttachPolicyCommand({ policyName, target: principal }));
    await iot.send(new AttachThingPrincipalCommand({ thingName, principal }));
    await iot.send(new AddThingToThingGroupCommand({ thingGroupName: groupName, thingName }));
    old.set(thingName, principal);
  };
  for (let i = 0; i < names.length; i += 8) await Promise.all(names.slice(i, i + 8).map(make));
}, 240_000);

afterAll(async () => {
  for (const w of running) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  await Promise.all(running.map((w) => w.exited));
  await stack.close();
});

describe('a worker killed (SIGKILL) in the middle of a fleet rotation of a 500-thing group', () => {
  it('is replaced, and the rotation ends with exact counts and one new certificate per device', async () => {
    const { task } = await submitFleetRotation(
      {
        thingGroupName: groupName,
        mode: 'own-ca',
        cdfProvisioningParameters: { caId, keyAlgorithm: 'EC-P256' },
        retireOldCertificate: 'never',
      },
      {},
      stack.services.fleetRotations,
    );

    const done = await killWorkerMidTask(stack, task.taskId, running, {
      killAfter: 40,
      progressMs: 180_000,
      endMs: 400_000,
    });

    expect(done).toMatchObject({
      status: 'Completed',
      totalCount: SIZE,
      successCount: SIZE,
      failureCount: 0,
    });
    const page = await stack.services.bulk.results(task.taskId, { limit: 1000 });
    expect(page.lines).toHaveLength(SIZE);
    for (const device of page.lines) {
      if (isLineOutcome(device))
        throw new Error(`line ${device.line} was not rotated: ${JSON.stringify(device)}`);
      expect(device.status).toBe('SUCCEEDED');
      const thingName = device.rotation?.thingName ?? '';
      const replaced = old.get(thingName);
      expect(device.rotation?.replaces.certificateArn).toBe(replaced);
      // Exactly the old certificate (kept: "never") and the one new one: no second new identity.
      const fresh = device.checkpoint.certificate?.certificateArn;
      expect(fresh).toBeDefined();
      expect((await principalsOf(stack.clients.iot, thingName)).sort()).toEqual([replaced, fresh].sort());
    }
  }, 600_000);
});
