import { FleetRotationRequest, RotationRequest } from '../../src/rotation/schemas.js';
import { idempotencyKey } from './bulk-paths.js';
import { BODY_ERRORS, body, errors, parameterRef, reply, schemaRef, type Paths } from './operation.js';
import { provisioningPaths } from './provisioning-paths.js';

/** The headers `POST /things` takes (Prefer, Idempotency-Key), which a rotation takes too. */
const submissionHeaders = (provisioningPaths['/things']?.post as { parameters: unknown[] }).parameters;

/** api/routes/rotations.ts */
export const rotationPaths: Paths = {
  '/things/{thingName}/certificates/rotations': {
    parameters: [parameterRef('thingName')],
    post: {
      tags: ['Things'],
      operationId: 'rotateCertificate',
      summary:
        "Give the thing a new certificate with the current one's policies, then retire the old one as asked " +
        '(asynchronous; synchronous within Prefer: wait=N)',
      description:
        'A provisioning task: polled at GET /provisioningtasks/{taskId}, answered like POST /things. The new ' +
        'certificate is ACTIVE and attached before anything happens to the old; a failure removes the new one ' +
        'and leaves the old as it was. The result has the new certificate (and key when the service made it) ' +
        'and `rotation`: the replaced certificate and its retirement. 400 ROTATION_MODE_REQUIRED when the ' +
        "service does not know how the current certificate was made and no mode is sent; 409 when the thing's " +
        'current certificate is ambiguous (several ACTIVE: send certificateId) or missing.',
      parameters: submissionHeaders,
      requestBody: body(RotationRequest, 'How to make the new certificate and when to retire the old'),
      responses: {
        '201': reply('Rotated within the Prefer: wait time', schemaRef('ProvisionedNow'), {
          Location: 'The task',
        }),
        '202': reply('Accepted; poll the task at Location', schemaRef('TaskAccepted'), {
          Location: 'The task',
        }),
        ...errors(...BODY_ERRORS, '404', '409'),
      },
    },
  },
  '/certificates/rotations': {
    post: {
      tags: ['Certificates'],
      operationId: 'rotateFleetCertificates',
      summary:
        'Rotate the certificates of a fleet: a thing group, a list of things (inline or a file), or every certificate ' +
        'expiring within N days',
      description:
        'A bulk task (followed, cancelled, retried and read at /bulkthings/{taskId}; its provisioningTemplateId ' +
        "is ':rotation'): every line rotates one thing's certificate exactly as POST /things/{thingName}/certificates/rotations " +
        'would, with these settings. A thing that cannot be rotated (gone, no current certificate, several) fails its ' +
        'line with the code a single rotation answers. Results carry each new certificate (and key when the service ' +
        'made it) and `rotation`. 400 for no selection or two, mode aws-csr or registered (they need something from ' +
        'each device), cdfProvisioningParameters without mode; 404 THING_GROUP_NOT_FOUND.',
      parameters: [idempotencyKey],
      requestBody: body(
        FleetRotationRequest,
        'Which things, how to make their new certificates, when to retire the old',
      ),
      responses: {
        '200': reply('The task this Idempotency-Key already made', schemaRef('BulkRegistrationTask')),
        '202': reply('Accepted; follow it at Location', schemaRef('BulkRegistrationTask'), {
          Location: 'The bulk task',
        }),
        ...errors(...BODY_ERRORS, '404', '409'),
      },
    },
  },
};
