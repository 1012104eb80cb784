import { Hono } from 'hono';
import { randomUUID } from 'node:crypto';
import { BackfillNotFoundError, CertificateUnknownError } from '../../src/inventory/errors.js';
import { listCertificates } from '../../src/inventory/list-certificates.js';
import { parseListQuery } from '../../src/inventory/list-query.js';
import { RetireRequest } from '../../src/inventory/schemas.js';
import { checkCertificateId } from '../../src/retirement/retire-certificate.js';
import { retirementView } from '../../src/retirement/retirements.js';
import { InvalidInputError } from '../../src/errors.js';
import { validator } from '../../src/validation.js';
import type { ApiServices } from '../compose.js';
import { readBody } from '../read-body.js';

const retireRequest = validator(RetireRequest);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The certificate lifecycle's endpoints: the inventory (what expires when), one certificate with
 * its retirement, retiring a thing's certificate now or at a time, and the backfill.
 */
export function certificateRoutes(services: ApiServices): Hono {
  const app = new Hono();
  const { lifecycle } = services;

  app.get('/certificates', async (c) => {
    const query = parseListQuery(c.req.query());
    const page = await listCertificates(query, {
      reader: lifecycle.reader,
      iot: services.iot,
      now: lifecycle.now,
    });
    return c.json(page, 200);
  });

  app.post('/certificates/backfill', async (c) => {
    const job = await lifecycle.jobs.start(randomUUID(), lifecycle.now().toISOString());
    c.header('Location', `/certificates/backfill/${job.jobId}`);
    return c.json(job, 202);
  });

  app.get('/certificates/backfill/:jobId', async (c) => {
    const jobId = c.req.param('jobId');
    if (!UUID.test(jobId)) {
      throw new InvalidInputError('BACKFILL_ID_INVALID', `'${jobId.slice(0, 64)}' is not a backfill job id`);
    }
    const job = await lifecycle.jobs.get(jobId);
    if (job === undefined) throw new BackfillNotFoundError(jobId);
    const { marker: _m, claimOwner: _o, claimUntil: _u, ...view } = job;
    return c.json(view, 200);
  });

  app.get('/certificates/:certificateId', async (c) => {
    const certificateId = checkCertificateId(c.req.param('certificateId'));
    const [certificate, retirement] = await Promise.all([
      lifecycle.reader.get(certificateId),
      lifecycle.schedule.get(certificateId),
    ]);
    if (certificate === undefined) throw new CertificateUnknownError(certificateId);
    return c.json(
      { ...certificate, ...(retirement !== undefined ? { retirement: retirementView(retirement) } : {}) },
      200,
    );
  });

  app.post('/things/:thingName/certificates/:certificateId/retire', async (c) => {
    const thingName = c.req.param('thingName');
    const certificateId = c.req.param('certificateId');
    // The body is optional: no body retires now, without force.
    const body = (await c.req.text()).trim() === '' ? {} : await readBody(c, retireRequest);
    if (body.at !== undefined) {
      if (body.force === true) {
        throw new InvalidInputError(
          'RETIRE_FORCE_SCHEDULED',
          'force applies to a retirement now only; a scheduled retirement never leaves a device without an ' +
            'ACTIVE certificate. Send either at or force',
        );
      }
      const { created, retirement } = await lifecycle.retirements.schedule({
        thingName,
        certificateId,
        at: new Date(body.at),
      });
      services.logger.info('certificate retirement scheduled', {
        thingName,
        certificateId,
        created,
        at: body.at,
      });
      return c.json(retirement, created ? 202 : 200);
    }
    const retired = await lifecycle.retirements.retireNow({
      thingName,
      certificateId,
      ...(body.force !== undefined ? { force: body.force } : {}),
    });
    services.logger.info('certificate retired', { thingName, certificateId, force: body.force === true });
    return c.json(retired, 200);
  });

  return app;
}
