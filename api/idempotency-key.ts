import type { Context } from 'hono';
import { InvalidInputError } from '../src/errors.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The request's `Idempotency-Key` header, if it sent one: 1-255 visible ASCII characters. */
export function idempotencyKeyOf(c: Context): string | undefined {
  const key = c.req.header('idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new InvalidInputError(
      'IDEMPOTENCY_KEY_INVALID',
      'Idempotency-Key must be 1–255 visible ASCII characters',
    );
  }
  return key;
}
