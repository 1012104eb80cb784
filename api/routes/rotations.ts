import { Hono } from 'hono';
import { RotationRequest } from '../../src/rotation/schemas.js';
import { submitRotation } from '../../src/rotation/submit-rotation.js';
import { validator } from '../../src/validation.js';
import { audited, noteAudit } from '../audit.js';
import type { ApiServices } from '../compose.js';
import { idempotencyKeyOf } from '../idempotency-key.js';
import { readBody } from '../read-body.js';
import { answerSubmitted, clientOf } from '../task-answer.js';

const rotationRequest = validator(RotationRequest);

/**
 * `POST /things/{thingName}/certificates/rotations`: a provisioning task that gives the thing a
 * new certificate and retires the old one as asked; polled, waited for and answered as `POST /things`.
 */
export function rotationRoutes(services: ApiServices): Hono {
  const app = new Hono();

  app.post(
    '/things/:thingName/certificates/rotations',
    audited(services.audit, 'certificate.rotate'),
    async (c) => {
      const thingName = c.req.param('thingName');
      const body = await readBody(c, rotationRequest);
      const idempotencyKey = idempotencyKeyOf(c);
      const client = clientOf(c);
      noteAudit(c, { thingName });
      const { task } = await submitRotation(thingName, body, { idempotencyKey, client }, services.rotations);
      noteAudit(c, { taskId: task.taskId });
      return answerSubmitted(c, task, services);
    },
  );

  return app;
}
