import { describe, expect, it } from '@jest/globals';
import { TtlCache } from '../../../src/provisioning/ca/ttl-cache.js';

describe('TtlCache', () => {
  it('loads once for concurrent and later callers until the entry expires', async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache<string, number>(1000, () => now);
    const load = () => Promise.resolve(++loads);
    expect(await Promise.all([cache.get('a', load), cache.get('a', load)])).toEqual([1, 1]);
    now = 999;
    expect(await cache.get('a', load)).toBe(1);
    now = 1000;
    expect(await cache.get('a', load)).toBe(2);
    expect(await cache.get('b', load)).toBe(3);
  });

  it('keeps no failure: the next call loads again', async () => {
    const cache = new TtlCache<string, string>(60_000);
    await expect(cache.get('a', () => Promise.reject(new Error('SSM was down')))).rejects.toThrow(
      'SSM was down',
    );
    expect(await cache.get('a', () => Promise.resolve('ok'))).toBe('ok');
  });

  it('caches nothing with a zero TTL, and forgets on request', async () => {
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    const none = new TtlCache<string, number>(0);
    await none.get('a', load);
    expect(await none.get('a', load)).toBe(2);
    const some = new TtlCache<string, number>(60_000);
    await some.get('a', load);
    some.forget('a');
    expect(await some.get('a', load)).toBe(4);
  });

  it('keeps no value its keep test refuses, but still shares it with concurrent callers', async () => {
    let loads = 0;
    const statuses = ['INACTIVE', 'ACTIVE'];
    const cache = new TtlCache<string, string>(60_000, Date.now, (status) => status === 'ACTIVE');
    const load = () => Promise.resolve(statuses[loads++] ?? 'ACTIVE');
    expect(await Promise.all([cache.get('ca', load), cache.get('ca', load)])).toEqual([
      'INACTIVE',
      'INACTIVE',
    ]);
    expect(await cache.get('ca', load)).toBe('ACTIVE');
    expect(await cache.get('ca', load)).toBe('ACTIVE');
    expect(loads).toBe(2);
  });
});
