import { PatchCertificateRequest } from '../../src/things/schemas.js';
import { BODY_ERRORS, body, errors, parameterRef, reply, schemaRef, type Paths } from './operation.js';

/** api/routes/things.ts */
export const thingPaths: Paths = {
  '/things/{thingName}': {
    parameters: [parameterRef('thingName')],
    get: {
      tags: ['Things'],
      operationId: 'getThing',
      summary:
        'A thing with its type, attributes, certificates (real status), policies (documents) and groups',
      responses: { '200': reply('The thing', schemaRef('Thing')), ...errors('400', '404') },
    },
    delete: {
      tags: ['Things'],
      operationId: 'deleteThing',
      summary:
        'Detach every principal; with FEATURES_DELETE_CERTIFICATES delete certificates no other thing uses, ' +
        'with FEATURES_DELETE_POLICIES also their policies that nothing else uses; then delete the thing',
      responses: {
        '204': reply('Deleted'),
        ...errors('400', '404', '409'),
      },
    },
  },
  '/things/{thingName}/certificates': {
    parameters: [parameterRef('thingName')],
    patch: {
      tags: ['Things'],
      operationId: 'updateCertificateStatus',
      summary: 'Set the status of every certificate attached to the thing',
      requestBody: body(PatchCertificateRequest, 'The new status'),
      responses: {
        '204': reply('Every certificate has the status'),
        ...errors(...BODY_ERRORS, '404', '409'),
        '500': reply(
          'Unexpected failure; if some certificates were changed first, the body lists them',
          schemaRef('CertificateStatusPartial'),
        ),
        '503': reply(
          'AWS unavailable; if some certificates were changed first (code CERTIFICATE_STATUS_PARTIAL) the ' +
            'body lists them. Repeat the request to finish',
          { oneOf: [schemaRef('CertificateStatusPartial'), schemaRef('Error')] },
        ),
      },
    },
  },
};
