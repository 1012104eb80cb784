import { describe, expect, it } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetPolicyCommand } from '@aws-sdk/client-iot';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { useStack } from '../support/stack.js';
import { allResults, pollBulk } from '../support/bulk.js';
import { request } from '../support/http.js';
import { thingState, thingExists } from '../support/iot-registry.js';

const env = useStack({
  env: { BULK_CHUNK_SIZE: '4', BULK_CHUNKS_IN_FLIGHT: '2' },
  api: true,
  workers: true,
  templates: ['thing-only', 'site-policy'],
});

describe('bulk registration', () => {
  it('provisions every good line, fails each bad line alone, and counts exactly', async () => {
    const parameters: Record<string, unknown>[] = Array.from({ length: 10 }, (_, i) => ({
      ThingName: `bulk-a-${i}`,
    }));
    parameters.push({ ThingName: 'bad name' }); // AWS would refuse it: a failed device
    parameters.push({ SerialNumber: 'no-thing-name' }); // missing required parameter
    const submitted = await request(env.api.url, 'POST', '/bulkthings', {
      body: { provisioningTemplateId: 'aws-certificate', parameters },
    });
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({
      status: 'Pending',
      totalCount: 12,
      successCount: 0,
      failureCount: 0,
    });
    const taskId = String(submitted.body.taskId);

    const done = await pollBulk(env.api.url, taskId);
    expect(done).toMatchObject({
      status: 'CompletedWithFailures',
      successCount: 10,
      failureCount: 2,
      totalCount: 12,
      percentageProgress: 100,
    });

    const results = await allResults(env.api.url, taskId);
    expect(results.map((r) => r.line)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const failed = results.filter((r) => r.status === 'FAILED');
    expect(failed.map((r) => [r.line, (r.error as { code: string }).code])).toEqual([
      [11, 'THING_NAME_INVALID'],
      [12, 'TEMPLATE_PARAMETER_MISSING'],
    ]);
    for (const result of results.filter((r) => r.status === 'SUCCEEDED')) {
      const state = await thingState(env.stack.clients.iot, String(result.thingName));
      expect(state.principals).toHaveLength(1);
      const certificate = new X509Certificate(String(result.certificatePem));
      const fromKey = createPublicKey(createPrivateKey(String(result.privateKey))).export({
        type: 'spki',
        format: 'der',
      });
      expect(Buffer.compare(fromKey, certificate.publicKey.export({ type: 'spki', format: 'der' }))).toBe(0);
    }
  });

  it('fails a line AWS would refuse before it becomes a device, as POST /things refuses it', async () => {
    const bad = { ThingName: 'bad name/with*chars' };
    const single = await request(env.api.url, 'POST', '/things', {
      body: { provisioningTemplateId: 'aws-certificate', parameters: bad },
    });
    expect(single.status).toBe(400);
    expect(single.body.code).toBe('TEMPLATE_PROPERTY_INVALID');

    const submitted = await request(env.api.url, 'POST', '/bulkthings', {
      body: { provisioningTemplateId: 'aws-certificate', parameters: [{ ThingName: 'bulk-checked-1' }, bad] },
    });
    const taskId = String(submitted.body.taskId);
    expect(await pollBulk(env.api.url, taskId)).toMatchObject({ successCount: 1, failureCount: 1 });
    const [, failed] = await allResults(env.api.url, taskId);
    expect(failed).toEqual({
      line: 2,
      status: 'FAILED',
      thingName: bad.ThingName,
      // Refused before the certificate mode ran: no certificate was made for it.
      certificateId: null,
      // The same check and message as POST /things; the code names the refused value (the CLI
      // contract's THING_NAME_INVALID, …) where POST /things says TEMPLATE_PROPERTY_INVALID.
      error: { code: 'THING_NAME_INVALID', message: `Line 2: ${String(single.body.message)}` },
    });
  });

  it('reads UTF-8 NDJSON from S3, keeps non-ASCII values intact, and fails undecodable lines alone', async () => {
    const lines = [
      Buffer.from(JSON.stringify({ ThingName: 'bulk-utf8-1', Site: 'Zürich' }) + '\n'),
      Buffer.from('\n'), // blank: not a device
      Buffer.from(JSON.stringify({ ThingName: 'bulk-utf8-2', Site: '東京' }) + '\r\n'),
      Buffer.concat([
        Buffer.from('{"ThingName":"bulk-utf8-3","Site":"'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}\n'),
      ]),
      Buffer.from('not json\n'),
      Buffer.from(JSON.stringify({ ThingName: 'bulk-utf8-4', Site: 7 })), // no final newline; wrong type
    ];
    await env.stack.clients.s3.send(
      new PutObjectCommand({
        Bucket: env.stack.config.templates.bucket,
        Key: 'uploads/utf8.ndjson',
        Body: Buffer.concat(lines),
      }),
    );
    const submitted = await request(env.api.url, 'POST', '/bulkthings', {
      body: {
        provisioningTemplateId: 'site-policy',
        inputFile: { bucket: env.stack.config.templates.bucket, key: 'uploads/utf8.ndjson' },
      },
    });
    expect(submitted.status).toBe(202);
    const done = await pollBulk(env.api.url, String(submitted.body.taskId));
    expect(done).toMatchObject({
      status: 'CompletedWithFailures',
      totalCount: 5,
      successCount: 2,
      failureCount: 3,
    });

    const results = await allResults(env.api.url, String(submitted.body.taskId));
    // The non-ASCII parameter arrives intact in the policy document AWS IoT stores.
    const documentOf = async (line: number) => {
      const arn =
        (results.find((r) => r.line === line)?.resourceArns as Record<string, string>).sitePolicy ?? '';
      const policy = await env.stack.clients.iot.send(
        new GetPolicyCommand({ policyName: arn.split('/').pop() }),
      );
      return policy.policyDocument ?? '';
    };
    expect(await documentOf(1)).toContain('topic/sites/Zürich/bulk-utf8-1');
    expect(await documentOf(3)).toContain('topic/sites/東京/bulk-utf8-2');
    expect(await thingExists(env.stack.clients.iot, 'bulk-utf8-3')).toBe(false);
    expect(results.map((r) => [r.line, r.status])).toEqual([
      [1, 'SUCCEEDED'],
      [3, 'SUCCEEDED'],
      [4, 'FAILED'],
      [5, 'FAILED'],
      [6, 'FAILED'],
    ]);
    expect((results[2]?.error as { message: string }).message).toContain('UTF-8');
  });

  it('streams results as NDJSON', async () => {
    const submitted = await request(env.api.url, 'POST', '/bulkthings', {
      body: {
        provisioningTemplateId: 'thing-only',
        parameters: [{ ThingName: 'bulk-nd-1' }, { ThingName: 'bulk-nd-2' }],
      },
    });
    const taskId = String(submitted.body.taskId);
    await pollBulk(env.api.url, taskId);
    const res = await fetch(`${env.api.url}/bulkthings/${taskId}/results`, {
      headers: { accept: 'application/x-ndjson' },
    });
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.line, l.thingName, l.status])).toEqual([
      [1, 'bulk-nd-1', 'SUCCEEDED'],
      [2, 'bulk-nd-2', 'SUCCEEDED'],
    ]);
  });

  it('refuses bad bulk requests with 4xx', async () => {
    const bad = async (body: unknown) => (await request(env.api.url, 'POST', '/bulkthings', { body })).status;
    expect(await bad({ provisioningTemplateId: 'thing-only' })).toBe(400);
    expect(await bad({ provisioningTemplateId: 'thing-only', parameters: [] })).toBe(400);
    expect(await bad({ provisioningTemplateId: 'nope', parameters: [{ ThingName: 'x' }] })).toBe(400);
    expect(
      await bad({
        provisioningTemplateId: 'thing-only',
        inputFile: { bucket: env.stack.config.templates.bucket, key: 'missing.ndjson' },
      }),
    ).toBe(400);
    expect(
      (await request(env.api.url, 'GET', '/bulkthings/0b9d6e4e-8e43-4bbf-9f7a-9fd0f0f0f0f0')).status,
    ).toBe(404);
    expect((await request(env.api.url, 'GET', '/bulkthings/not-a-task')).status).toBe(400);
  });
});
