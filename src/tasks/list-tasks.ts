import type { ListingIndex, ListingQuery } from './listing-index.js';
import type { Task } from './model.js';
import { withoutKey } from './task-key.js';

/** Single-device tasks, newest first, from the listing index (never a scan). */
export async function listTasks(
  index: ListingIndex,
  query: ListingQuery,
  oldest: Date,
): Promise<{ tasks: Task[]; nextToken?: string }> {
  const page = await index.page('task', query, oldest);
  const items = await index.read(page.keys);
  return {
    tasks: items.map((item) => withoutKey(item) as Task),
    ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}),
  };
}
