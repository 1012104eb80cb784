import type { Context } from 'hono';
import type { TSchema, Static } from 'typebox';
import { InvalidInputError } from '../src/errors.js';
import type { Validator } from '../src/validation.js';
import { malformedJson } from './errors.js';

/** Parses and validates a JSON body; every failure is a 400 that names the offending field. */
export async function readBody<T extends TSchema>(c: Context, check: Validator<T>): Promise<Static<T>> {
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch (e: unknown) {
    throw malformedJson(e instanceof Error ? e.message : 'unreadable');
  }
  const problems = check.problems(body);
  if (problems.length > 0) {
    throw new InvalidInputError('REQUEST_INVALID', `The request body is invalid: ${problems.join('; ')}`);
  }
  return body as Static<T>;
}
