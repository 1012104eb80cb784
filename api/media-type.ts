import type { Context, MiddlewareHandler } from 'hono';
import { notAcceptable, unsupportedMediaType } from './errors.js';

/**
 * CDF's vendor media type, plus plain JSON (CDF answered 415 with an empty body unless Accept
 * matched exactly; we accept both and say what is wrong when neither fits).
 */
export const CDF_MEDIA_TYPE = 'application/vnd.aws-cdf-v1.0+json';
const ACCEPTED = new Set([CDF_MEDIA_TYPE, 'application/json']);
// NDJSON: bulk results can be streamed.
const ACCEPTABLE = new Set([...ACCEPTED, '*/*', 'application/*', 'application/x-ndjson']);
/** Bodies besides JSON, by route: a bulk input can be sent as the CSV file itself. */
const OTHER_BODIES: Record<string, readonly string[]> = { 'POST /bulkthings': ['text/csv'] };

const mediaTypes = (header: string) =>
  header.split(',').map((part) => (part.split(';')[0] ?? '').trim().toLowerCase());

/**
 * Refuses what cannot be answered (406) or read (415). Only a request that carries a body needs a
 * JSON Content-Type: `curl -X POST .../cancel` sends none, and has nothing to be refused for.
 */
export const negotiate: MiddlewareHandler = async (c, next) => {
  const accept = c.req.header('accept');
  if (accept !== undefined && accept.trim() !== '' && !mediaTypes(accept).some((t) => ACCEPTABLE.has(t))) {
    throw notAcceptable(accept);
  }
  if (hasBody(c)) {
    const contentType = c.req.header('content-type');
    const type = contentType === undefined ? undefined : mediaTypes(contentType)[0];
    const others = OTHER_BODIES[`${c.req.method} ${c.req.path}`] ?? [];
    if (type === undefined || !(ACCEPTED.has(type) || others.includes(type))) {
      throw unsupportedMediaType(
        contentType,
        `send application/vnd.aws-cdf-v1.0+json or application/json${others.map((t) => ` or ${t}`).join('')}`,
      );
    }
  }
  await next();
};

/**
 * Every JSON answer (errors included) in the vendor type when the caller asked for it, else in
 * plain JSON: once here rather than at each route. Register it first, so it sees the answers of
 * the middleware after it and of the error handler too.
 */
export const negotiatedContentType: MiddlewareHandler = async (c, next) => {
  await next();
  const type = c.res.headers.get('content-type');
  if (type !== null && mediaTypes(type)[0] === 'application/json') {
    c.res.headers.set('content-type', responseMediaType(c));
  }
};

/** Answer in the vendor type when the caller asked for it, else in plain JSON. */
function responseMediaType(c: Context): string {
  const accept = c.req.header('accept') ?? '';
  return mediaTypes(accept).includes(CDF_MEDIA_TYPE) ? CDF_MEDIA_TYPE : 'application/json';
}

/** HTTP/1.1: a request has a body when it says how long (and that is not 0) or that it is chunked. */
function hasBody(c: Context): boolean {
  const length = c.req.header('content-length');
  if (length !== undefined) return length.trim() !== '0';
  return c.req.header('transfer-encoding') !== undefined;
}
