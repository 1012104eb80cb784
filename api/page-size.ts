import { InvalidInputError } from '../src/errors.js';

/**
 * A page size from a query parameter: a whole number from 1 to `max`, or `fallback` when absent.
 * Anything else (`1.5`, `-3`, `ten`) is refused with the parameter's name, never passed on to a
 * store that would fail on it.
 */
export function pageSize(
  raw: string | undefined,
  { name, fallback, max }: { name: string; fallback: number; max: number },
): number {
  if (raw === undefined) return fallback;
  const n = /^\d{1,7}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= max))
    throw new InvalidInputError(
      'LIST_QUERY_INVALID',
      `${name} must be a whole number from 1 to ${max}, not '${raw.slice(0, 20)}'`,
    );
  return n;
}
