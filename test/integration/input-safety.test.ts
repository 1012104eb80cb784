import { describe, expect, it } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { allResults, pollBulk } from '../support/bulk.js';
import { pollTask, request } from '../support/http.js';
import { thingExists } from '../support/iot-registry.js';
import { unique } from '../support/names.js';
import { useStack } from '../support/stack.js';
import { putTemplate } from '../support/templates.js';

/**
 * Input that JavaScript, DynamoDB or the template engine cannot hold safely — names every object
 * already has, text that is not well-formed Unicode, nesting deep enough to exhaust the stack — is
 * refused where it comes in, with the field named: never a 500, a stuck task or a lost message.
 */
const env = useStack({ api: true, workers: true, templates: ['thing-only'] });

/** A raw JSON body, so escapes like \ud800 and keys like __proto__ arrive exactly as a client sends them. */
const raw = (method: string, path: string, body: string, headers: Record<string, string> = {}) =>
  request(env.api.url, method, path, { rawBody: body, headers });
const provisionRaw = (parameters: string) =>
  raw('POST', '/things', `{"provisioningTemplateId":"thing-only","parameters":${parameters}}`, {
    prefer: 'wait=10',
  });
const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('POST /things', () => {
  it.each([
    ['a parameter named __proto__', '{"ThingName":"safe-1","__proto__":"x"}', '/parameters/__proto__'],
    ['a parameter named constructor', '{"ThingName":"safe-2","constructor":"x"}', '/parameters/constructor'],
    ['an unpaired surrogate in a value', '{"ThingName":"safe-3\\ud800"}', '/parameters/ThingName'],
    [
      'an unpaired surrogate in a name',
      '{"ThingName":"safe-4","\\udc00":"x"}',
      '/parameters: the name "\\udc00"',
    ],
  ])('refuses %s with a 400 naming it, and provisions nothing', async (_, parameters, where) => {
    const res = await provisionRaw(parameters);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'REQUEST_INVALID' });
    expect(String(res.body.message)).toContain(where);
    expect(res.body.taskId).toBeUndefined();
  });

  it('refuses a body nested 100,000 deep with a 400, here and on every JSON endpoint', async () => {
    for (const [method, path] of [
      ['POST', '/things'],
      ['POST', '/bulkthings'],
      ['PATCH', '/things/safe-5/certificates'],
    ]) {
      const res = await raw(method ?? '', path ?? '', nested(100_000));
      expect({ path, status: res.status, code: res.body.code }).toEqual({
        path,
        status: 400,
        code: 'REQUEST_INVALID',
      });
      expect(String(res.body.message)).toContain('is nested more than 64 levels deep');
    }
  });

  it('finds a required parameter only among those sent: toString is not inherited', async () => {
    // A template placed in the bucket by hand, past PUT's checks, that declares such a name.
    await putTemplate(env.stack, 'inherited-name', {
      Parameters: { ThingName: { Type: 'String' }, toString: { Type: 'String' } },
      Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } } },
    });
    const thingName = unique('safe-inherited');
    const res = await request(env.api.url, 'POST', '/things', {
      body: { provisioningTemplateId: 'inherited-name', parameters: { ThingName: thingName } },
      headers: { prefer: 'wait=10' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'TEMPLATE_INVALID' });
    expect(String(res.body.message)).toContain('Parameters.toString');
    expect(res.body.taskId).toBeUndefined();
    expect(await thingExists(env.stack.clients.iot, thingName)).toBe(false);
  });
});

