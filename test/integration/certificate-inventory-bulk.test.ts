import { describe, expect, it } from '@jest/globals';
import { allResults, pollBulk } from '../support/bulk.js';
import { request } from '../support/http.js';
import { unique } from '../support/names.js';
import { useStack } from '../support/stack.js';

/** Every device of a bulk task that succeeds has its certificate in the inventory, once. */
const env = useStack({ api: true, workers: true });

describe('the inventory of a bulk task', () => {
  it("records each provisioned device's certificate with its thing and mode", async () => {
    const prefix = unique('bulk-inv');
    const parameters = Array.from({ length: 5 }, (_, i) => ({ ThingName: `${prefix}-${i}` }));
    const submitted = await request(env.api.url, 'POST', '/bulkthings', {
      body: { provisioningTemplateId: 'aws-certificate', parameters },
    });
    expect(submitted.status).toBe(202);
    const taskId = String(submitted.body.taskId);
    expect(await pollBulk(env.api.url, taskId)).toMatchObject({ status: 'Completed', successCount: 5 });

    const results = await allResults(env.api.url, taskId);
    const certificateIds = results.map(
      (r) => (r.resourceArns as Record<string, string>).certificate?.split('/')[1],
    );
    const listed = await request<{
      certificates: { certificateId: string; thingName: string; mode: string }[];
    }>(env.api.url, 'GET', '/certificates?limit=1000');
    expect(listed.body.certificates.map((c) => c.certificateId).sort()).toEqual([...certificateIds].sort());
    expect(listed.body.certificates.map((c) => c.thingName).sort()).toEqual(
      parameters.map((p) => p.ThingName),
    );
    expect(new Set(listed.body.certificates.map((c) => c.mode))).toEqual(new Set(['aws']));
  });
});
