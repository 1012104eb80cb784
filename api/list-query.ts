import type { Context } from 'hono';
import Type, { type TSchema } from 'typebox';
import { InvalidInputError } from '../src/errors.js';
import type { ListingQuery } from '../src/tasks/listing-index.js';
import { TemplateId } from '../src/tasks/request.js';
import { validator } from '../src/validation.js';

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;

/**
 * The query of `GET /bulkthings` and `GET /provisioningtasks`: status (one of `statuses`),
 * templateId, source (where `sources` are given), since and until (ISO 8601 date-times, inclusive),
 * limit (1-100, default 25) and nextToken. Anything else, or a value out of range, is a 400 that
 * names it.
 */
export function listQuery(
  c: Context,
  statuses: readonly string[],
  sources?: readonly string[],
): ListingQuery {
  const schema = Type.Object(
    {
      status: Type.Optional(Type.Enum([...statuses])),
      templateId: Type.Optional(TemplateId),
      ...(sources !== undefined ? { source: Type.Optional(Type.Enum([...sources])) } : {}),
      since: Type.Optional(Type.String({ maxLength: 40 })),
      until: Type.Optional(Type.String({ maxLength: 40 })),
      limit: Type.Optional(Type.String({ pattern: '^\\d{1,3}$' })),
      nextToken: Type.Optional(Type.String({ maxLength: 2048 })),
    },
    { additionalProperties: false },
  );
  const raw = c.req.query();
  const problems = validator(schema as TSchema).problems(raw);
  if (problems.length > 0)
    throw new InvalidInputError('LIST_QUERY_INVALID', `The list query is invalid: ${problems.join('; ')}`);
  const limit = raw.limit === undefined ? DEFAULT_LIMIT : Number(raw.limit);
  if (limit < 1 || limit > MAX_LIMIT)
    throw new InvalidInputError('LIST_QUERY_INVALID', `limit must be 1 to ${MAX_LIMIT}, not ${limit}`);
  const since = instant(raw.since, 'since');
  const until = instant(raw.until, 'until');
  if (since !== undefined && until !== undefined && since > until)
    throw new InvalidInputError('LIST_QUERY_INVALID', `since (${since}) is after until (${until})`);
  return {
    limit,
    ...(raw.status !== undefined ? { status: raw.status } : {}),
    ...(raw.templateId !== undefined ? { templateId: raw.templateId } : {}),
    ...(raw.source !== undefined ? { source: raw.source } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(raw.nextToken !== undefined ? { nextToken: raw.nextToken } : {}),
  };
}

/** An ISO 8601 date-time (a date alone means its midnight, UTC), as the index's sort keys write it. */
function instant(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
  const ms = iso.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms))
    throw new InvalidInputError(
      'LIST_QUERY_INVALID',
      `${name} must be an ISO 8601 date or date-time such as 2026-11-30T08:00:00Z, not '${value}'`,
    );
  return new Date(ms).toISOString();
}
