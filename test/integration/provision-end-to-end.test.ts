import { describe, expect, it } from '@jest/globals';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { SAMPLE_IOT } from '../../infra/bootstrap.js';
import { useStack } from '../support/stack.js';
import { completionEvents } from '../support/tasks.js';
import { pollTask, request } from '../support/http.js';
import { certificateStatus, thingState } from '../support/iot-registry.js';

const env = useStack({ api: true, workers: true });

describe('POST /things → worker → GET /provisioningtasks/{id}', () => {
  it('provisions a thing, an AWS-made certificate and a policy, and returns the key', async () => {
    const submitted = await request(env.api.url, 'POST', '/things', {
      body: {
        provisioningTemplateId: 'aws-certificate',
        parameters: { ThingName: 'e2e-pump-1', SerialNumber: 'SN-1' },
      },
    });
    expect(submitted.status).toBe(202);
    const taskId = String(submitted.body.taskId);
    expect(submitted.headers.get('location')).toBe(`/provisioningtasks/${taskId}`);

    const task = await pollTask(env.api.url, taskId);
    expect(task).toMatchObject({ taskId, status: 'SUCCEEDED' });
    const arns = task.resourceArns as Record<string, string>;
    expect(Object.keys(arns).sort()).toEqual(['certificate', 'policy', 'policyLogicalName', 'thing']);
    // AWS IoT signed the certificate: its chain is Amazon's, which the service does not know.
    expect(task).not.toHaveProperty('certificateChainPem');

    const state = await thingState(env.stack.clients.iot, 'e2e-pump-1');
    expect(state.thing.attributes).toEqual({ serialNumber: 'SN-1' });
    expect(state.thing.thingTypeName).toBe(SAMPLE_IOT.thingType);
    expect(state.groups).toEqual([SAMPLE_IOT.thingGroup]);
    expect(state.principals).toEqual([arns.certificate]);
    expect(state.policies).toEqual([[arns.policy?.split('/').pop()]]);
    expect(arns.thing).toBe(state.thing.thingArn);

    const certificateId = String(arns.certificate).split('/').pop() ?? '';
    expect(await certificateStatus(env.stack.clients.iot, certificateId)).toBe('ACTIVE');
    // The key we hand out is the certificate's key.
    const certificate = new X509Certificate(String(task.certificatePem));
    const publicFromKey = createPublicKey(createPrivateKey(String(task.privateKey))).export({
      type: 'spki',
      format: 'der',
    });
    expect(Buffer.compare(publicFromKey, certificate.publicKey.export({ type: 'spki', format: 'der' }))).toBe(
      0,
    );
  });

  it('answers 201 with the ProvisionResponse when Prefer: wait covers the work', async () => {
    const res = await request(env.api.url, 'POST', '/things', {
      body: { provisioningTemplateId: 'aws-certificate', parameters: { ThingName: 'e2e-pump-2' } },
      headers: { prefer: 'wait=20', accept: 'application/vnd.aws-cdf-v1.0+json' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toContain('application/vnd.aws-cdf-v1.0+json');
    expect(res.headers.get('preference-applied')).toBe('wait=20');
    expect(res.body.certificatePem).toContain('BEGIN CERTIFICATE');
    expect(res.body.privateKey).toContain('PRIVATE KEY');
    expect(res.body).not.toHaveProperty('certificateChainPem');
    expect((res.body.resourceArns as Record<string, string>).thing).toMatch(/:thing\/e2e-pump-2$/);
  });

  it('publishes a completion event without secrets', async () => {
    const events = await completionEvents(env.stack);
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (const event of events) {
      expect(event).toMatchObject({ type: 'provisioning.task.finished', status: 'SUCCEEDED' });
      expect(JSON.stringify(event)).not.toContain('PRIVATE KEY');
    }
  });

  it('keeps private keys out of the table and the logs', async () => {
    const items = await env.stack.clients.dynamo.send(
      new ScanCommand({ TableName: env.stack.config.tableName }),
    );
    expect(items.Items?.length).toBeGreaterThanOrEqual(2);
    expect(items.Items?.some((i) => i.privateKey !== undefined)).toBe(true);
    expect(JSON.stringify(items.Items)).not.toContain('PRIVATE KEY');
    expect(env.stack.logs()).toContain('task succeeded');
    expect(env.stack.logs()).not.toContain('PRIVATE KEY');
  });
});
