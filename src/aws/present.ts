import { InternalError } from '../errors.js';

/** The SDK types every response field as optional; this names the one AWS failed to send. */
export function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new InternalError('AWS_RESPONSE_INCOMPLETE', `AWS answered without ${what}`);
  return value;
}
