import { describe, expect, it } from '@jest/globals';
import { collectPages, type Page } from '../../../src/things/paginate.js';

/** Pages as AWS returns them: each names the token of the next, the last names none. */
function pages(...contents: [string[], string | null | undefined][]) {
  const asked: (string | undefined)[] = [];
  const byToken = new Map<string | undefined, Page<string>>();
  contents.forEach(([items, next], i) => byToken.set(i === 0 ? undefined : `t${i}`, { items, next }));
  return {
    asked,
    fetch: (token: string | undefined) => {
      asked.push(token);
      const page = byToken.get(token);
      if (page === undefined) throw new Error(`no page for ${String(token)}`);
      return Promise.resolve(page);
    },
  };
}

describe('collectPages', () => {
  it('follows every token to the last page, in order', async () => {
    const p = pages([['a', 'b'], 't1'], [['c'], 't2'], [['d'], undefined]);
    expect(await collectPages(p.fetch, 'listing')).toEqual(['a', 'b', 'c', 'd']);
    expect(p.asked).toEqual([undefined, 't1', 't2']);
  });

  it.each([[null], [''], [undefined]])('ends on a next token of %p', async (end) => {
    const p = pages([['a'], 't1'], [['b'], end]);
    expect(await collectPages(p.fetch, 'listing')).toEqual(['a', 'b']);
  });

  it('accepts pages without items', async () => {
    const p = pages([[], 't1'], [['x'], undefined]);
    expect(await collectPages(p.fetch, 'listing')).toEqual(['x']);
  });

  it('refuses a token that repeats instead of looping for ever', async () => {
    const p = pages([['a'], 't1'], [['b'], 't1']);
    await expect(collectPages(p.fetch, 'listing things')).rejects.toMatchObject({
      code: 'AWS_PAGINATION_LOOP',
      kind: 'internal',
    });
  });
});
