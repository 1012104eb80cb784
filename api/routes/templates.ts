import { Hono, type Context } from 'hono';
import { checkTemplate } from '../../src/template-admin/check-template.js';
import { ListQueryInvalidError, TemplateIdInvalidError } from '../../src/template-admin/errors.js';
import { TemplateId } from '../../src/tasks/request.js';
import { validator } from '../../src/validation.js';
import { audited, noteAudit } from '../audit.js';
import type { ApiServices } from '../compose.js';

const templateIdShape = validator(TemplateId);
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/**
 * Templates as an API (CDF made people copy files into S3). Storage stays the bucket's
 * `<prefix><id><suffix>` objects, so hand-placed templates and CDF installations keep working.
 * A stored template is checked completely first; after a write or delete this process forgets
 * its cached copy, and other processes notice by ETag within TEMPLATE_CACHE_SECONDS.
 */
export function templateRoutes(services: ApiServices): Hono {
  const app = new Hono();
  const bucket = services.templateBucket;

  app.get('/templates', async (c) => {
    const limit = pageSize(c.req.query('maxResults'));
    const page = await bucket.list(limit, c.req.query('nextToken'));
    return c.json(page, 200);
  });

  app.get('/templates/:templateId', async (c) => {
    const stored = await bucket.read(templateIdOf(c));
    // As stored, byte for byte: what a PUT sent, or a file placed in the bucket by hand.
    return c.body(stored.body, 200, {
      'Content-Type': 'application/json',
      ...(stored.etag !== undefined ? { ETag: stored.etag } : {}),
      ...(stored.lastModified !== undefined ? { 'Last-Modified': stored.lastModified.toUTCString() } : {}),
    });
  });

  app.put('/templates/:templateId', audited(services.audit, 'template.put'), async (c) => {
    noteAudit(c, { templateId: c.req.param('templateId') });
    const templateId = templateIdOf(c);
    const body = await c.req.text();
    const checked = checkTemplate(body, services.offeredModes);
    const { etag, created } = await bucket.write(templateId, body);
    services.templates.forget(templateId);
    services.logger.info(created ? 'template created' : 'template replaced', { templateId });
    const saved = {
      templateId,
      ...(checked.certificateMode !== undefined ? { certificateMode: checked.certificateMode } : {}),
      requiredParameters: checked.callerParameters,
    };
    return c.json(saved, created ? 201 : 200, {
      ...(etag !== undefined ? { ETag: etag } : {}),
      ...(created ? { Location: `/templates/${templateId}` } : {}),
    });
  });

  app.delete('/templates/:templateId', audited(services.audit, 'template.delete'), async (c) => {
    noteAudit(c, { templateId: c.req.param('templateId') });
    const templateId = templateIdOf(c);
    await bucket.remove(templateId);
    services.templates.forget(templateId);
    services.logger.info('template deleted', { templateId });
    return c.body(null, 204);
  });

  return app;
}

function templateIdOf(c: Context): string {
  const templateId = c.req.param('templateId') ?? '';
  if (templateIdShape.problems(templateId).length > 0) throw new TemplateIdInvalidError(templateId);
  return templateId;
}

function pageSize(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE;
  const n = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_PAGE)) {
    throw new ListQueryInvalidError(
      `maxResults must be a whole number from 1 to ${MAX_PAGE}, not '${raw.slice(0, 20)}'`,
    );
  }
  return n;
}
