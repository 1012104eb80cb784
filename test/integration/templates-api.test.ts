import { describe, expect, it } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SAMPLE_TEMPLATES_DIR } from '../../infra/bootstrap.js';
import { TemplateStore } from '../../src/templates/template-store.js';
import { useStack } from '../support/stack.js';
import { allResults, pollBulk } from '../support/bulk.js';
import { pollTask, request } from '../support/http.js';
import { thingState } from '../support/iot-registry.js';

const env = useStack({ api: true });

const SHIPPED = readdirSync(SAMPLE_TEMPLATES_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

/** PUT with a raw body, as a client sending a template file would. */
const put = (id: string, body: unknown) =>
  request(env.api.url, 'PUT', `/templates/${id}`, {
    rawBody: typeof body === 'string' ? body : JSON.stringify(body, null, 2),
  });

const rawGet = async (id: string) => {
  const res = await fetch(`${env.api.url}/templates/${id}`);
  return { status: res.status, headers: res.headers, text: await res.text() };
};

const unique = () => randomBytes(3).toString('hex');

/** A valid template to start from: a thing with an attribute. */
const deviceTemplate = (version: string) => ({
  Parameters: { ThingName: { Type: 'String' } },
  Resources: {
    thing: {
      Type: 'AWS::IoT::Thing',
      Properties: { ThingName: { Ref: 'ThingName' }, AttributePayload: { templateVersion: version } },
    },
  },
});

async function listAll(maxResults: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const query = `?maxResults=${maxResults}${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ''}`;
    const res = await request<{
      templates: { templateId: string; size: number; lastModified: string }[];
      nextToken?: string;
    }>(env.api.url, 'GET', `/templates${query}`);
    expect(res.status).toBe(200);
    expect(res.body.templates.length).toBeLessThanOrEqual(maxResults);
    for (const t of res.body.templates) {
      expect(t.size).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(t.lastModified))).toBe(false);
    }
    ids.push(...res.body.templates.map((t) => t.templateId));
    nextToken = res.body.nextToken;
    pages++;
  } while (nextToken !== undefined);
  return { ids, pages };
}

