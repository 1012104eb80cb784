import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningWorkers } from '../../workers/start-consumers.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { thingExists } from '../support/iot-registry.js';
import { metricSum, metricsText } from '../support/metrics.js';
import { waitFor } from '../support/wait.js';
import { submitInline } from '../support/bulk.js';
import { createTestStack, type TestStack } from '../support/stack.js';
import { putTemplate } from '../support/templates.js';

let proxy: FaultProxy;
let stack: TestStack;
let workers: RunningWorkers;

beforeAll(async () => {
  // Throttling starts once the stack is set up: the test is about the bulk task, not bootstrap.
  proxy = await startFaultProxy(process.env.AWS_ENDPOINT_URL ?? '', { service: 'iot' });
  stack = await createTestStack({ AWS_ENDPOINT_URL: proxy.url, BULK_CHUNK_SIZE: '5' });
  await putTemplate(stack, 'thing-only');
  workers = stack.startWorkers();
  proxy.throttleEvery(4);
});
afterAll(async () => {
  await workers.stop();
  await stack.close();
  await proxy.close();
});

describe('IoT throttling during a bulk task', () => {
  it('slows the task down but fails no device', async () => {
    const total = 12;
    const parameters = Array.from({ length: total }, (_, i) => ({ ThingName: `throttled-${i}` }));
    const task = await submitInline({ provisioningTemplateId: 'thing-only', parameters }, stack.services);
    const current = await waitFor(
      'the throttled bulk task to finish',
      () => stack.services.bulk.get(task.taskId),
      (t) => t?.status === 'Completed' || t?.status === 'CompletedWithFailures',
      90_000,
    );
    expect(current).toMatchObject({ status: 'Completed', successCount: total, failureCount: 0 });
    // 12 devices make at least 24 IoT calls (DescribeThing, CreateThing): 6 or more were refused.
    expect(proxy.injected()).toBeGreaterThanOrEqual(6);
    // Each refusal is counted as a throttle, and retried (an attempt beyond the first).
    const metrics = await metricsText(stack);
    expect(metricSum(metrics, 'provisioning_iot_throttled_total')).toBe(proxy.injected());
    expect(metricSum(metrics, 'provisioning_iot_retries_total')).toBeGreaterThanOrEqual(proxy.injected());
    for (let i = 0; i < total; i++) expect(await thingExists(stack.clients.iot, `throttled-${i}`)).toBe(true);
  });
});
