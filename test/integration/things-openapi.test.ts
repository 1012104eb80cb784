import { describe, expect, it } from '@jest/globals';
import { CreateThingCommand } from '@aws-sdk/client-iot';
import { randomBytes } from 'node:crypto';
import type { TSchema } from 'typebox';
import { createApp } from '../../api/app.js';
import { openApiDocument } from '../../api/openapi.js';
import { validator } from '../../src/validation.js';
import { useStack } from '../support/stack.js';
import { request } from '../support/http.js';

const env = useStack({ api: true });

interface Document {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, TSchema> };
}
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** Every `$ref` in the document, wherever it is. */
function refs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => refs(item, found));
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refs(value, found);
    }
  }
  return found;
}

describe('GET /openapi.json', () => {
  it('serves the OpenAPI 3.1 document built from the code', async () => {
    const res = await request<Document>(env.api.url, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('documents exactly the routes the app has, no more and no fewer', async () => {
    const document = (await request<Document>(env.api.url, 'GET', '/openapi.json')).body;
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => METHODS.includes(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = createApp(env.stack.services)
      .routes.filter((route) => route.method !== 'ALL')
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    expect([...new Set(documented)].sort()).toEqual([...new Set(served)].sort());
    expect(documented).toHaveLength(new Set(documented).size);
  });

  it('only operations that read a body document one (and a 415); cancelling takes none', async () => {
    const document = (await request<Document>(env.api.url, 'GET', '/openapi.json')).body;
    const withBody = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, operation]) => {
          const { requestBody, responses } = operation as { requestBody?: unknown; responses: object };
          return [`${method.toUpperCase()} ${path}`, requestBody !== undefined, '415' in responses];
        }),
    );
    expect(withBody.filter(([, body, refused]) => body !== refused)).toEqual([]);
    expect(
      withBody
        .filter(([, body]) => body)
        .map(([operation]) => operation)
        .sort(),
    ).toEqual([
      'PATCH /things/{thingName}/certificates',
      'POST /bulkthings',
      'POST /bulkthings/uploads',
      'POST /bulkthings/{taskId}/retry',
      'POST /certificates/rotations',
      'POST /things',
      'POST /things/{thingName}/certificates/rotations',
      'POST /things/{thingName}/certificates/{certificateId}/retire',
      'PUT /templates/{templateId}',
    ]);
  });

  it('every $ref points at something the document defines', async () => {
    const document = (await request(env.api.url, 'GET', '/openapi.json')).body;
    for (const ref of new Set(refs(document))) {
      const target = ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
      expect([ref, target !== undefined]).toEqual([ref, true]);
    }
  });

  it("the code's answers match the documented schemas", async () => {
    const { components } = openApiDocument() as unknown as Document;
    const conforms = (schema: string, body: unknown) => {
      expect([schema, validator(components.schemas[schema] as TSchema).problems(body)]).toEqual([schema, []]);
    };

    const thingName = `oas-${randomBytes(3).toString('hex')}`;
    await env.stack.clients.iot.send(new CreateThingCommand({ thingName }));
    conforms('Thing', (await request(env.api.url, 'GET', `/things/${thingName}`)).body);
    conforms('TemplateList', (await request(env.api.url, 'GET', '/templates?maxResults=2')).body);
    const saved = await request(env.api.url, 'PUT', `/templates/${thingName}`, {
      body: { Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: 'x' } } } },
    });
    conforms('TemplateSaved', saved.body);
    conforms('ProvisioningTemplate', (await request(env.api.url, 'GET', '/templates/aws-certificate')).body);
    const accepted = await request(env.api.url, 'POST', '/things', {
      body: { provisioningTemplateId: 'aws-certificate', parameters: { ThingName: `${thingName}-2` } },
    });
    conforms('TaskAccepted', accepted.body);
    conforms(
      'TaskView',
      (await request(env.api.url, 'GET', `/provisioningtasks/${String(accepted.body.taskId)}`)).body,
    );
    conforms('Error', (await request(env.api.url, 'GET', '/things/no%20such')).body);
  });
});
