import { BODY_ERRORS, body, errors, parameterRef, reply, schemaRef, type Paths } from './operation.js';

/** api/routes/templates.ts */
export const templatePaths: Paths = {
  '/templates': {
    get: {
      tags: ['Templates'],
      operationId: 'listTemplates',
      summary: 'The stored templates, in id order, a page at a time',
      parameters: [
        {
          name: 'maxResults',
          in: 'query',
          description: 'Page size (default 100)',
          schema: { type: 'integer', minimum: 1, maximum: 1000 },
        },
        {
          name: 'nextToken',
          in: 'query',
          description: 'The nextToken of the previous page',
          schema: { type: 'string' },
        },
      ],
      responses: { '200': reply('A page of templates', schemaRef('TemplateList')), ...errors('400') },
    },
  },
  '/templates/{templateId}': {
    parameters: [parameterRef('templateId')],
    get: {
      tags: ['Templates'],
      operationId: 'getTemplate',
      summary: 'The template exactly as stored',
      responses: {
        '200': reply('The template', schemaRef('ProvisioningTemplate'), {
          ETag: 'Version of the stored object',
          'Last-Modified': 'When it was stored',
        }),
        ...errors('400', '404'),
      },
    },
    put: {
      tags: ['Templates'],
      operationId: 'putTemplate',
      summary:
        "Create or replace a template, after checking it against AWS IoT's template rules, the CDF block and " +
        'what this service can provision; a template that could never provision is refused with the reason',
      requestBody: body(
        schemaRef('ProvisioningTemplate'),
        'An AWS IoT provisioning template with an optional CDF block',
      ),
      responses: {
        '200': reply('Replaced', schemaRef('TemplateSaved'), { ETag: 'Version of the stored object' }),
        '201': reply('Created', schemaRef('TemplateSaved'), {
          ETag: 'Version of the stored object',
          Location: 'The template',
        }),
        ...errors(...BODY_ERRORS),
      },
    },
    delete: {
      tags: ['Templates'],
      operationId: 'deleteTemplate',
      summary: 'Delete a template',
      responses: { '204': reply('Deleted'), ...errors('400', '404') },
    },
  },
};
