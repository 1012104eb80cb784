import { describe, expect, it } from '@jest/globals';
import { NameIndex } from '../../../cli/input/name-index.js';

describe('the pre-flight index of thing names', () => {
  it('gives the first line of every repeated name across growth, and nothing for new names', () => {
    const index = new NameIndex();
    const count = 50_000;
    const repeated: number[] = [];
    for (let i = 0; i < count; i++) if (index.firstLineOf(`pump-${i}`, i + 2) !== undefined) repeated.push(i);
    expect(repeated).toEqual([]);
    for (let i = 0; i < count; i += 997) expect(index.firstLineOf(`pump-${i}`, count + 2 + i)).toBe(i + 2);
    expect(index.firstLineOf('pumpe-ä', 1)).toBeUndefined();
    expect(index.firstLineOf('pumpe-ä', 9)).toBe(1);
    expect(index.firstLineOf('pumpe-a', 10)).toBeUndefined();
  });

  it('keeps every name on its first line across pages and rehashes, however often it repeats', () => {
    const index = new NameIndex();
    const count = 20_000;
    for (let i = 0; i < count; i++) expect(index.firstLineOf(`n${i}`, i + 1)).toBeUndefined();
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < count; i++) expect(index.firstLineOf(`n${i}`, count + i + 1)).toBe(i + 1);
  });
});
