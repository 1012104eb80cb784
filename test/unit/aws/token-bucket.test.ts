import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { TokenBucket } from '../../../src/aws/token-bucket.js';

/**
 * Jest's fake timers also drive `Date.now()`, so a bucket reading it as its clock sees time pass
 * exactly as its timers fire: each test runs in fake time, not real time.
 */
const clock = () => Date.now();

/** Starts `count` takes at once; `done` lists the fake time at which each one resolved. */
function takeMany(bucket: TokenBucket, count: number) {
  const start = Date.now();
  const done: { index: number; at: number }[] = [];
  const all = Array.from({ length: count }, (_, index) =>
    bucket.take().then(() => done.push({ index, at: Date.now() - start })),
  );
  return { done, all: Promise.all(all) };
}

beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('TokenBucket', () => {
  it('lets a burst through at once, then spaces takes at the rate', async () => {
    const bucket = new TokenBucket(10, 3, clock);
    const { done, all } = takeMany(bucket, 6);
    await jest.advanceTimersByTimeAsync(0);
    expect(done.map((d) => d.index)).toEqual([0, 1, 2]);

    await jest.advanceTimersByTimeAsync(99);
    expect(done).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(1);
    expect(done).toHaveLength(4);
    await jest.advanceTimersByTimeAsync(200);
    await all;
    expect(done.map((d) => d.at)).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it('defaults the burst to the rate, rounded up', async () => {
    const { done } = takeMany(new TokenBucket(2.5, undefined, clock), 4);
    await jest.advanceTimersByTimeAsync(0);
    expect(done).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(400);
    expect(done.map((d) => d.at)).toEqual([0, 0, 0, 400]);
  });

  it('allows a fractional rate below one per second', async () => {
    const { done } = takeMany(new TokenBucket(0.5, undefined, clock), 2);
    await jest.advanceTimersByTimeAsync(1999);
    expect(done).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(done.map((d) => d.at)).toEqual([0, 2000]);
  });

  it('serves waiters in arrival order, one rate interval apart', async () => {
    const bucket = new TokenBucket(20, 1, clock);
    const { done, all } = takeMany(bucket, 8);
    await jest.advanceTimersByTimeAsync(7 * 50);
    await all;
    expect(done.map((d) => d.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(done.map((d) => d.at)).toEqual([0, 50, 100, 150, 200, 250, 300, 350]);
  });

  it('keeps arrival order for takes made while others are already waiting', async () => {
    const bucket = new TokenBucket(10, 1, clock);
    const order: string[] = [];
    const first = bucket.take().then(() => order.push('first'));
    const second = bucket.take().then(() => order.push('second'));
    await jest.advanceTimersByTimeAsync(50);
    const third = bucket.take().then(() => order.push('third'));
    await jest.advanceTimersByTimeAsync(150);
    await Promise.all([first, second, third]);
    expect(order).toEqual(['first', 'second', 'third']);
    expect(Date.now() - 1_000_000).toBe(200);
  });

  it('refills while idle, but never beyond the burst', async () => {
    const bucket = new TokenBucket(10, 3, clock);
    await takeMany(bucket, 3).all;
    await jest.advanceTimersByTimeAsync(60_000);

    const { done } = takeMany(bucket, 5);
    await jest.advanceTimersByTimeAsync(0);
    expect(done).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(200);
    expect(done.map((d) => d.at)).toEqual([0, 0, 0, 100, 200]);
  });

  it('counts partly refilled tokens, waiting only for the remainder', async () => {
    // Values exact in binary floating point: half a token after 125 ms, the other half 125 ms later.
    const bucket = new TokenBucket(4, 1, clock);
    await bucket.take();
    await jest.advanceTimersByTimeAsync(125);
    const { done } = takeMany(bucket, 1);
    await jest.advanceTimersByTimeAsync(124);
    expect(done).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(done).toHaveLength(1);
  });

  it('reads time only from the injected clock', async () => {
    let now = 0;
    const bucket = new TokenBucket(1, 2, () => now);
    await bucket.take();
    await bucket.take();
    // Timers never move here: the tokens come back because the injected clock says a second passed.
    now += 2000;
    const { done } = takeMany(bucket, 2);
    await jest.advanceTimersByTimeAsync(0);
    expect(done).toHaveLength(2);
  });
});
