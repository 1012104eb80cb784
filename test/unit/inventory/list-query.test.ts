import { describe, expect, it } from '@jest/globals';
import { decodeToken, encodeToken, parseListQuery } from '../../../src/inventory/list-query.js';

const after = `2027-01-01T00:00:00.000Z#${'a'.repeat(64)}`;

describe('parseListQuery', () => {
  it('reads the parameters, with the default limit', () => {
    expect(parseListQuery({})).toEqual({ limit: 100 });
    expect(parseListQuery({ expiringWithinDays: '0', limit: '1000', thingName: 'pump-1' })).toEqual({
      expiringWithinDays: 0,
      limit: 1000,
      thingName: 'pump-1',
    });
  });

  it.each([
    [{ expiringWithinDays: '1.5' }, /expiringWithinDays must be a whole number/],
    [{ expiringWithinDays: '99999999' }, /expiringWithinDays/],
    [{ limit: '' }, /limit/],
    [{ thingName: 'x'.repeat(129) }, /thingName/],
    [{ expiring: '3' }, /Unknown query parameter\(s\) 'expiring'/],
  ])('refuses %j, naming the parameter', (raw, message) => {
    expect(() => parseListQuery(raw)).toThrow(message);
  });
});

describe('page tokens', () => {
  it('round-trip for the query they were made for, and only for it', () => {
    const query = { expiringWithinDays: 30, limit: 10 };
    const token = encodeToken(query, { before: '2027-02-01T00:00:00.000Z', after });
    expect(decodeToken({ ...query, limit: 50 }, token)).toEqual({
      before: '2027-02-01T00:00:00.000Z',
      after,
    });
    expect(() => decodeToken({ expiringWithinDays: 31, limit: 10 }, token)).toThrow(
      /other expiringWithinDays/,
    );
    expect(() => decodeToken({ ...query, thingName: 'x' }, token)).toThrow(/thingName/);
  });

  it('refuse what this API did not issue', () => {
    const query = { limit: 10 };
    for (const text of ['garbage', Buffer.from('{"days":null}').toString('base64url'), 'x'.repeat(2000)]) {
      expect(() => decodeToken(query, text)).toThrow(/not one this API issued/);
    }
  });
});
