import { describe, expect, it } from '@jest/globals';
import { pageSize } from '../../../api/page-size.js';

describe('pageSize', () => {
  const options = { name: 'limit', fallback: 100, max: 1000 };

  it('takes a whole number within bounds, and the fallback when absent', () => {
    expect([pageSize('1', options), pageSize('1000', options), pageSize(undefined, options)]).toEqual([
      1, 1000, 100,
    ]);
  });

  it.each(['1.5', '0', '-3', '1001', 'ten', '', '1e3', ' 5'])(
    'refuses %p with the parameter named',
    (raw) => {
      expect(() => pageSize(raw, options)).toThrow(
        expect.objectContaining({
          code: 'LIST_QUERY_INVALID',
          kind: 'invalid',
          message: expect.stringContaining('limit'),
        }),
      );
    },
  );
});