describe('GET /templates', () => {
  it('lists the shipped templates and hand-placed ones, skipping objects that are not templates', async () => {
    const { bucket, prefix } = env.stack.config.templates;
    const put = (Key: string) =>
      env.stack.clients.s3.send(
        new PutObjectCommand({ Bucket: bucket, Key, Body: JSON.stringify(deviceTemplate('1')) }),
      );
    await Promise.all([
      put(`${prefix}hand-placed.json`),
      put(`${prefix}notes.txt`),
      put(`${prefix}old/nested.json`),
    ]);

    const { ids } = await listAll(1000);
    expect(ids).toEqual([...SHIPPED, 'hand-placed'].sort());
  });

  it('pages through every template exactly once, whatever the page size', async () => {
    const all = (await listAll(1000)).ids;
    for (const size of [1, 3, 7]) {
      const { ids, pages } = await listAll(size);
      expect(ids).toEqual(all);
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(all.length / size));
    }
  });

  it.each([
    ['maxResults=0', 'maxResults must be a whole number'],
    ['maxResults=1001', 'maxResults must be a whole number'],
    ['maxResults=ten', 'maxResults must be a whole number'],
    ['nextToken=not*a*token', 'nextToken is not a token this API returned'],
  ])('refuses ?%s with 400', async (query, message) => {
    const res = await request(env.api.url, 'GET', `/templates?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('LIST_QUERY_INVALID');
    expect(res.body.message).toContain(message);
  });
});

describe('GET /templates/{templateId}', () => {
  it('answers the template byte for byte as stored, with its ETag', async () => {
    const res = await rawGet('aws-certificate');
    expect(res.status).toBe(200);
    expect(res.text).toBe(readFileSync(join(SAMPLE_TEMPLATES_DIR, 'aws-certificate.json'), 'utf8'));
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]+"$/);
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('404 for an unknown id, 400 for an id that is not one', async () => {
    const missing = await request(env.api.url, 'GET', '/templates/no-such-template');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'TEMPLATE_NOT_FOUND' });
    for (const bad of ['..%2Fsecrets', '-leading-dash', 'x'.repeat(129)]) {
      const res = await request(env.api.url, 'GET', `/templates/${bad}`);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('TEMPLATE_ID_INVALID');
    }
  });
});

describe('PUT /templates/{templateId}', () => {
  it('creates (201) then replaces (200) a template, storing the body as sent', async () => {
    const id = `device-${unique()}`;
    const body = JSON.stringify(deviceTemplate('1'), null, 4);
    const created = await put(id, body);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/templates/${id}`);
    expect(created.headers.get('etag')).toMatch(/^".+"$/);
    expect(created.body).toEqual({ templateId: id, requiredParameters: ['ThingName'] });
    expect((await rawGet(id)).text).toBe(body);

    const replaced = await put(id, deviceTemplate('2'));
    expect(replaced.status).toBe(200);
    expect(replaced.headers.get('location')).toBeNull();
    expect(replaced.headers.get('etag')).not.toBe(created.headers.get('etag'));
  });

  it('reports the certificate mode and leaves its injected parameters out of the required ones', async () => {
    const res = await put(
      `aws-${unique()}`,
      readFileSync(join(SAMPLE_TEMPLATES_DIR, 'aws-certificate.json'), 'utf8'),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      certificateMode: 'createDeviceAWSCertificate',
      requiredParameters: ['ThingName'],
    });
  });

  it('a replaced template is used by the next device at once, here and (by ETag) in other processes', async () => {
    const id = `versioned-${unique()}`;
    expect((await put(id, deviceTemplate('1'))).status).toBe(201);
    // Another process's cache, revalidating on every use.
    const other = new TemplateStore(env.stack.services.objects, {
      ...env.stack.config.templates,
      cacheSeconds: 0,
    });
    expect(await other.load(id)).toMatchObject({ parsed: { aws: deviceTemplate('1') } });

    const workers = env.stack.startWorkers();
    try {
      const provision = async (thingName: string) => {
        const res = await request(env.api.url, 'POST', '/things', {
          body: { provisioningTemplateId: id, parameters: { ThingName: thingName } },
        });
        expect(res.status).toBe(202);
        expect((await pollTask(env.api.url, String(res.body.taskId))).status).toBe('SUCCEEDED');
        return (await thingState(env.stack.clients.iot, thingName)).thing.attributes;
      };
      const first = `tpl-v1-${unique()}`;
      expect(await provision(first)).toEqual({ templateVersion: '1' });
      expect((await put(id, deviceTemplate('2'))).status).toBe(200);
      expect(await provision(`tpl-v2-${unique()}`)).toEqual({ templateVersion: '2' });
      expect(await other.load(id)).toMatchObject({ parsed: { aws: deviceTemplate('2') } });
    } finally {
      await workers.stop();
    }
  });

  it('refuses a body that is not JSON by media type', async () => {
    const res = await request(env.api.url, 'PUT', '/templates/plain', {
      rawBody: JSON.stringify(deviceTemplate('1')),
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
  });
});

