import type { ListingIndex, ListingQuery } from '../tasks/listing-index.js';
import { withoutKey } from '../tasks/task-key.js';
import type { BulkTask } from './model.js';

/**
 * Bulk tasks, newest first, from the listing index (never a scan). Their counts are the finished
 * chunks' (GET /bulkthings/{id} adds the chunks being worked on).
 */
export async function listBulkTasks(
  index: ListingIndex,
  query: ListingQuery,
  oldest: Date,
): Promise<{ tasks: BulkTask[]; nextToken?: string }> {
  const page = await index.page('bulk', query, oldest);
  const items = await index.read(page.keys);
  return {
    tasks: items.map((item) => {
      const {
        activeChunks: _active,
        doneChunks: _done,
        ...task
      } = withoutKey(item) as BulkTask & {
        activeChunks?: unknown;
        doneChunks?: unknown;
      };
      return task;
    }),
    ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}),
  };
}
