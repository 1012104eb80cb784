import Type from 'typebox';
import { validator } from '../validation.js';
import { ClientTagError } from './errors.js';

/**
 * The submitting system's own tag (`x-client` header on the API, `client` message attribute on the
 * requests queue): kept on the task and carried on its events as the `client` attribute, so each
 * upstream system's subscription can filter for its own events. Short and visible ASCII, so that
 * it is the same string in a filter policy, a header and a log line.
 */
export const ClientTag = Type.String({
  pattern: '^[\\x21-\\x7e]{1,64}$',
  description: "The submitting system's tag: 1-64 visible ASCII characters, no spaces",
});

const clientTag = validator(ClientTag);

export function isClientTag(value: string): boolean {
  return clientTag.check(value);
}

/** The tag, or undefined when none was sent; a malformed one is refused, naming `where` it came from. */
export function clientTagOf(value: string | undefined, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isClientTag(value)) throw new ClientTagError(where);
  return value;
}
