/**
 * Reads several sorted partitions as one sorted list: a k-way merge that fetches from a partition
 * only when its next item could be the next one out, so a page of `limit` items costs about
 * `limit` items read plus one small query per partition, however the items are spread.
 */
export interface PartitionPage<T> {
  items: T[];
  /** Where the partition's next page starts; undefined: the partition has no more. */
  next: Record<string, unknown> | undefined;
}

export type ReadPartition<T> = (
  partition: string,
  start: Record<string, unknown> | undefined,
  limit: number,
) => Promise<PartitionPage<T>>;

export interface Merged<T> {
  items: T[];
  /** Whether any partition may hold more after the last item returned. */
  more: boolean;
}

interface Cursor<T> {
  partition: string;
  buffer: T[];
  next: Record<string, unknown> | undefined;
  started: boolean;
}

export async function mergePartitions<T>(
  partitions: readonly string[],
  read: ReadPartition<T>,
  sortKey: (item: T) => string,
  limit: number,
): Promise<Merged<T>> {
  const firstPage = Math.max(1, Math.ceil(limit / partitions.length) + 1);
  const cursors: Cursor<T>[] = partitions.map((partition) => ({
    partition,
    buffer: [],
    next: undefined,
    started: false,
  }));
  const refill = async (cursor: Cursor<T>, size: number) => {
    const page = await read(cursor.partition, cursor.next, size);
    cursor.buffer.push(...page.items);
    cursor.next = page.next;
    cursor.started = true;
  };
  const exhausted = (c: Cursor<T>) => c.started && c.next === undefined;
  await Promise.all(cursors.map((c) => refill(c, firstPage)));

  const items: T[] = [];
  while (items.length < limit) {
    // A partition whose buffer ran dry but which has more must be read before choosing (a page
    // may come back empty and still have a next one).
    for (;;) {
      const dry = cursors.filter((c) => c.buffer.length === 0 && !exhausted(c));
      if (dry.length === 0) break;
      await Promise.all(dry.map((c) => refill(c, Math.max(1, limit - items.length))));
    }
    let best: Cursor<T> | undefined;
    for (const c of cursors) {
      const head = c.buffer[0];
      if (head === undefined) continue;
      const bestHead = best?.buffer[0];
      if (bestHead === undefined || sortKey(head) < sortKey(bestHead)) best = c;
    }
    const item = best?.buffer.shift();
    if (item === undefined) break;
    items.push(item);
  }
  return { items, more: cursors.some((c) => c.buffer.length > 0 || !exhausted(c)) };
}
