import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { TransientError } from '../../../src/errors.js';
import {
  MAX_VISIBILITY_SECONDS,
  backoffSeconds,
  holdSeconds,
  retryDelaySeconds,
} from '../../../workers/process-batch.js';

afterEach(() => {
  jest.restoreAllMocks();
});

/** backoffSeconds with Math.random fixed at `r`. */
function withRandom(r: number, receiveCount: number): number {
  jest.spyOn(Math, 'random').mockReturnValue(r);
  return backoffSeconds(receiveCount);
}

const EXPECTED_BASE: [number, number][] = [
  [1, 2],
  [2, 4],
  [3, 8],
  [4, 16],
  [5, 32],
  [6, 64],
  [7, 128],
  [8, 256],
  [9, 300],
  [10, 300],
  [1000, 300],
];

describe('backoffSeconds', () => {
  it.each(EXPECTED_BASE)('after %i receives waits at most the base of %i seconds', (receiveCount, base) => {
    expect(withRandom(0.999999, receiveCount)).toBe(base);
  });

  it.each(EXPECTED_BASE)('after %i receives waits at least half of %i seconds', (receiveCount, base) => {
    expect(withRandom(0, receiveCount)).toBe(Math.round(base / 2));
  });

  it('jitters within [base/2, base] and really spreads out', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const seconds = backoffSeconds(6);
      expect(Number.isInteger(seconds)).toBe(true);
      expect(seconds).toBeGreaterThanOrEqual(32);
      expect(seconds).toBeLessThanOrEqual(64);
      seen.add(seconds);
    }
    expect(seen.size).toBeGreaterThan(10);
  });

  it('grows with the receive count until the cap', () => {
    const medians = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => withRandom(0.5, n));
    for (let i = 1; i < medians.length; i++) expect(medians[i]).toBeGreaterThan(medians[i - 1] ?? Infinity);
  });

  it('never exceeds five minutes, the cap', () => {
    for (const receiveCount of [9, 20, 100, Number.MAX_SAFE_INTEGER]) {
      for (let i = 0; i < 50; i++) expect(backoffSeconds(receiveCount)).toBeLessThanOrEqual(300);
    }
  });

  it('stays a whole number of seconds that SQS accepts, even for a first receive', () => {
    for (const r of [0, 0.25, 0.5, 0.75, 0.999999]) {
      const seconds = withRandom(r, 1);
      expect([1, 2]).toContain(seconds);
      jest.restoreAllMocks();
    }
  });
});

describe('retryDelaySeconds', () => {
  it('is the backoff when the error has no opinion', () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.999999);
    expect(retryDelaySeconds(new TransientError('X', 'x'), 3)).toBe(8);
  });

  it('waits as long as the error asks, in whole seconds, when that is longer', () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.999999);
    expect(retryDelaySeconds(new TransientError('X', 'x', { retryAfterSeconds: 119.2 }), 1)).toBe(120);
    expect(retryDelaySeconds(new TransientError('X', 'x', { retryAfterSeconds: 1 }), 3)).toBe(8);
  });

  it('never asks SQS for more than it allows', () => {
    expect(retryDelaySeconds(new TransientError('X', 'x', { retryAfterSeconds: 1e9 }), 1)).toBe(43_200);
    expect(retryDelaySeconds(new TransientError('X', 'x', { retryAfterSeconds: 1e9 }), 1, 3600)).toBe(3600);
  });
});

describe('holdSeconds', () => {
  it('stays inside the 12 hours SQS counts from the receive, with a margin', () => {
    const received = 1_000_000;
    expect(holdSeconds(received, received)).toBe(MAX_VISIBILITY_SECONDS - 600);
    expect(holdSeconds(received, received + 90_500)).toBe(MAX_VISIBILITY_SECONDS - 600 - 91);
    expect(holdSeconds(received, received + MAX_VISIBILITY_SECONDS * 1000)).toBe(0);
  });
});