describe('a task runs the template version it was accepted with', () => {
  it('a device and a bulk task accepted before a PUT are provisioned by the old template', async () => {
    const id = `pinned-${unique()}`;
    expect((await put(id, deviceTemplate('1'))).status).toBe(201);
    const single = `pinned-one-${unique()}`;
    const lines = [`pinned-bulk-${unique()}`, `pinned-bulk-${unique()}`];
    const accepted = await request(env.api.url, 'POST', '/things', {
      body: { provisioningTemplateId: id, parameters: { ThingName: single } },
    });
    const bulk = await request(env.api.url, 'POST', '/bulkthings', {
      body: { provisioningTemplateId: id, parameters: lines.map((ThingName) => ({ ThingName })) },
    });
    expect([accepted.status, bulk.status]).toEqual([202, 202]);
    const taskId = String(accepted.body.taskId);
    expect((await env.stack.services.tasks.require(taskId)).templateVersion).toEqual(expect.any(String));

    // Changed after both were accepted, before any worker ran them.
    expect((await put(id, deviceTemplate('2'))).status).toBe(200);
    const later = `pinned-later-${unique()}`;
    const afterChange = await request(env.api.url, 'POST', '/things', {
      body: { provisioningTemplateId: id, parameters: { ThingName: later } },
    });

    const workers = env.stack.startWorkers();
    try {
      expect((await pollTask(env.api.url, taskId)).status).toBe('SUCCEEDED');
      expect((await pollBulk(env.api.url, String(bulk.body.taskId))).status).toBe('Completed');
      expect((await pollTask(env.api.url, String(afterChange.body.taskId))).status).toBe('SUCCEEDED');
    } finally {
      await workers.stop();
    }
    const versionOf = async (thingName: string) =>
      (await thingState(env.stack.clients.iot, thingName)).thing.attributes?.templateVersion;
    expect(await Promise.all([single, ...lines].map(versionOf))).toEqual(['1', '1', '1']);
    expect(await versionOf(later)).toBe('2');
    expect((await allResults(env.api.url, String(bulk.body.taskId))).map((r) => r.status)).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
    ]);
  });
});

describe('DELETE /templates/{templateId}', () => {
  it('deletes (204), then the template is unknown everywhere (404)', async () => {
    const id = `doomed-${unique()}`;
    expect((await put(id, deviceTemplate('1'))).status).toBe(201);
    // Cached by a request first, so the delete must also drop the cached copy.
    const before = await request(env.api.url, 'POST', '/things', {
      body: { provisioningTemplateId: id, parameters: { ThingName: `doomed-${unique()}` } },
    });
    expect(before.status).toBe(202);

    const deleted = await request(env.api.url, 'DELETE', `/templates/${id}`);
    expect(deleted.status).toBe(204);
    expect((await request(env.api.url, 'GET', `/templates/${id}`)).status).toBe(404);
    const again = await request(env.api.url, 'DELETE', `/templates/${id}`);
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('TEMPLATE_NOT_FOUND');
    const after = await request(env.api.url, 'POST', '/things', {
      body: { provisioningTemplateId: id, parameters: { ThingName: `doomed-${unique()}` } },
    });
    expect(after.status).toBe(400);
    expect(after.body.code).toBe('TEMPLATE_NOT_FOUND');
  });
});

