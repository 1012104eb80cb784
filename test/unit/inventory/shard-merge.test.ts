import { describe, expect, it } from '@jest/globals';
import { mergePartitions, type ReadPartition } from '../../../src/inventory/shard-merge.js';

/** Partitions of sorted keys, read `limit` at a time; empty pages (with a next one) first where asked. */
function partitions(data: Record<string, string[]>, emptyPages: Record<string, number> = {}) {
  const reads: string[] = [];
  const empties = new Map(Object.entries(emptyPages));
  const read: ReadPartition<string> = (partition, start, limit) => {
    reads.push(partition);
    const from = typeof start?.at === 'number' ? start.at : 0;
    const all = data[partition] ?? [];
    const left = empties.get(partition) ?? 0;
    if (left > 0 && from < all.length) {
      empties.set(partition, left - 1);
      return Promise.resolve({ items: [], next: { at: from } });
    }
    const items = all.slice(from, from + limit);
    const end = from + items.length;
    return Promise.resolve({ items, next: end < all.length ? { at: end } : undefined });
  };
  return { read, reads };
}

const key = (s: string) => s;

describe('mergePartitions', () => {
  const data = { a: ['1', '4', '7', '8'], b: ['2', '3', '9'], c: [], d: ['5', '6'] };

  it('returns the smallest keys across partitions, in order, and whether there are more', async () => {
    const { read } = partitions(data);
    expect(await mergePartitions(Object.keys(data), read, key, 5)).toEqual({
      items: ['1', '2', '3', '4', '5'],
      more: true,
    });
    expect(await mergePartitions(Object.keys(data), read, key, 9)).toEqual({
      items: ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
      more: false,
    });
    expect(await mergePartitions(Object.keys(data), read, key, 20)).toMatchObject({ more: false });
  });

  it('keeps the order when a partition answers an empty page that has a next one', async () => {
    const { read } = partitions(data, { a: 3 });
    expect((await mergePartitions(Object.keys(data), read, key, 9)).items).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
  });

  it('reads each partition once for a small page of evenly spread keys', async () => {
    const even = { a: ['1', '5', '9'], b: ['2', '6'], c: ['3', '7'], d: ['4', '8'] };
    const { read, reads } = partitions(even);
    expect((await mergePartitions(Object.keys(even), read, key, 4)).items).toEqual(['1', '2', '3', '4']);
    expect(reads.sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});
