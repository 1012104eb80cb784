import { describe, expect, it } from '@jest/globals';
import { privateKeyMatchesCertificate, verifyIssuedBy } from '../../src/certificates/index.js';
import { allResults, pollBulk, submitInline } from '../support/bulk.js';
import { expectChainOf, makeCa } from '../support/certificate-modes.js';
import { principalsOf } from '../support/iot-registry.js';
import { useStack } from '../support/stack.js';

/** A template with a CDF block in bulk: every device gets a certificate from the account's own CA. */
const env = useStack({ api: true, workers: true, env: { BULK_CHUNK_SIZE: '3' } });

describe('bulk enrolment with a CDF certificate mode', () => {
  it('createDeviceCertificate with an EC CA and EC device keys: one verified certificate and key per device', async () => {
    const ca = await makeCa(env.stack, 'EC-P256', { storeKey: true, active: true });
    const parameters = Array.from({ length: 5 }, (_, i) => ({ ThingName: `bulk-own-ca-${i}` }));
    const task = await submitInline(
      {
        provisioningTemplateId: 'create-device-certificate',
        parameters,
        cdfProvisioningParameters: {
          caId: ca.caId,
          keyAlgorithm: 'EC-P256',
          certInfo: { country: 'DE', organization: 'Line 7', daysExpiry: 7 },
        },
      },
      env.stack.services,
    );
    const done = await pollBulk(env.api.url, task.taskId);
    expect(done).toMatchObject({ status: 'Completed', successCount: 5, failureCount: 0 });

    const results = await allResults(env.api.url, task.taskId);
    expect(results).toHaveLength(5);
    // The streamed results carry the same chains as the pages.
    const streamed = await fetch(`${env.api.url}/bulkthings/${task.taskId}/results`, {
      headers: { accept: 'application/x-ndjson' },
    });
    const lines = (await streamed.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => l.certificateChainPem)).toEqual(results.map((r) => r.certificateChainPem));
    for (const result of results) {
      const certificatePem = String(result.certificatePem);
      verifyIssuedBy(certificatePem, ca.pem);
      // Every device's chain is the CA that signed it (stored once, read for each page).
      expectChainOf(result.certificateChainPem, certificatePem, ca.pem);
      expect(privateKeyMatchesCertificate(String(result.privateKey), certificatePem)).toBe(true);
      expect(String(result.privateKey)).toContain('BEGIN PRIVATE KEY');
      expect(await principalsOf(env.stack.clients.iot, String(result.thingName))).toHaveLength(1);
    }
  });

  it('refuses the whole bulk task at submit when the mode cannot work (unknown CA)', async () => {
    const res = await fetch(`${env.api.url}/bulkthings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        provisioningTemplateId: 'create-device-certificate',
        parameters: [{ ThingName: 'never' }],
        cdfProvisioningParameters: { caId: 'f'.repeat(64), certInfo: { country: 'DE' } },
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('CA_NOT_FOUND');
  });
});
