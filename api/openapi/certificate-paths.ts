import Type from 'typebox';
import { MAX_DAYS, MAX_LIMIT } from '../../src/inventory/list-query.js';
import { RetireRequest } from '../../src/inventory/schemas.js';
import { IOT } from '../../src/templates/iot-constraints.js';
import { errors, parameterRef, reply, schemaRef, content, type Paths } from './operation.js';

const backfillJob = (description: string) => reply(description, schemaRef('BackfillJob'));

/** api/routes/certificates.ts */
export const certificatePaths: Paths = {
  '/certificates': {
    get: {
      tags: ['Certificates'],
      operationId: 'listCertificates',
      summary:
        'Certificates in service from the inventory, soonest not-after first (expired ones first of all), a ' +
        'page at a time',
      parameters: [
        {
          name: 'expiringWithinDays',
          in: 'query',
          description: 'Only those whose not-after is within this many days from now (expired ones included)',
          schema: { type: 'integer', minimum: 0, maximum: MAX_DAYS },
        },
        {
          name: 'thingName',
          in: 'query',
          description: 'Only those attached to this thing',
          schema: { type: 'string', pattern: IOT.thingName.pattern.source },
        },
        {
          name: 'limit',
          in: 'query',
          schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 100 },
        },
        {
          name: 'nextToken',
          in: 'query',
          description: 'From the previous page, with the same other parameters',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': reply('A page of certificates', schemaRef('CertificateList')),
        ...errors('400', '404'),
      },
    },
  },
  '/certificates/{certificateId}': {
    parameters: [parameterRef('certificateId')],
    get: {
      tags: ['Certificates'],
      operationId: 'getCertificate',
      summary: "One certificate's inventory record, whatever its status, with its retirement if it has one",
      responses: { '200': reply('The certificate', schemaRef('CertificateDetail')), ...errors('400', '404') },
    },
  },
  '/things/{thingName}/certificates/{certificateId}/retire': {
    parameters: [parameterRef('thingName'), parameterRef('certificateId')],
    post: {
      tags: ['Certificates'],
      operationId: 'retireCertificate',
      summary:
        "Retire one of the thing's certificates now (set INACTIVE, detach; deleted later if " +
        'RETIRED_CERTIFICATE_DELETE_DAYS is set), or at a time. Refused (409) for a certificate another ' +
        "thing uses, and for the thing's last ACTIVE certificate unless force",
      requestBody: {
        required: false,
        description: 'Optional: force, or at (schedule instead of now)',
        content: content(RetireRequest),
      },
      responses: {
        '200': reply(
          'Retired (or retired before); or the retirement scheduled before',
          schemaRef('Retirement'),
        ),
        '202': reply('Scheduled', schemaRef('Retirement')),
        ...errors('400', '404', '409', '413', '415'),
      },
    },
  },
  '/certificates/backfill': {
    post: {
      tags: ['Certificates'],
      operationId: 'startCertificateBackfill',
      summary:
        'Record the certificates AWS IoT has that the inventory does not, in the background, at the IoT ' +
        'request budget; one job at a time',
      responses: {
        '202': reply('Started; follow it at Location', schemaRef('BackfillJob'), { Location: 'The job' }),
        ...errors('409'),
      },
    },
  },
  '/certificates/backfill/{jobId}': {
    parameters: [
      {
        name: 'jobId',
        in: 'path',
        required: true,
        description: 'Id of the backfill job',
        schema: Type.String({ format: 'uuid' }),
      },
    ],
    get: {
      tags: ['Certificates'],
      operationId: 'getCertificateBackfill',
      summary: "A backfill job's progress",
      responses: { '200': backfillJob('The job'), ...errors('400', '404') },
    },
  },
};