describe('PUT /templates', () => {
  const thing = '"thing":{"Type":"AWS::IoT::Thing","Properties":{"ThingName":"t"}}';

  it.each([
    [
      'a parameter named __proto__',
      `{"Parameters":{"__proto__":{"Type":"String"}},"Resources":{${thing}}}`,
      'TEMPLATE_INVALID',
      'Parameters.__proto__',
    ],
    [
      'an override setting named constructor',
      '{"Resources":{"thing":{"Type":"AWS::IoT::Thing","Properties":{"ThingName":"t"},"OverrideSettings":{"constructor":"FAIL"}}}}',
      'TEMPLATE_INVALID',
      'Resources.thing.OverrideSettings.constructor',
    ],
    [
      'an unpaired surrogate',
      `{"Resources":{${thing}},"DeviceConfiguration":{"a":"\\ud800"}}`,
      'TEMPLATE_INVALID',
      'DeviceConfiguration.a',
    ],
    [
      '10,000 levels of nesting',
      `{"Resources":{${thing}},"DeviceConfiguration":{"a":${nested(10_000)}}}`,
      'TEMPLATE_TOO_DEEP',
      'DeviceConfiguration.a[0][0][0][0][0][0]… (64 levels): is nested more than 64 levels deep',
    ],
  ])('refuses a template with %s, storing nothing', async (_, body, code, where) => {
    const id = unique('unsafe');
    const res = await raw('PUT', `/templates/${id}`, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code });
    expect(String(res.body.message)).toContain(where);
    expect((await request(env.api.url, 'GET', `/templates/${id}`)).status).toBe(404);
  });
});

describe('messages upstream systems publish to the requests queue', () => {
  const publish = (body: string) =>
    env.stack.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: env.stack.services.queueUrls.requests, MessageBody: body }),
    );

  it.each([
    [
      'a parameter named __proto__',
      '"thing-only"',
      '{"ThingName":"safe-q1","__proto__":"x"}',
      '/parameters/__proto__',
    ],
    [
      'an unpaired surrogate in a value',
      '"thing-only"',
      '{"ThingName":"safe-q2\\ud800"}',
      '/parameters/ThingName',
    ],
    [
      'an unpaired surrogate in the template id',
      '"thing-only\\ud800"',
      '{"ThingName":"safe-q3"}',
      '/provisioningTemplateId',
    ],
  ])(
    'with %s end as a FAILED task naming it, which GET answers',
    async (_, templateId, parameters, where) => {
      const taskId = unique('unsafe-message');
      await publish(
        `{"taskId":"${taskId}","provisioningTemplateId":${templateId},"parameters":${parameters}}`,
      );
      const task = await pollTask(env.api.url, taskId);
      expect(task).toMatchObject({ status: 'FAILED', error: { code: 'MESSAGE_INVALID' } });
      expect((task.error as { message: string }).message).toContain(where);
    },
  );
});

describe('bulk lines from a file', () => {
  it('fail their own device when unsafe, and the task still completes with exact counts', async () => {
    const { bucket } = env.stack.config.templates;
    const good = unique('safe-bulk');
    const lines = [
      `{"ThingName":"${good}"}`,
      `{"ThingName":"${unique('safe-bulk')}","__proto__":"x"}`,
      `{"ThingName":"${unique('safe-bulk')}","constructor":"x"}`,
      `{"ThingName":"${unique('safe-bulk')}\\ud800"}`,
      `{"ThingName":${nested(100_000)}}`,
    ];
    await env.stack.clients.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'uploads/unsafe.ndjson', Body: lines.join('\n') }),
    );
    const submitted = await request(env.api.url, 'POST', '/bulkthings', {
      body: { provisioningTemplateId: 'thing-only', inputFile: { bucket, key: 'uploads/unsafe.ndjson' } },
    });
    expect(submitted.status).toBe(202);
    const taskId = String(submitted.body.taskId);
    expect(await pollBulk(env.api.url, taskId)).toMatchObject({
      status: 'CompletedWithFailures',
      totalCount: 5,
      successCount: 1,
      failureCount: 4,
    });
    const results = await allResults(env.api.url, taskId);
    expect(results.map((r) => [r.line, r.status, (r.error as { code?: string } | undefined)?.code])).toEqual([
      [1, 'SUCCEEDED', undefined],
      [2, 'FAILED', 'BULK_LINE_INVALID'],
      [3, 'FAILED', 'BULK_LINE_INVALID'],
      [4, 'FAILED', 'BULK_LINE_INVALID'],
      [5, 'FAILED', 'BULK_LINE_INVALID'],
    ]);
    const messages = results.map((r) => (r.error as { message?: string } | undefined)?.message ?? '');
    expect(messages[1]).toContain('/__proto__');
    expect(messages[2]).toContain('/constructor');
    expect(messages[3]).toContain('/ThingName: is not well-formed Unicode');
    expect(messages[4]).toContain('is nested more than 64 levels deep');
    expect(await thingExists(env.stack.clients.iot, good)).toBe(true);
  });
});
