import type { TSchema } from 'typebox';
import { CDF_MEDIA_TYPE } from '../media-type.js';

/** Small builders for OpenAPI 3.1 operations, whose schemas are the code's typebox schemas. */
export type Json = Record<string, unknown>;
export type Paths = Record<string, Record<string, unknown>>;

const MEDIA_TYPES = [CDF_MEDIA_TYPE, 'application/json'];

export const schemaRef = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
export const parameterRef = (name: string): Json => ({ $ref: `#/components/parameters/${name}` });

/** A body in both media types the API speaks. */
export function content(schema: TSchema | Json): Json {
  return Object.fromEntries(MEDIA_TYPES.map((type) => [type, { schema }]));
}

export function body(schema: TSchema | Json, description: string): Json {
  return { required: true, description, content: content(schema) };
}

export function reply(description: string, schema?: TSchema | Json, headers?: Record<string, string>): Json {
  return {
    description,
    ...(schema !== undefined ? { content: content(schema) } : {}),
    ...(headers !== undefined
      ? {
          headers: Object.fromEntries(
            Object.entries(headers).map(([name, text]) => [
              name,
              { description: text, schema: { type: 'string' } },
            ]),
          ),
        }
      : {}),
  };
}

/** What every error answer looks like, by status. */
export const ERROR_STATUSES = {
  '400': 'Invalid input; the message says what to fix',
  '404': 'Not found',
  '406': 'Accept header cannot be satisfied',
  '409': 'Conflicts with the current state',
  '413': 'Body too large',
  '415': 'Content-Type is not JSON',
  '500': 'Unexpected failure (logged)',
  '503': 'AWS is unavailable or throttling; retry',
} as const;
export type ErrorStatus = keyof typeof ERROR_STATUSES;

/** Error replies for an operation: the ones it names, plus those any request can get. */
export function errors(...statuses: ErrorStatus[]): Json {
  const all = new Set<ErrorStatus>([...statuses, '406', '500', '503']);
  return Object.fromEntries(
    [...all].sort().map((status) => [status, { $ref: `#/components/responses/Error${status}` }]),
  );
}

/** Body-carrying requests can also be refused for their size or media type. */
export const BODY_ERRORS: ErrorStatus[] = ['400', '413', '415'];