/** Each case: a template that could never provision, the code, and what its message must say. */
const thing = { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } };
const params = { ThingName: { Type: 'String' }, CertificateId: { Type: 'String' }, CSR: { Type: 'String' } };
const withResources = (resources: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  Parameters: params,
  Resources: { thing, ...resources },
  ...extra,
});
const certificate = (properties: Record<string, unknown>) => ({
  Type: 'AWS::IoT::Certificate',
  Properties: properties,
});
const BROKEN: [string, unknown, string, RegExp][] = [
  ['not JSON', '{"Resources": {', 'TEMPLATE_JSON_INVALID', /not valid JSON at line 1, column/],
  ['a JSON list', [], 'TEMPLATE_INVALID', /must be a JSON object with a Resources section/],
  ['no Resources', { Parameters: params }, 'TEMPLATE_INVALID', /^Resources: is required/],
  ['no resource at all', { Resources: {} }, 'TEMPLATE_INVALID', /Resources: declares no resource/],
  [
    'an unknown section',
    { Outputs: {}, Resources: { thing } },
    'TEMPLATE_INVALID',
    /Outputs: is not a template section/,
  ],
  [
    'an unknown resource type',
    withResources({ job: { Type: 'AWS::IoT::Job', Properties: {} } }),
    'TEMPLATE_INVALID',
    /Resources\.job\.Type: "AWS::IoT::Job" is not a supported resource type/,
  ],
  [
    'two things',
    withResources({ other: thing }),
    'TEMPLATE_INVALID',
    /declares thing, other, but a template can declare only one AWS::IoT::Thing/,
  ],
  [
    'an unknown thing property',
    withResources({ thing: { ...thing, Properties: { ThingName: 'a', Name: 'b' } } }),
    'TEMPLATE_INVALID',
    /Resources\.thing\.Properties\.Name: is not a AWS::IoT::Thing property/,
  ],
  [
    'a thing without a name',
    withResources({ thing: { ...thing, Properties: {} } }),
    'TEMPLATE_INVALID',
    /Resources\.thing\.Properties: ThingName is required/,
  ],
  [
    'a Ref to an undeclared parameter',
    withResources({ thing: { ...thing, Properties: { ThingName: { Ref: 'Nmae' } } } }),
    'TEMPLATE_REFERENCE_UNKNOWN',
    /Nmae/,
  ],
  [
    'a malformed Fn::Join',
    withResources({ thing: { ...thing, Properties: { ThingName: { 'Fn::Join': ['-'] } } } }),
    'TEMPLATE_FUNCTION_INVALID',
    /Fn::Join/,
  ],
  [
    'conditions in a loop',
    withResources({}, { Conditions: { A: { Condition: 'B' }, B: { Condition: 'A' } } }),
    'TEMPLATE_CONDITION_INVALID',
    /in a loop \(A -> B -> A\)/,
  ],
  [
    'a bad override action',
    withResources({ thing: { ...thing, OverrideSettings: { ThingTypeName: 'MERGE' } } }),
    'TEMPLATE_INVALID',
    /OverrideSettings\.ThingTypeName: "MERGE" is not allowed/,
  ],
  [
    'a misspelt CDF certificate mode',
    withResources({}, { CDF: { createDeviceAwsCertificate: true } }),
    'TEMPLATE_CDF_INVALID',
    /unknown field\(s\) createDeviceAwsCertificate/,
  ],
  [
    'an unknown ACM PCA mode',
    withResources({}, { CDF: { acmpca: { mode: 'REGISTER_LATER' } } }),
    'TEMPLATE_CDF_INVALID',
    /\/acmpca\/mode/,
  ],
  [
    'a certificate mode with no certificate resource',
    withResources({}, { CDF: { createDeviceAWSCertificate: true } }),
    'TEMPLATE_CERTIFICATE_UNUSED',
    /createDeviceAWSCertificate makes the device certificate, but the template declares no AWS::IoT::Certificate/,
  ],
  [
    "a certificate mode whose certificate the template's certificate ignores",
    withResources(
      { certificate: certificate({ CertificateSigningRequest: { Ref: 'CSR' } }) },
      { CDF: { createDeviceAWSCertificate: true } },
    ),
    'TEMPLATE_CERTIFICATE_UNUSED',
    /Resources\.certificate\.Properties: .*refer to CertificateId or CertificateArn/,
  ],
  [
    'additional policies with no certificate to attach them to',
    withResources({}, { CDF: { attachAdditionalPolicies: [{ name: 'extra' }] } }),
    'TEMPLATE_CERTIFICATE_MISSING',
    /attachAdditionalPolicies attaches policies to the device certificate/,
  ],
  [
    'a literal thing name AWS refuses',
    withResources({ thing: { ...thing, Properties: { ThingName: 'pump 7' } } }),
    'TEMPLATE_PROPERTY_INVALID',
    /Resources\.thing\.Properties\.ThingName: "pump 7" is not a thing name/,
  ],
  [
    'a literal thing group name AWS refuses',
    withResources({
      thing: { ...thing, Properties: { ThingName: { Ref: 'ThingName' }, ThingGroups: ['ok', 'not ok'] } },
    }),
    'TEMPLATE_PROPERTY_INVALID',
    /ThingGroups\[1\]: "not ok" is not a thing group name/,
  ],
  [
    'a policy document that is not JSON',
    withResources({
      policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: '{Version: 2012}' } },
    }),
    'TEMPLATE_PROPERTY_INVALID',
    /PolicyDocument: must be a JSON policy document/,
  ],
  [
    'a certificate status AWS does not have',
    withResources({
      certificate: certificate({ CertificateId: { Ref: 'CertificateId' }, Status: 'ENABLED' }),
    }),
    'TEMPLATE_PROPERTY_INVALID',
    /Status: "ENABLED" is not a certificate status/,
  ],
  [
    'two certificate sources written out',
    withResources({
      certificate: certificate({ CertificateId: 'a'.repeat(64), CertificateSigningRequest: 'csr' }),
    }),
    'TEMPLATE_INVALID',
    /set exactly one of .*, not both CertificateSigningRequest and CertificateId; AWS IoT takes only one/,
  ],
  [
    'two certificate sources that parameters give',
    withResources({
      certificate: certificate({ CertificateId: { Ref: 'CertificateId' }, CertificatePem: { Ref: 'CSR' } }),
    }),
    'TEMPLATE_INVALID',
    /Resources\.certificate\.Properties: set exactly one of .*, not both CertificateId and CertificatePem/,
  ],
  [
    'a policy with both a name and a document',
    withResources({
      policy: {
        Type: 'AWS::IoT::Policy',
        Properties: {
          PolicyName: { Ref: 'ThingName' },
          PolicyDocument: '{"Version":"2012-10-17","Statement":[]}',
        },
      },
    }),
    'TEMPLATE_INVALID',
    /Resources\.policy\.Properties: set exactly one of PolicyName, PolicyDocument, not both/,
  ],
  [
    'a literal Fn::Select past the end of its list',
    withResources({ thing: { ...thing, Properties: { ThingName: { 'Fn::Select': ['3', ['a', 'b']] } } } }),
    'TEMPLATE_FUNCTION_INVALID',
    /index 3 is outside the 2 values/,
  ],
  [
    'device configuration that is not text',
    withResources({}, { DeviceConfiguration: { interval: 30 } }),
    'TEMPLATE_PROPERTY_INVALID',
    /DeviceConfiguration\.interval: must be a string, not 30/,
  ],
];

