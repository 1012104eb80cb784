import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { describeError } from '../src/errors.js';
import { payloadTooLarge } from './errors.js';
import { asServiceError, httpStatusOf } from './http-status.js';
import type { ApiServices } from './compose.js';
import { negotiate, negotiatedContentType } from './media-type.js';
import { openApiRoutes } from './openapi.js';
import { bulkRoutes } from './routes/bulk.js';
import { certificateRoutes } from './routes/certificates.js';
import { healthRoutes, type PrometheusText } from './routes/health.js';
import { provisioningRoutes } from './routes/provisioning.js';
import { rotationRoutes } from './routes/rotations.js';
import { templateRoutes } from './routes/templates.js';
import { thingRoutes } from './routes/things.js';

const MAX_BODY_BYTES = 256 * 1024;
/** Inline bulk lines (at most 10,000); larger jobs name a file in S3 instead. */
const MAX_BULK_BODY_BYTES = 8 * 1024 * 1024;

/**
 * The HTTP API, one Hono app for both the local server and the Lambda entry. Every error becomes
 * `{message, code}` with the status its kind maps to; nothing unexpected leaks beyond a 500.
 * With `prometheus` (the local server; not Lambda) it also serves `GET /metrics`.
 */
export function createApp(services: ApiServices, options: { prometheus?: PrometheusText } = {}): Hono {
  const app = new Hono();
  app.use(negotiatedContentType);
  app.use(negotiate);
  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw payloadTooLarge(maxSize);
      },
    });
  const defaultLimit = limit(MAX_BODY_BYTES);
  const bulkLimit = limit(MAX_BULK_BODY_BYTES);
  app.use((c, next) => (c.req.path === '/bulkthings' ? bulkLimit(c, next) : defaultLimit(c, next)));
  app.route('/', provisioningRoutes(services));
  app.route('/', bulkRoutes(services));
  app.route('/', thingRoutes(services));
  app.route('/', rotationRoutes(services));
  app.route('/', certificateRoutes(services));
  app.route('/', templateRoutes(services));
  app.route('/', openApiRoutes());
  app.route('/', healthRoutes(services.readiness, options.prometheus));

  app.notFound((c) =>
    c.json({ code: 'ROUTE_NOT_FOUND', message: `No such endpoint: ${c.req.method} ${c.req.path}` }, 404),
  );
  app.onError((e, c) => {
    const error = asServiceError(e);
    const status = httpStatusOf(error);
    services.logger.log(status >= 500 ? 'error' : 'info', 'request failed', {
      method: c.req.method,
      path: c.req.path,
      status,
      code: error.code,
      error: describeError(e),
      stack: status === 500 && e instanceof Error ? e.stack : undefined,
    });
    return c.json({ message: error.message, code: error.code }, status);
  });
  return app;
}
