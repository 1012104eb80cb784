import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListThingPrincipalsCommand } from '@aws-sdk/client-iot';
import { isLineOutcome } from '../../src/bulk/model.js';
import { submitInline } from '../support/bulk.js';
import { createTestStack, type TestStack } from '../support/stack.js';
import { thingExists } from '../support/iot-registry.js';
import { killWorkerMidTask } from '../support/worker-crash.js';
import type { WorkerProcess } from '../support/worker-process.js';

let stack: TestStack;
const running: WorkerProcess[] = [];

beforeAll(async () => {
  // A short lease, so the killed worker's tasks are taken over quickly.
  stack = await createTestStack({
    BULK_CHUNK_SIZE: '5',
    BULK_CHUNKS_IN_FLIGHT: '3',
    TASK_LEASE_SECONDS: '5',
    // A device whose certificate create was cut off by the kill waits this long before its next
    // delivery removes what that create may have made and creates again (120 s by default).
    CERTIFICATE_SETTLE_SECONDS: '3',
    LOG_LEVEL: 'info',
  });
});
afterAll(async () => {
  for (const w of running) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  await Promise.all(running.map((w) => w.exited));
  await stack.close();
});

describe('a worker killed (SIGKILL) in the middle of a bulk task', () => {
  it('is replaced, and the task ends with exact counts, one thing and one certificate per device', async () => {
    const total = 24;
    const parameters = Array.from({ length: total }, (_, i) => ({ ThingName: `crash-${i}` }));
    const task = await submitInline(
      { provisioningTemplateId: 'aws-certificate', parameters },
      stack.services,
    );

    const done = await killWorkerMidTask(stack, task.taskId, running, {
      killAfter: 3,
      progressMs: 90_000,
      endMs: 90_000,
    });

    expect(done).toMatchObject({
      status: 'Completed',
      totalCount: total,
      successCount: total,
      failureCount: 0,
    });
    const page = await stack.services.bulk.results(task.taskId, { limit: 100 });
    expect(page.lines).toHaveLength(total);
    for (const device of page.lines) {
      if (isLineOutcome(device)) throw new Error(`line ${device.line} never became a device`);
      expect(device.status).toBe('SUCCEEDED');
      const thingName = device.checkpoint.thing?.thingName ?? '';
      expect(await thingExists(stack.clients.iot, thingName)).toBe(true);
      const principals = await stack.clients.iot.send(new ListThingPrincipalsCommand({ thingName }));
      expect(principals.principals).toEqual([device.checkpoint.certificate?.certificateArn]);
    }
  }, 150_000);
});
