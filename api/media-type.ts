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

const mediaTypes = (header: string) =>
  header.split(',').map((part) => (part.split(';')[0] ?? '').trim().toLowerCase());

export const negotiate: MiddlewareHandler = async (c, next) => {
  const accept = c.req.header('accept');
  if (accept !== undefined && accept.trim() !== '' && !mediaTypes(accept).some((t) => ACCEPTABLE.has(t))) {
    throw notAcceptable(accept);
  }
  if (['POST', 'PUT', 'PATCH'].includes(c.req.method)) {
    const contentType = c.req.header('content-type');
    const type = contentType === undefined ? undefined : mediaTypes(contentType)[0];
    if (type === undefined || !ACCEPTED.has(type)) throw unsupportedMediaType(contentType);
  }
  await next();
};

/** Answer in the vendor type when the caller asked for it, else in plain JSON. */
export function responseMediaType(c: Context): string {
  const accept = c.req.header('accept') ?? '';
  return mediaTypes(accept).includes(CDF_MEDIA_TYPE) ? CDF_MEDIA_TYPE : 'application/json';
}
