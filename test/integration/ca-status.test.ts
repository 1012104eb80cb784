import { describe, expect, it } from '@jest/globals';
import { UpdateCACertificateCommand } from '@aws-sdk/client-iot';
import { DeleteParameterCommand } from '@aws-sdk/client-ssm';
import { CA_STATUS_MAX_AGE_SECONDS } from '../../src/provisioning/ca/ca-certificates.js';
import { expectRefused, makeCa } from '../support/certificate-modes.js';
import { provisionNow, request } from '../support/http.js';
import { unique } from '../support/names.js';
import { useStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

/**
 * createDeviceCertificate's CA as AWS IoT says it is now, with CA keys cached for the default
 * CA_CACHE_SECONDS (300): a refusal is never cached, and a CA deactivated in AWS IoT stops
 * signing within CA_STATUS_MAX_AGE_SECONDS even while its key stays in memory.
 */
const env = useStack({ api: true, workers: true });

const body = (caId: string, thingName = unique('ca-status')) => ({
  provisioningTemplateId: 'create-device-certificate',
  parameters: { ThingName: thingName },
  cdfProvisioningParameters: {
    caId,
    keyAlgorithm: 'EC-P256' as const,
    certInfo: { country: 'US', daysExpiry: 7 },
  },
});
const setStatus = (caId: string, newStatus: 'ACTIVE' | 'INACTIVE') =>
  env.stack.clients.iot.send(new UpdateCACertificateCommand({ certificateId: caId, newStatus }));

describe('the status of a CA this service signs with', () => {
  it('is read again after a refusal: a CA activated in AWS IoT is used at once', async () => {
    const { caId } = await makeCa(env.stack, 'EC-P256', { storeKey: true, active: false });
    expectRefused(await provisionNow(env.api.url, body(caId)), 'CA_NOT_ACTIVE', 'INACTIVE');
    await setStatus(caId, 'ACTIVE');
    const res = await provisionNow(env.api.url, body(caId));
    expect(res.status).toBe(201);
    expect(String(res.body.certificatePem)).toContain('BEGIN CERTIFICATE');
  });

  it(`stops a CA deactivated in AWS IoT within ${CA_STATUS_MAX_AGE_SECONDS} s, though its key stays cached`, async () => {
    const { caId } = await makeCa(env.stack, 'EC-P256', { storeKey: true, active: true });
    expect((await provisionNow(env.api.url, body(caId))).status).toBe(201);
    // The key is gone from SSM, yet the next device is signed: the cached key is in use.
    await env.stack.clients.ssm.send(
      new DeleteParameterCommand({
        Name: env.stack.config.certificates.caKeyParameterPattern.replaceAll('{caId}', caId),
      }),
    );
    expect((await provisionNow(env.api.url, body(caId))).status).toBe(201);

    await setStatus(caId, 'INACTIVE');
    const deactivated = Date.now();
    // One request, asked again until refused: its Idempotency-Key keeps it to one task at most.
    const probe = body(caId);
    const refused = await waitFor(
      'the deactivated CA to be refused',
      () =>
        request(env.api.url, 'POST', '/things', {
          body: probe,
          headers: { 'idempotency-key': `probe-${caId}` },
        }),
      (res) => res.status === 400,
      (CA_STATUS_MAX_AGE_SECONDS + 5) * 1000,
    );
    expectRefused(refused, 'CA_NOT_ACTIVE', 'INACTIVE');
    expect(Date.now() - deactivated).toBeLessThan((CA_STATUS_MAX_AGE_SECONDS + 5) * 1000);
  });
});
