import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { apiBudget, type RequestBudget } from '../../../src/aws/iot-rate-limit.js';

/** Jest's fake timers drive `Date.now()` too: the budget's clock moves exactly as its timers fire. */
const clock = () => Date.now();

/** Takes `count` requests' worth at once; resolves with the fake time of each grant. */
async function grantTimes(budget: RequestBudget, count: number, advanceMs: number): Promise<number[]> {
  const times: number[] = [];
  const all = Promise.all(
    Array.from({ length: count }, () => budget.take().then(() => times.push(Date.now()))),
  );
  await jest.advanceTimersByTimeAsync(advanceMs);
  await all;
  return times;
}

/** The most grants any window of `windowMs` (half-open, starting at a grant) holds. */
const busiestWindow = (times: number[], windowMs = 1000) =>
  Math.max(...times.map((start) => times.filter((t) => t >= start && t < start + windowMs).length));

beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('the IoT request budget', () => {
  it('keeps every one-second window within IOT_TPS, also right after an idle spell', async () => {
    const budget = apiBudget(10, clock);
    await jest.advanceTimersByTimeAsync(60_000);
    const times = await grantTimes(budget, 35, 5_000);
    expect(times).toHaveLength(35);
    expect(busiestWindow(times)).toBe(10);
  });

  it('lets a burst of IOT_TPS through at once after an idle spell, then waits for the window', async () => {
    const budget = apiBudget(5, clock);
    const start = Date.now();
    const times = (await grantTimes(budget, 7, 2_000)).map((t) => t - start);
    expect(times).toEqual([0, 0, 0, 0, 0, 1000, 1000]);
  });

  it('keeps a steady caller at the rate over a long run', async () => {
    const budget = apiBudget(4, clock);
    const start = Date.now();
    const times = await grantTimes(budget, 40, 20_000);
    expect(busiestWindow(times)).toBe(4);
    expect(Math.max(...times) - start).toBe(9000);
  });

  it('spaces a budget below one request per second', async () => {
    const budget = apiBudget(0.5, clock);
    const start = Date.now();
    const times = (await grantTimes(budget, 3, 10_000)).map((t) => t - start);
    expect(times).toEqual([0, 2000, 4000]);
  });

  it('serves callers in arrival order', async () => {
    const budget = apiBudget(2, clock);
    const order: number[] = [];
    const all = Promise.all([0, 1, 2, 3, 4].map((i) => budget.take().then(() => order.push(i))));
    await jest.advanceTimersByTimeAsync(3_000);
    await all;
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('reads time only from the injected clock', async () => {
    let now = 0;
    const budget = apiBudget(1, () => now);
    await budget.take();
    const second = budget.take();
    let granted = false;
    void second.then(() => (granted = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(granted).toBe(false);
    now += 1000;
    await jest.advanceTimersByTimeAsync(1000);
    expect(granted).toBe(true);
  });
});
