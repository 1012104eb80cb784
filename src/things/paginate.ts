import { InternalError } from '../errors.js';

/** One page of an AWS list call: its items, and the token (or marker) of the next page. */
export interface Page<T> {
  items: readonly T[] | undefined;
  next: string | null | undefined;
}

/**
 * Follows a list call's pagination to the end. AWS ends a listing with an absent token; some
 * services and emulators send `null` or `""` instead, so all three end it. A token seen twice
 * would loop for ever, so it is an error.
 */
export async function collectPages<T>(
  fetchPage: (token: string | undefined) => Promise<Page<T>>,
  what: string,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    items.push(...(page.items ?? []));
    token = page.next ?? undefined;
    if (token === '') token = undefined;
    if (token !== undefined) {
      if (seen.has(token)) {
        throw new InternalError('AWS_PAGINATION_LOOP', `AWS repeated a page token while ${what}`);
      }
      seen.add(token);
    }
  } while (token !== undefined);
  return items;
}