describe('PUT refuses a template that could never provision, each with its own reason', () => {
  it.each(BROKEN)('%s', async (_name, template, code, message) => {
    const id = `broken-${unique()}`;
    const res = await put(id, template);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
    expect(String(res.body.message)).toMatch(message);
    // Refused before anything was stored.
    expect((await request(env.api.url, 'GET', `/templates/${id}`)).status).toBe(404);
  });

  it('no two of those messages are the same', async () => {
    const messages = await Promise.all(
      BROKEN.map(async ([, template]) => String((await put(`broken-${unique()}`, template)).body.message)),
    );
    expect(new Set(messages).size).toBe(BROKEN.length);
  });

  it('accepts two certificate sources, or a policy name and document, that a condition chooses between', async () => {
    const noValue = { Ref: 'AWS::NoValue' };
    const template = withResources(
      {
        certificate: certificate({
          CertificateId: { 'Fn::If': ['HasCsr', noValue, { Ref: 'CertificateId' }] },
          CertificateSigningRequest: { 'Fn::If': ['HasCsr', { Ref: 'CSR' }, noValue] },
        }),
        policy: {
          Type: 'AWS::IoT::Policy',
          Properties: {
            PolicyName: { 'Fn::If': ['HasCsr', 'sample-device-policy', noValue] },
            PolicyDocument: { 'Fn::If': ['HasCsr', noValue, '{"Version":"2012-10-17","Statement":[]}'] },
          },
        },
      },
      { Conditions: { HasCsr: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'CSR' }, ''] }] } } },
    );
    expect((await put(`chosen-${unique()}`, template)).status).toBe(201);
  });

  it('a broken template placed in the bucket by hand can still be read, to be fixed', async () => {
    const { bucket, prefix, suffix } = env.stack.config.templates;
    await env.stack.clients.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${prefix}hand-broken${suffix}`, Body: '{"Resources": ' }),
    );
    const res = await rawGet('hand-broken');
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"Resources": ');
  });
});
