import { Hono } from 'hono';
import { setCertificateStatus, settableStatus } from '../../src/things/certificate-status.js';
import { deleteThing } from '../../src/things/delete-thing.js';
import { CertificateStatusPartialError } from '../../src/things/errors.js';
import { getThing } from '../../src/things/get-thing.js';
import { PatchCertificateRequest } from '../../src/things/schemas.js';
import { validator } from '../../src/validation.js';
import { audited, noteAudit } from '../audit.js';
import type { ApiServices } from '../compose.js';
import { statusOfKind } from '../http-status.js';
import { readBody } from '../read-body.js';

const patchRequest = validator(PatchCertificateRequest);

/** CDF's thing calls: read, delete, and set the status of every certificate. */
export function thingRoutes(services: ApiServices): Hono {
  const app = new Hono();
  const deps = { iot: services.iot, features: services.config.features };

  app.get('/things/:thingName', async (c) => {
    const thing = await getThing(c.req.param('thingName'), deps);
    return c.json(thing, 200);
  });

  app.delete('/things/:thingName', audited(services.audit, 'thing.delete'), async (c) => {
    const thingName = c.req.param('thingName');
    noteAudit(c, { thingName });
    const outcome = await deleteThing(thingName, deps);
    services.logger.info('thing deleted', { thingName, ...outcome });
    return c.body(null, 204);
  });

  app.patch('/things/:thingName/certificates', audited(services.audit, 'certificates.status'), async (c) => {
    const thingName = c.req.param('thingName');
    noteAudit(c, { thingName });
    const { certificateStatus } = await readBody(c, patchRequest);
    const status = settableStatus(certificateStatus);
    try {
      const outcome = await setCertificateStatus(thingName, status, deps);
      services.logger.info('certificate status set', { thingName, status, ...outcome });
      return c.body(null, 204);
    } catch (e: unknown) {
      if (!(e instanceof CertificateStatusPartialError)) throw e;
      // The one error whose body says more than {message, code}: which certificates changed.
      services.logger.warn('certificate status partly set', {
        thingName,
        status,
        code: e.code,
        changed: e.changed,
        notChanged: e.notChanged,
        error: e.message,
      });
      const body = { code: e.code, message: e.message, changed: e.changed, notChanged: e.notChanged };
      return c.json(body, statusOfKind(e.kind));
    }
  });

  return app;
}
