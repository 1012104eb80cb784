import { describe, expect, it } from '@jest/globals';
import { createApp } from '../../api/app.js';
import { startServer } from '../../api/server.js';
import { createAwsClients } from '../../src/aws/clients.js';
import { readinessCheck } from '../../src/health/readiness.js';
import { allResults, pollBulk } from '../support/bulk.js';
import { provisionNow, request } from '../support/http.js';
import { metricSum } from '../support/metrics.js';
import { useStack } from '../support/stack.js';

/** What an operator reads: GET /metrics, GET /health and /health/ready. */
const env = useStack({ api: true, workers: true, templates: ['fails-at-policy', 'thing-only'] });

const scrape = async () => {
  const res = await fetch(`${env.api.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
};

describe('GET /metrics', () => {
  it('counters move by exactly the devices provisioned and failed, bulk devices included', async () => {
    const before = await scrape();
    const aws = { template: 'aws-certificate', mode: 'createDeviceAWSCertificate' };
    const thingOnly = { template: 'thing-only', mode: 'none' };

    for (const name of ['met-1', 'met-2', 'met-3']) {
      const res = await provisionNow(env.api.url, {
        provisioningTemplateId: 'aws-certificate',
        parameters: { ThingName: name },
      });
      expect(res.status).toBe(201);
    }
    const failed = await provisionNow(env.api.url, {
      provisioningTemplateId: 'fails-at-policy',
      parameters: { ThingName: 'met-4' },
    });
    expect(failed.body).toMatchObject({ code: 'POLICY_NOT_FOUND' });
    const bulk = await request(env.api.url, 'POST', '/bulkthings', {
      body: {
        provisioningTemplateId: 'thing-only',
        parameters: [{ ThingName: 'met-5' }, { ThingName: 'met-6' }],
      },
    });
    await pollBulk(env.api.url, String(bulk.body.taskId));
    expect((await allResults(env.api.url, String(bulk.body.taskId))).map((r) => r.status)).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
    ]);

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string>) =>
      metricSum(after, name, labels) - metricSum(before, name, labels);
    expect(moved('provisioning_devices_provisioned_total', aws)).toBe(3);
    expect(moved('provisioning_devices_provisioned_total', thingOnly)).toBe(2);
    expect(
      moved('provisioning_devices_failed_total', {
        template: 'fails-at-policy',
        mode: 'createDeviceAWSCertificate',
        code: 'POLICY_NOT_FOUND',
      }),
    ).toBe(1);
    expect(
      moved('provisioning_task_duration_seconds_count', { template: 'aws-certificate', status: 'SUCCEEDED' }),
    ).toBe(3);
    expect(moved('provisioning_bulk_devices_total', { status: 'SUCCEEDED' })).toBe(2);
    expect(moved('provisioning_bulk_task_devices_per_second_count', { template: 'thing-only' })).toBe(1);
    expect(moved('provisioning_queue_wait_seconds_count', { queue: 'requests' })).toBeGreaterThanOrEqual(4);
    // Queue depths are read from SQS at scrape time.
    expect(after).toMatch(/^provisioning_queue_messages\{queue="requests",state="visible"\} \d+$/m);
  });
});

describe('health', () => {
  it('GET /health answers without calling anything; /health/ready checks each dependency', async () => {
    expect(await request(env.api.url, 'GET', '/health')).toMatchObject({
      status: 200,
      body: { status: 'ok' },
    });
    expect(await request(env.api.url, 'GET', '/health/ready')).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { table: 'ok', queues: 'ok', bucket: 'ok', kms: 'ok' } },
    });
  });

  it('readiness names the dependency that is down, and nothing about it', async () => {
    // KMS behind an endpoint where nothing listens: the others are the stack's own.
    const dead = createAwsClients({
      region: env.stack.config.region,
      endpoint: 'http://127.0.0.1:9',
      maxAttempts: 1,
    });
    const services = {
      ...env.stack.services,
      readiness: readinessCheck({
        ...env.stack.services,
        clients: { ...env.stack.clients, kms: dead.kms },
        queueNames: [env.stack.config.queues.requests, env.stack.config.queues.bulk],
        timeoutMs: 1_000,
      }),
    };
    const server = await startServer(createApp(services), 0);
    try {
      const res = await request(server.url, 'GET', '/health/ready');
      expect(res).toMatchObject({
        status: 503,
        body: { status: 'not-ready', checks: { table: 'ok', queues: 'ok', bucket: 'ok', kms: 'down' } },
      });
      const text = JSON.stringify(res.body);
      for (const secret of [env.stack.config.tableName, 'alias/', '127.0.0.1', 'ECONNREFUSED'])
        expect(text).not.toContain(secret);
      expect(env.stack.logs()).toContain('readiness check failed');
    } finally {
      await server.close();
      dead.destroy();
    }
  });
});
