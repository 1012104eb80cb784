import { Hono } from 'hono';
import { bulkTaskView } from '../../src/bulk/view.js';
import { FleetRotationRequest, RotationRequest } from '../../src/rotation/schemas.js';
import { submitFleetRotation } from '../../src/rotation/submit-fleet-rotation.js';
import { submitRotation } from '../../src/rotation/submit-rotation.js';
import { validator } from '../../src/validation.js';
import { audited, noteAudit } from '../audit.js';
import type { ApiServices } from '../compose.js';
import { idempotencyKeyOf } from '../idempotency-key.js';
import { readBody } from '../read-body.js';
import { answerSubmitted, clientOf } from '../task-answer.js';

const rotationRequest = validator(RotationRequest);
const fleetRotationRequest = validator(FleetRotationRequest);

/**
 * `POST /things/{thingName}/certificates/rotations`: a provisioning task that gives the thing a
 * new certificate and retires the old one as asked; polled, waited for and answered as `POST /things`.
 * `POST /certificates/rotations`: the same for a fleet, as a bulk task followed at /bulkthings/{id}.
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

  app.post('/certificates/rotations', audited(services.audit, 'certificates.rotate'), async (c) => {
    const body = await readBody(c, fleetRotationRequest);
    const idempotencyKey = idempotencyKeyOf(c);
    const client = clientOf(c);
    const { task, created } = await submitFleetRotation(
      body,
      { idempotencyKey, client },
      services.fleetRotations,
    );
    noteAudit(c, { bulkTaskId: task.taskId });
    c.header('Location', `/bulkthings/${task.taskId}`);
    return c.json(bulkTaskView(task), created ? 202 : 200);
  });

  return app;
}
