import Type from 'typebox';
import { IOT } from '../templates/iot-constraints.js';
import { validator } from '../validation.js';
import { InventoryQueryError } from './errors.js';

/**
 * `GET /certificates`' query, checked parameter by parameter: each refusal names the parameter
 * and what to send, and a parameter this endpoint does not know (a misspelt `expiringWithin`) is
 * refused rather than ignored, since ignoring it would answer a different question.
 */
export interface ListQuery {
  /** Not-after within this many days from now; undefined: every certificate in service. */
  expiringWithinDays?: number;
  thingName?: string;
  limit: number;
  nextToken?: string;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
export const MAX_DAYS = 36_500;
const KNOWN = ['expiringWithinDays', 'thingName', 'limit', 'nextToken'];

export function parseListQuery(raw: Record<string, string>): ListQuery {
  const unknown = Object.keys(raw).filter((name) => !KNOWN.includes(name));
  if (unknown.length > 0) {
    throw new InventoryQueryError(
      'QUERY_PARAMETER_UNKNOWN',
      `Unknown query parameter(s) ${unknown.map((n) => `'${n.slice(0, 40)}'`).join(', ')}; ` +
        `this endpoint takes ${KNOWN.join(', ')}`,
    );
  }
  const query: ListQuery = { limit: DEFAULT_LIMIT };
  if (raw.expiringWithinDays !== undefined) {
    query.expiringWithinDays = wholeNumber('expiringWithinDays', raw.expiringWithinDays, 0, MAX_DAYS);
  }
  if (raw.limit !== undefined) query.limit = wholeNumber('limit', raw.limit, 1, MAX_LIMIT);
  if (raw.thingName !== undefined) {
    if (!IOT.thingName.pattern.test(raw.thingName)) {
      throw new InventoryQueryError(
        'QUERY_PARAMETER_INVALID',
        `thingName '${raw.thingName.slice(0, 140)}' is not a thing name: use 1-128 of a-z A-Z 0-9 : _ -`,
      );
    }
    query.thingName = raw.thingName;
  }
  if (raw.nextToken !== undefined) query.nextToken = raw.nextToken;
  return query;
}

function wholeNumber(name: string, text: string, min: number, max: number): number {
  const n = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) {
    throw new InventoryQueryError(
      'QUERY_PARAMETER_INVALID',
      `${name} must be a whole number from ${min} to ${max}, not '${text.slice(0, 20)}'`,
    );
  }
  return n;
}

/**
 * The page token: the query it belongs to, the cut-off the first page computed (so every page of
 * one listing answers the same question however long the client takes), and where the last page
 * ended. Opaque to callers; a token that was not issued for this query is refused.
 */
const Token = Type.Object(
  {
    days: Type.Union([Type.Integer({ minimum: 0, maximum: MAX_DAYS }), Type.Null()]),
    thing: Type.Union([Type.String({ maxLength: 128 }), Type.Null()]),
    before: Type.Union([Type.String({ format: 'date-time', maxLength: 30 }), Type.Null()]),
    after: Type.String({ pattern: '^[0-9T:.Z-]{20,30}#[0-9a-fA-F]{64}$' }),
  },
  { additionalProperties: false },
);
const token = validator(Token);

export interface PagePosition {
  /** ISO cut-off: not-after before it; null: none. */
  before: string | null;
  /** The sort key of the last certificate already returned. */
  after: string;
}

export function encodeToken(query: ListQuery, position: PagePosition): string {
  const body = {
    days: query.expiringWithinDays ?? null,
    thing: query.thingName ?? null,
    ...position,
  };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export function decodeToken(query: ListQuery, text: string): PagePosition {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    body = undefined;
  }
  const refuse = (why: string) =>
    new InventoryQueryError('NEXT_TOKEN_INVALID', `nextToken ${why}; start again without it`);
  if (text.length > 1000 || !token.check(body)) throw refuse('is not one this API issued');
  if (body.days !== (query.expiringWithinDays ?? null) || body.thing !== (query.thingName ?? null)) {
    throw refuse('belongs to a listing with other expiringWithinDays or thingName');
  }
  return { before: body.before, after: body.after };
}
