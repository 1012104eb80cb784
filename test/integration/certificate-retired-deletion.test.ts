import { describe, expect, it } from '@jest/globals';
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DescribeCertificateCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { lifecycleRuntime } from '../../workers/lifecycle-compose.js';
import { addCertificate, provisionWithPem } from '../support/inventory.js';
import { policyExists, resourceExists } from '../support/iot-registry.js';
import { request } from '../support/http.js';
import { unique } from '../support/names.js';
import { useStack } from '../support/stack.js';

/** RETIRED_CERTIFICATE_DELETE_DAYS=0: a retired certificate is deleted at the next tick. */
const env = useStack({
  templates: ['certificate-pem'],
  api: true,
  env: { RETIRED_CERTIFICATE_DELETE_DAYS: '0', FEATURES_DELETE_POLICIES: 'true' },
});

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }],
});

async function tick(): Promise<void> {
  const { stack } = env;
  const runtime = lifecycleRuntime({
    config: stack.config,
    clients: stack.clients,
    logger: stack.services.logger,
    gauge: { report: () => undefined },
  });
  await runtime.tick(Date.now() + 60_000);
}

const exists = (certificateId: string) =>
  resourceExists(() => env.stack.clients.iot.send(new DescribeCertificateCommand({ certificateId })));

describe('deleting retired certificates', () => {
  it('deletes it after the configured period, with the policies only it used; a shared policy stays', async () => {
    const { stack } = env;
    const { iot } = stack.clients;
    const thingName = unique('del');
    const old = await provisionWithPem(stack, thingName, 40);
    const replacement = await addCertificate(stack, thingName, 400);
    const own = unique('own-policy');
    const shared = unique('shared-policy');
    for (const policyName of [own, shared]) {
      await iot.send(new CreatePolicyCommand({ policyName, policyDocument: POLICY }));
    }
    await iot.send(new AttachPolicyCommand({ policyName: own, target: old.certificateArn }));
    await iot.send(new AttachPolicyCommand({ policyName: shared, target: old.certificateArn }));
    await iot.send(new AttachPolicyCommand({ policyName: shared, target: replacement.certificateArn }));

    const retired = await request(
      env.api.url,
      'POST',
      `/things/${thingName}/certificates/${old.certificateId}/retire`,
    );
    expect(retired.status).toBe(200);
    expect(retired.body).toMatchObject({ status: 'RETIRED', deleteAt: retired.body.retiredAt });
    expect(await exists(old.certificateId)).toBe(true);

    await tick();
    expect(await exists(old.certificateId)).toBe(false);
    expect(await policyExists(iot, own)).toBe(false);
    expect(await policyExists(iot, shared)).toBe(true);
    const detail = await request(env.api.url, 'GET', `/certificates/${old.certificateId}`);
    expect(detail.body).toMatchObject({ status: 'DELETED', retirement: { status: 'DELETED' } });
    expect(await exists(replacement.certificateId)).toBe(true);
  });

  it('keeps a retired certificate that was put back in service before its deletion', async () => {
    const { stack } = env;
    const thingName = unique('kept');
    const old = await provisionWithPem(stack, thingName, 40);
    await addCertificate(stack, thingName, 400);
    const retired = await request(
      env.api.url,
      'POST',
      `/things/${thingName}/certificates/${old.certificateId}/retire`,
    );
    expect(retired.status).toBe(200);
    await stack.clients.iot.send(
      new UpdateCertificateCommand({ certificateId: old.certificateId, newStatus: 'ACTIVE' }),
    );

    await tick();
    expect(await exists(old.certificateId)).toBe(true);
    const detail = await request(env.api.url, 'GET', `/certificates/${old.certificateId}`);
    expect(detail.body).toMatchObject({ retirement: { status: 'RETIRED' } });
    expect((detail.body.retirement as { reason: string }).reason).toMatch(/ACTIVE again/);
  });
});
